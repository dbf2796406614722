import type { Logger } from 'pino';
import { Backoff } from './backoff.js';
import type { Bus, DeviceState, DeviceStateName, GroupReading, ReadingItem } from './bus.js';
import { newPublishedState, type PublishedState, shouldPublish } from './change-filter.js';
import { DEFAULT_RECONNECT_MAX_MS, type DeviceConfig, type GroupConfig, type TagConfig } from './config/schema.js';
import { errorCode, errorMessage, GatewayError } from './errors.js';
import { reportRead } from './metrics/read-observer.js';
import type { BrowseEntry, Driver, DriverManifest, InspectResult, TagValueFeed } from './plugin.js';
import { GroupSchedule } from './scheduler.js';
import { stableStringify } from './stable-json.js';
import type { DeviceCounters, DeviceStatusPayload } from './status-payload.js';
import { tagTopic } from './uns.js';
import { badValue, type TagValue } from './values.js';

/** A group with what the runner needs per tag, computed once per configuration. */
interface GroupRuntime {
  config: GroupConfig;
  /** The group as handed to the driver: readable tags only. */
  readable: GroupConfig;
  topics: string[];
  published: PublishedState[];
  current: Array<TagValue | undefined>;
  schedule?: GroupSchedule;
}

/**
 * Where in its interval a group's reads fall. A device's groups are spaced evenly over the
 * interval, from a point set by a hash of the device's name, so that many groups with the
 * same interval do not all read (and publish) in one burst — a burst of thousands of values
 * waits behind itself at the broker.
 */
function readPhase(device: string, index: number, groups: number, intervalMs: number): number {
  const span = Math.max(1, Math.min(intervalMs, 60_000));
  let h = 2166136261;
  for (let i = 0; i < device.length; i++) h = Math.imul(h ^ device.charCodeAt(i), 16777619);
  return ((h >>> 0) + Math.floor((index * span) / groups)) % span;
}

/** Consecutive reads that time out on every tag before the device is reported disconnected. */
const TIMEOUTS_BEFORE_DISCONNECTED = 3;

/** First wait before reconnecting; it doubles on every failure up to the device's `reconnectMaxMs`. */
const RECONNECT_FIRST_MS = 500;

/**
 * Runs one device: connects through its driver (retrying with backoff), keeps each
 * group on its schedule, passes readings through the change filter onto the bus,
 * and reports its state. A device that fails never affects another.
 */
export class DeviceRunner {
  readonly name: string;
  readonly topic: string;
  private driver: Driver | undefined;
  private groups: GroupRuntime[];
  /** Where each readable tag's current value is kept, by tag name. */
  private valueIndex = new Map<string, { group: GroupRuntime; index: number }>();
  private state: DeviceState;
  private readonly backoff: Backoff;
  private retryTimer: NodeJS.Timeout | undefined;
  /** When the next connection attempt is due while backing off (ms since epoch). */
  private nextRetryAt: number | undefined;
  private stopped = true;
  private consecutiveTimeouts = 0;
  /** Bumped on every (re)connect and stop, so a read still in flight from before is discarded. */
  private generation = 0;
  private lastOverrunLog = 0;
  readonly counters: DeviceCounters = {
    reads: 0,
    readErrors: 0,
    tagErrors: 0,
    overruns: 0,
    writes: 0,
    writeErrors: 0,
    reconnects: 0,
    lastReadMs: 0,
  };

  constructor(
    private configNow: DeviceConfig,
    private readonly manifest: DriverManifest,
    topic: string,
    private readonly bus: Bus,
    private readonly log: Logger,
    private readonly dataDir: string,
    /** Given to drivers that derive their values from other tags. */
    private readonly tagValues?: TagValueFeed,
  ) {
    this.name = configNow.name;
    this.topic = topic;
    this.backoff = new Backoff(RECONNECT_FIRST_MS, configNow.reconnectMaxMs ?? DEFAULT_RECONNECT_MAX_MS);
    this.state = { state: configNow.enabled ? 'connecting' : 'disabled', timestamp: Date.now() };
    this.groups = configNow.groups.map((g) => this.groupRuntime(g));
    this.indexValues();
  }

  private indexValues(): void {
    this.valueIndex = new Map();
    for (const group of this.groups) {
      group.readable.tags.forEach((tag, index) => {
        this.valueIndex.set(tag.name, { group, index });
      });
    }
  }

  /** The latest value of one readable tag, if it has one. */
  currentValue(tagName: string): TagValue | undefined {
    const at = this.valueIndex.get(tagName);
    return at ? at.group.current[at.index] : undefined;
  }

  private groupRuntime(g: GroupConfig): GroupRuntime {
    const readable = { ...g, tags: g.tags.filter((t) => t.access !== 'write') };
    return {
      config: g,
      readable,
      topics: readable.tags.map((t) => tagTopic(this.topic, t.name)),
      published: readable.tags.map(() => newPublishedState()),
      current: readable.tags.map(() => undefined),
    };
  }

  /** The configuration the device runs with (its groups may change live, see replaceGroups). */
  get config(): DeviceConfig {
    return this.configNow;
  }

  get currentState(): DeviceState {
    return this.state;
  }

  /**
   * Takes a configuration that differs from the running one in its groups only, without a
   * restart: the connection stays open, unchanged groups keep polling on their schedule with
   * their last values, changed and new groups read at once, removed ones stop. Returns the
   * groups that (re)started, or undefined when the driver cannot take new groups while it runs
   * (nothing changed then; the caller restarts the device).
   */
  replaceGroups(next: DeviceConfig): string[] | undefined {
    const driver = this.driver;
    if (!driver?.groupsChanged) return undefined;
    const kept = new Map(this.groups.map((g) => [stableStringify(g.config), g]));
    const restarted: string[] = [];
    const groups = next.groups.map((g) => {
      const same = kept.get(stableStringify(g));
      if (same) {
        kept.delete(stableStringify(g));
        return same;
      }
      restarted.push(g.name);
      return this.groupRuntime(g);
    });
    for (const old of kept.values()) {
      old.schedule?.stop();
      old.schedule = undefined;
    }
    driver.groupsChanged(next);
    this.configNow = next;
    this.groups = groups;
    this.indexValues();
    // Running: the new groups join the schedule now; otherwise they start with the next connection.
    if (!this.stopped && this.state.state === 'connected') {
      groups.forEach((g, i) => {
        if (!g.schedule) this.startSchedule(g, i);
      });
    }
    return restarted;
  }

  async start(): Promise<void> {
    if (!this.config.enabled) {
      this.setState('disabled');
      return;
    }
    this.stopped = false;
    this.driver = this.manifest.create({
      device: this.config,
      settings: this.config.settings,
      log: this.log,
      dataDir: this.dataDir,
      connectionLost: (error) => this.onConnectionLost(error),
      ...(this.manifest.capabilities.derivesValues && this.tagValues
        ? { tagValues: this.tagValues, deliver: (group, values, options) => this.deliverPushed(group, values, options) }
        : {}),
    });
    void this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelRetry();
    this.stopSchedules();
    const driver = this.driver;
    this.driver = undefined;
    await driver?.close().catch((err) => this.log.warn({ err: errorMessage(err) }, 'error while closing'));
  }

  private async connect(): Promise<void> {
    if (this.stopped || !this.driver) return;
    // While retrying, the device stays "disconnected" (with its error) instead of flapping.
    if (this.state.state !== 'disconnected') this.setState('connecting', this.state.error);
    try {
      await this.driver.connect();
    } catch (err) {
      if (this.stopped) return;
      const code = errorCode(err);
      const delay = this.backoff.next();
      this.log.warn({ error: code, retryInMs: delay }, `cannot connect: ${errorMessage(err)}`);
      const error = code === 'internal' ? errorMessage(err) : code;
      // Replaces values a previous run left retained on the broker: this device has none now.
      this.publishAllBad(error);
      this.setState('disconnected', error);
      this.counters.reconnects++;
      this.scheduleRetry(delay);
      return;
    }
    if (this.stopped) return;
    // The backoff is reset by the first good read, not here: a device that accepts the
    // connection and then fails again at once keeps backing off instead of flapping.
    this.consecutiveTimeouts = 0;
    this.setState('connected');
    this.log.info('connected');
    this.startSchedules();
  }

  private onConnectionLost(error: string): void {
    if (this.stopped || this.state.state === 'connecting') return;
    const delay = this.backoff.next();
    this.log.warn({ error, retryInMs: delay }, 'connection lost');
    this.stopSchedules();
    this.publishAllBad(error);
    this.setState('disconnected', error);
    this.cancelRetry();
    this.counters.reconnects++;
    this.scheduleRetry(delay);
  }

  private scheduleRetry(delay: number): void {
    this.nextRetryAt = Date.now() + delay;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.nextRetryAt = undefined;
      void this.connect();
    }, delay);
  }

  private cancelRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.nextRetryAt = undefined;
  }

  /**
   * "Retry now": while backing off, connects at once instead of waiting out the delay
   * (a PLC that came back need not wait up to `reconnectMaxMs`). Refused otherwise.
   */
  retryNow(): void {
    if (!this.config.enabled) throw new GatewayError('device-disabled', `device "${this.name}" is disabled`);
    if (this.stopped || !this.retryTimer) {
      throw new GatewayError('not-supported', `device "${this.name}" is ${this.state.state}, not waiting to reconnect`);
    }
    this.cancelRetry();
    this.log.info('reconnecting now, on request');
    void this.connect();
  }

  private startSchedules(): void {
    this.generation++;
    // Every group reads at once (values right after connecting), then on its own phase.
    this.groups.forEach((g, i) => {
      this.startSchedule(g, i);
    });
  }

  private startSchedule(g: GroupRuntime, index: number): void {
    if (g.readable.tags.length === 0) return;
    if (this.driver?.polls?.(g.config) === false) return;
    g.schedule = new GroupSchedule(
      g.config.intervalMs,
      () => this.readGroup(g),
      (total) => this.onOverrun(g, total),
    );
    g.schedule.start(0, readPhase(this.name, index, this.groups.length, g.config.intervalMs));
  }

  private stopSchedules(): void {
    this.generation++;
    for (const g of this.groups) {
      g.schedule?.stop();
      g.schedule = undefined;
    }
  }

  private onOverrun(g: GroupRuntime, total: number): void {
    this.counters.overruns++;
    const now = Date.now();
    if (now - this.lastOverrunLog > 60_000) {
      this.lastOverrunLog = now;
      this.log.warn(
        { group: g.config.name, overruns: total, intervalMs: g.config.intervalMs },
        'poll overrun: a read took longer than the group interval; reads are skipped, not queued',
      );
    }
  }

  private async readGroup(g: GroupRuntime): Promise<void> {
    const driver = this.driver;
    if (!driver) return;
    const generation = this.generation;
    const started = performance.now();
    let values: TagValue[];
    try {
      values = await driver.read(g.readable);
    } catch (err) {
      // Drivers report device errors per tag; a throw here is a driver bug, contained to this read.
      this.log.error({ err: errorMessage(err), group: g.config.name }, 'read failed');
      values = g.readable.tags.map(() => badValue('internal', Date.now()));
    }
    // A group replaced or removed while its read was in flight: that read is not delivered.
    if (this.stopped || this.driver !== driver || this.generation !== generation || !this.groups.includes(g)) return;
    this.counters.reads++;
    this.counters.lastReadMs = performance.now() - started;
    reportRead(this.bus, this.name, this.counters.lastReadMs, values);
    if (this.log.isLevelEnabled('debug')) {
      const bad = values.filter((v) => v.quality === 'bad').map((v) => v.error);
      this.log.debug({ group: g.config.name, ms: Math.round(this.counters.lastReadMs), bad }, 'group read');
    }
    this.trackTimeouts(values);
    // A connection that gave a good value has proven itself: the next outage starts with a short wait.
    if (this.backoff.attempts > 0 && values.some((v) => v.quality !== 'bad')) this.backoff.reset();
    this.deliver(g, values, false);
  }

  /** Values a driver delivers itself (`DriverContext.deliver`), while connected. */
  private deliverPushed(
    groupName: string,
    values: ReadonlyArray<TagValue | undefined>,
    options: { force?: boolean } | undefined,
  ): void {
    if (this.stopped || this.state.state !== 'connected') return;
    const group = this.groups.find((g) => g.config.name === groupName);
    if (!group) return;
    this.counters.reads++;
    this.deliver(group, values, options?.force === true);
  }

  /** Reports the device disconnected while every tag times out, connected again on the first answer. */
  private trackTimeouts(values: TagValue[]): void {
    const allTimedOut = values.length > 0 && values.every((v) => v.error === 'timeout');
    if (allTimedOut) {
      this.counters.readErrors++;
      this.consecutiveTimeouts++;
      // A unit that stopped answering is backed off like a lost connection, so that on a
      // shared line it does not eat the time of the units that still answer.
      if (this.consecutiveTimeouts === TIMEOUTS_BEFORE_DISCONNECTED) this.onConnectionLost('timeout');
    } else {
      this.consecutiveTimeouts = 0;
    }
  }

  /** `values[i]` for the group's i-th readable tag; a hole leaves that tag out of this reading. */
  private deliver(g: GroupRuntime, values: ReadonlyArray<TagValue | undefined>, force: boolean, only?: number): void {
    const now = Date.now();
    const items: ReadingItem[] = [];
    const tags = g.readable.tags;
    for (let i = 0; i < tags.length; i++) {
      const tag = tags[i] as TagConfig;
      if (only !== undefined && i !== only) {
        // A write's read-back carries the rest of the group as it stands, unpublished,
        // so that a group message stays whole.
        const current = g.current[i];
        if (current) items.push({ tag, topic: g.topics[i] as string, value: current, publish: false });
        continue;
      }
      const value = values[only !== undefined ? 0 : i];
      if (!value) continue;
      if (value.quality === 'bad') this.counters.tagErrors++;
      g.current[i] = value;
      const publish = shouldPublish(g.published[i] as PublishedState, value, g.config, tag, now) || force;
      items.push({ tag, topic: g.topics[i] as string, value, publish });
    }
    const reading: GroupReading = { device: this.name, group: g.config.name, timestamp: now, items };
    this.bus.emitReading(reading);
  }

  private publishAllBad(error: string): void {
    // One value shared by every tag: each tag keeps it as its current value while the device
    // is down (100k tags: 5 MB as separate objects). Frozen: nothing may change it for one tag.
    const bad = Object.freeze(badValue(error, Date.now()));
    for (const g of this.groups) {
      if (g.readable.tags.length === 0) continue;
      this.deliver(
        g,
        g.readable.tags.map(() => bad),
        false,
      );
    }
  }

  private setState(state: DeviceStateName, error?: string): void {
    if (this.state.state === state && this.state.error === error) return;
    this.state = error ? { state, timestamp: Date.now(), error } : { state, timestamp: Date.now() };
    this.bus.emitState(this.name, this.state);
  }

  findTag(tagName: string): { group: GroupRuntime; tag: TagConfig } | undefined {
    for (const group of this.groups) {
      const tag = group.config.tags.find((t) => t.name === tagName);
      if (tag) return { group, tag };
    }
    return undefined;
  }

  /** Writes one tag, then reads it back and publishes the new value (SPEC §4). */
  async write(tagName: string, value: unknown): Promise<void> {
    const found = this.findTag(tagName);
    if (!found) throw new GatewayError('unknown-tag', `device "${this.name}" has no tag "${tagName}"`);
    if (found.tag.access === 'read') {
      throw new GatewayError('read-only', `tag "${tagName}" is read-only (access: read)`);
    }
    if (!this.config.enabled) throw new GatewayError('device-disabled', `device "${this.name}" is disabled`);
    const driver = this.driver;
    if (!driver || this.state.state === 'connecting' || this.state.state === 'disconnected') {
      throw new GatewayError('not-connected', `device "${this.name}" is ${this.state.state}`);
    }
    this.counters.writes++;
    try {
      await driver.write(found.tag, value);
    } catch (err) {
      this.counters.writeErrors++;
      throw err;
    }
    const index = found.group.readable.tags.indexOf(found.tag);
    if (index < 0) return;
    const [readBack] = await driver.read({ ...found.group.readable, tags: [found.tag] });
    if (readBack && this.driver === driver) this.deliver(found.group, [readBack], true, index);
  }

  /** Browses the device's address space (drivers that have one, e.g. OPC UA). */
  async browse(nodeId?: string): Promise<BrowseEntry[]> {
    const driver = this.connectedDriver();
    if (!driver.browse) throw new GatewayError('not-supported', `driver ${this.config.driver} cannot browse`);
    return driver.browse(nodeId);
  }

  /** Decode lab: raw registers at an address in every type and byte order. */
  async inspect(address: string): Promise<InspectResult> {
    const driver = this.connectedDriver();
    if (!driver.inspect) throw new GatewayError('not-supported', `driver ${this.config.driver} has no decode lab`);
    return driver.inspect(address);
  }

  /** Reads one address once, outside the schedule ("test read"). */
  async readOnce(address: string, type?: TagConfig['type']): Promise<TagValue & { dataType?: string }> {
    const driver = this.connectedDriver();
    if (driver.readOnce) return driver.readOnce(address, type);
    const tag = { name: '_test', address, type, access: 'read', scale: 1, offset: 0, deadband: 0 } as TagConfig;
    const check = this.manifest.checkTag(tag, this.config.settings);
    if (check.errors.length > 0) {
      // An address the driver cannot parse is named as such, not as a bad value:
      // "address: hr:99999: register number must be 0..65535".
      const addressOnly = check.errors.every((e) => e.startsWith('address: '));
      throw new GatewayError(addressOnly ? 'invalid-address' : 'invalid-value', check.errors.join('; '));
    }
    const [value] = await driver.read({
      name: '_test',
      intervalMs: 1000,
      publish: 'always',
      heartbeatMs: 0,
      tags: [{ ...tag, ...check.defaults }],
    });
    if (!value) throw new GatewayError('internal', 'no value');
    return value;
  }

  private connectedDriver(): Driver {
    const driver = this.driver;
    if (!driver || this.state.state !== 'connected') {
      throw new GatewayError('not-connected', `device "${this.name}" is ${this.state.state}`);
    }
    return driver;
  }

  /** Latest value of every readable tag (for the API and a north app's first publish). */
  snapshot(): Array<{ group: string; tag: TagConfig; topic: string; value: TagValue }> {
    const out: Array<{ group: string; tag: TagConfig; topic: string; value: TagValue }> = [];
    for (const g of this.groups) {
      g.readable.tags.forEach((tag, i) => {
        const value = g.current[i];
        if (value) out.push({ group: g.config.name, tag, topic: g.topics[i] as string, value });
      });
    }
    return out;
  }

  status(): DeviceStatusPayload {
    return {
      name: this.name,
      driver: this.config.driver,
      ...(this.config.model !== undefined ? { model: this.config.model } : {}),
      ...this.state,
      ...(this.nextRetryAt !== undefined ? { nextRetryAt: this.nextRetryAt } : {}),
      counters: { ...this.counters },
      link: this.driver?.stats?.(),
      groups: this.groups.map((g) => ({
        name: g.config.name,
        intervalMs: g.config.intervalMs,
        tags: g.config.tags.length,
        overruns: g.schedule?.overruns ?? 0,
      })),
    };
  }
}
