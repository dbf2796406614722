import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { AlarmService } from './alarms/alarm-service.js';
import type { AlarmClock } from './alarms/clock.js';
import type { AuditEntry } from './audit-types.js';
import { Bus } from './bus.js';
import type { Config, DeviceConfig, NorthConfig } from './config/schema.js';
import { runningDevices } from './config/validate.js';
import { DeviceRunner } from './device-runner.js';
import { errorCode, errorMessage, GatewayError } from './errors.js';
import { NorthLink } from './north-link.js';
import type { NorthAlarms, NorthApp, NorthContext, NorthDevice, NorthStatus, TagValueFeed } from './plugin.js';
import type { PluginRegistry } from './registry.js';
import { stableStringify } from './stable-json.js';
import type { GatewayStatusPayload } from './status-payload.js';
import type { Db } from './store/db.js';
import { openMemoryDb } from './store/memory-db.js';
import { moveSpool, SpoolStore } from './store/spool-store.js';
import { deviceTopic } from './uns.js';
import type { TagValue } from './values.js';

interface NorthEntry {
  config: NorthConfig;
  app: NorthApp;
  /** The app's connections the core supervises (retries stop with the app). */
  links: NorthLink[];
  /** Digest of the device set the app was started with, to tell it when that set changes. */
  devicesKey: string;
}

export interface ValueRow {
  device: string;
  group: string;
  tag: string;
  topic: string;
  value: TagValue['value'];
  timestamp: number;
  quality: TagValue['quality'];
  error?: string;
}

/** Who asked for a write: `http` with the user and address, or `{plugin}:{north app}`. */
export interface WriteOrigin {
  source: string;
  user?: string | undefined;
  address?: string | undefined;
}

/** A written value for a log line: short, and 64-bit integers as text. */
function loggedValue(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string' && value.length > 64) return `${value.slice(0, 64)}…`;
  return value;
}

export interface GatewayOptions {
  /** Where north apps spool; an in-memory database when not given. */
  db?: Db;
  registry: PluginRegistry;
  log: Logger;
  dataDir: string;
  version: string;
  /** Receives every write request with its result (the audit trail). */
  audit?: (entry: AuditEntry) => void;
  /** Time for alarm on-delays (tests drive it); the system clock when not given. */
  alarmClock?: AlarmClock;
}

/**
 * The runtime: owns the device runners and north apps of one configuration and
 * moves to a new configuration by restarting only what changed.
 */
export class Gateway {
  readonly bus = new Bus();
  private config: Config | undefined;
  private readonly devices = new Map<string, DeviceRunner>();
  private readonly north = new Map<string, NorthEntry>();
  readonly startedAt = Date.now();

  /** The drivers and north plugins this gateway runs. */
  get registry(): PluginRegistry {
    return this.opts.registry;
  }
  private readonly db: Db;
  /** Alarms of every tag: evaluated from the bus, kept in the database. */
  readonly alarms: AlarmService;

  /** Every tag's current value and every reading, for drivers that derive values from other tags. */
  private readonly tagValues: { -readonly [K in keyof TagValueFeed]: TagValueFeed[K] } = {
    current: (device, tag) => this.devices.get(device)?.currentValue(tag),
    subscribe: (listener) => this.bus.subscribe({ reading: listener }),
    generation: 0,
  };

  constructor(private readonly opts: GatewayOptions) {
    this.db = opts.db ?? openMemoryDb();
    this.bus.onListenerError = (err) =>
      opts.log.error({ err: errorMessage(err) }, 'a north app failed to take a reading');
    this.alarms = new AlarmService({
      db: this.db,
      log: opts.log.child({ component: 'alarms' }),
      clock: opts.alarmClock,
      audit: opts.audit,
    });
    // Before any north app: an alarm changed by a reading is out before that reading's value.
    this.alarms.attach(this.bus);
  }

  get currentConfig(): Config {
    if (!this.config) throw new Error('gateway not started');
    return this.config;
  }

  async start(config: Config): Promise<void> {
    this.config = config;
    this.alarms.configure(config);
    // North apps first, so that they see the devices' first states and readings.
    for (const app of config.north) await this.startNorth(app);
    for (const device of runningDevices(config)) await this.startDevice(device);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.devices.values()].map((d) => d.stop()));
    this.devices.clear();
    this.tagValues.generation++;
    await Promise.all([...this.north.values()].map((n) => this.stopNorthApp(n)));
    this.north.clear();
    this.alarms.stop();
  }

  /**
   * Applies a new (validated) configuration as a diff; returns what was restarted. A north
   * app renamed (`renamedNorth`) keeps its undelivered messages under the new name.
   */
  async apply(
    next: Config,
    renamedNorth?: { from: string; to: string },
  ): Promise<{ devices: string[]; north: string[] }> {
    const prev = this.currentConfig;
    // Topics depend on id and uns only; http and broker changes are the runtime's business.
    const gatewayChanged = prev.gateway.id !== next.gateway.id || prev.gateway.uns !== next.gateway.uns;
    this.config = next;
    this.alarms.configure(next);
    const changedDevices: string[] = [];
    const changedNorth: string[] = [];

    const nextDevices = new Map(runningDevices(next).map((d) => [d.name, d]));
    for (const [name, runner] of this.devices) {
      const d = nextDevices.get(name);
      if (d && !gatewayChanged && stableStringify(d) === stableStringify(runner.config)) continue;
      // Only groups changed (tags added or edited): the driver may take them live, the link stays open.
      const groups = d && !gatewayChanged && onlyGroupsDiffer(d, runner.config) ? runner.replaceGroups(d) : undefined;
      this.tagValues.generation++;
      if (groups) {
        this.opts.log.info({ device: name, groups }, 'groups changed without a restart: the connection stays open');
        changedDevices.push(name);
      } else {
        await runner.stop();
        this.devices.delete(name);
        changedDevices.push(name);
      }
    }
    for (const d of nextDevices.values()) {
      if (!this.devices.has(d.name)) {
        await this.startDevice(d);
        if (!changedDevices.includes(d.name)) changedDevices.push(d.name);
      }
    }

    const nextNorth = new Map(next.north.map((n) => [n.name, n]));
    for (const [name, entry] of this.north) {
      const n = nextNorth.get(name);
      if (!n || gatewayChanged || stableStringify(n) !== stableStringify(entry.config)) {
        await this.stopNorthApp(entry);
        this.north.delete(name);
        changedNorth.push(name);
      }
    }
    // Between the old app's stop and the new one's start: nobody writes to either spool.
    if (renamedNorth && !this.north.has(renamedNorth.from) && !this.north.has(renamedNorth.to)) {
      moveSpool(this.db, renamedNorth.from, renamedNorth.to);
    }
    for (const n of next.north) {
      if (!this.north.has(n.name)) {
        await this.startNorth(n);
        if (!changedNorth.includes(n.name)) changedNorth.push(n.name);
      }
    }
    // Apps that kept running learn about added, removed or changed devices.
    for (const entry of this.north.values()) {
      const key = this.devicesKey(entry.config);
      if (key !== entry.devicesKey) {
        entry.devicesKey = key;
        entry.app.devicesChanged?.();
      }
    }
    this.opts.log.info({ devices: changedDevices, north: changedNorth }, 'configuration applied');
    return { devices: changedDevices, north: changedNorth };
  }

  private async startDevice(config: DeviceConfig): Promise<void> {
    const manifest = this.opts.registry.drivers.get(config.driver);
    const log = this.opts.log.child({ device: config.name });
    if (!manifest) {
      log.error(`driver "${config.driver}" is not available`);
      return;
    }
    const runner = new DeviceRunner(
      config,
      manifest,
      deviceTopic(this.currentConfig.gateway, config),
      this.bus,
      log,
      this.opts.dataDir,
      this.tagValues,
    );
    this.devices.set(config.name, runner);
    this.tagValues.generation++;
    try {
      await runner.start();
    } catch (err) {
      log.error({ err: errorMessage(err) }, 'device failed to start');
    }
  }

  private appDeviceConfigs(config: NorthConfig): DeviceConfig[] {
    const all = config.devices.includes('*');
    return runningDevices(this.currentConfig).filter((d) => all || config.devices.includes(d.name));
  }

  private appDevices(config: NorthConfig): DeviceRunner[] {
    return this.appDeviceConfigs(config)
      .map((d) => this.devices.get(d.name))
      .filter((r): r is DeviceRunner => r !== undefined);
  }

  /** A digest, not the text: the text is the app's whole device configuration (10 MB at 100k tags). */
  private devicesKey(config: NorthConfig): string {
    const devices = this.appDeviceConfigs(config);
    // A model's description is in its published contract, not in its devices: it counts too.
    const used = new Set(devices.map((d) => d.model));
    const models = this.currentConfig.models.filter((m) => used.has(m.name));
    // One piece at a time: the text of all devices at once is a 30 MB string at 100k tags, and
    // hashing it needs as much again outside the JS heap, which the C allocator then keeps.
    const hash = createHash('sha256');
    for (const part of [...devices, ...models]) hash.update(stableStringify(part)).update('\n');
    return hash.update(String(devices.length)).digest('base64');
  }

  private async startNorth(config: NorthConfig): Promise<void> {
    const log = this.opts.log.child({ north: config.name });
    const manifest = this.opts.registry.north.get(config.plugin);
    if (!manifest) {
      log.error(`plugin "${config.plugin}" is not available`);
      return;
    }
    if (!config.enabled) {
      this.north.set(config.name, { config, app: disabledApp(), links: [], devicesKey: '' });
      return;
    }
    const links: NorthLink[] = [];
    const ctx: NorthContext = {
      app: config,
      settings: config.settings,
      gateway: this.currentConfig.gateway,
      version: this.opts.version,
      log,
      dataDir: this.opts.dataDir,
      // From the configuration, not the runners: north apps start before the devices do.
      devices: () =>
        this.appDeviceConfigs(config).map(
          (d): NorthDevice => ({
            config: d,
            topic: deviceTopic(this.currentConfig.gateway, d),
            state: this.devices.get(d.name)?.currentState ?? {
              state: d.enabled ? 'connecting' : 'disabled',
              timestamp: Date.now(),
            },
          }),
        ),
      models: () => {
        const used = new Set(this.appDeviceConfigs(config).map((d) => d.model));
        return this.currentConfig.models.filter((m) => used.has(m.name));
      },
      snapshot: () => this.appDevices(config).flatMap((r) => r.snapshot().map((s) => ({ device: r.name, ...s }))),
      subscribe: (listener) => {
        const wanted = (device: string) => config.devices.includes('*') || config.devices.includes(device);
        return this.bus.subscribe({
          reading: (reading) => wanted(reading.device) && listener.reading?.(reading),
          state: (device, state) => wanted(device) && listener.state?.(device, state),
        });
      },
      write: (device, tag, value) => this.write(device, tag, value, { source: `${config.plugin}:${config.name}` }),
      alarms: northAlarms(this.alarms, config),
      spool: (limits) => new SpoolStore(this.db, config.name, limits),
      link: (open, options) => {
        const link = new NorthLink(open, options);
        links.push(link);
        return link;
      },
    };
    let app: NorthApp;
    try {
      app = manifest.create(ctx);
    } catch (err) {
      log.error({ err: errorMessage(err) }, 'north app cannot be created');
      return;
    }
    this.north.set(config.name, { config, app, links, devicesKey: this.devicesKey(config) });
    try {
      await app.start();
    } catch (err) {
      log.error({ err: errorMessage(err) }, 'north app failed to start');
    }
  }

  private async stopNorthApp(entry: NorthEntry): Promise<void> {
    // No retry may open a connection while, or after, the app stops.
    for (const link of entry.links) link.stop();
    try {
      await entry.app.stop();
    } catch (err) {
      this.opts.log.warn({ north: entry.config.name, err: errorMessage(err) }, 'error while stopping north app');
    }
  }

  /**
   * Writes a tag through its device (checks, write, read-back, publish). Every request is
   * logged and handed to the audit trail with who asked and the result.
   */
  async write(device: string, tag: string, value: unknown, origin: WriteOrigin = { source: 'api' }): Promise<void> {
    // Fields, not a child logger per request: a write burst must not build a logger per write.
    const fields = { device, tag, value: loggedValue(value), source: origin.source, user: origin.user };
    try {
      await this.device(device).write(tag, value);
    } catch (err) {
      const error = errorCode(err);
      this.opts.log.info({ ...fields, error }, 'write refused');
      this.opts.audit?.({ kind: 'write', action: `write ${device}/${tag}`, ok: false, value, error, ...origin });
      throw err;
    }
    this.opts.log.info(fields, 'written');
    this.opts.audit?.({ kind: 'write', action: `write ${device}/${tag}`, ok: true, value, ...origin });
  }

  /** Stops and starts one device with its current configuration (a fresh connection). */
  async restartDevice(name: string): Promise<void> {
    const runner = this.device(name);
    await runner.stop();
    this.devices.delete(name);
    this.tagValues.generation++;
    await this.startDevice(runner.config);
  }

  /** The running device, or a GatewayError('unknown-device'). */
  device(name: string): DeviceRunner {
    const runner = this.devices.get(name);
    if (!runner) throw new GatewayError('unknown-device', `no device named "${name}"`);
    return runner;
  }

  values(): ValueRow[] {
    const rows: ValueRow[] = [];
    for (const runner of this.devices.values()) {
      for (const s of runner.snapshot()) {
        const row: ValueRow = {
          device: runner.name,
          group: s.group,
          tag: s.tag.name,
          topic: s.topic,
          value: s.value.value,
          timestamp: s.value.timestamp,
          quality: s.value.quality,
        };
        if (s.value.error) row.error = s.value.error;
        rows.push(row);
      }
    }
    return rows;
  }

  status(): GatewayStatusPayload {
    return {
      gateway: {
        id: this.config?.gateway.id,
        version: this.opts.version,
        startedAt: this.startedAt,
        uptimeMs: Date.now() - this.startedAt,
      },
      devices: [...this.devices.values()].map((d) => d.status()),
      north: [...this.north.values()].map((n) => ({ name: n.config.name, plugin: n.config.plugin, ...n.app.status() })),
    };
  }
}

/** True when two configurations of a device differ in their groups and nothing else. */
function onlyGroupsDiffer(a: DeviceConfig, b: DeviceConfig): boolean {
  return stableStringify({ ...a, groups: [] }) === stableStringify({ ...b, groups: [] });
}

/** The alarms of a north app's devices, and acknowledgement in the app's name. */
function northAlarms(alarms: AlarmService, config: NorthConfig): NorthAlarms {
  const wanted = (device: string) => config.devices.includes('*') || config.devices.includes(device);
  return {
    current: () => alarms.list({ devices: wanted }),
    subscribe: (listener) =>
      alarms.subscribe((alarm) => {
        if (wanted(alarm.device)) listener(alarm);
      }),
    ack: (id, by, comment) => {
      const alarm = alarms.get(id);
      if (!alarm || !wanted(alarm.device)) throw new GatewayError('not-found', `no alarm with id "${id}"`);
      return alarms.ack(id, comment, { source: `${config.plugin}:${config.name}`, user: by }).alarm;
    },
  };
}

function disabledApp(): NorthApp {
  const status: NorthStatus = {
    state: 'disabled',
    counters: { published: 0, buffered: 0, bufferedBytes: 0, dropped: 0, reconnects: 0 },
  };
  return { start: async () => undefined, stop: async () => undefined, status: () => status };
}
