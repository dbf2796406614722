import { randomBytes } from 'node:crypto';
import type { AlarmStatus } from '../../core/alarms/alarm-types.js';
import type { DeviceState, DeviceStateName, GroupReading } from '../../core/bus.js';
import type { DeviceConfig } from '../../core/config/schema.js';
import type { NorthContext } from '../../core/plugin.js';
import type { SpoolRow, SpoolStore } from '../../core/store/spool-store.js';
import type { TagValue } from '../../core/values.js';
import { type Publisher, SpoolPump } from '../spool-pump.js';
import { AliasTable } from './aliases.js';
import { alarmMetricValues, buildCatalog, deviceTags, hasAllValues, metricKeys, metricSignature } from './catalog.js';
import { encodePayload, type ReceivedMetric, type SpbMetric, type SpbPayload } from './codec.js';
import { decodeRecord, encodeRecord } from './data-record.js';
import { inferType } from './datatypes.js';
import { birthMetric, dataMetric, devicePayload, type MetricDef, NODE_METRICS, nodeBirthPayload } from './payloads.js';
import { SeqCounter } from './seq.js';
import type { SparkplugTopics } from './topics.js';

/** How long a device that just connected may take to deliver its first values before its DBIRTH goes out anyway. */
export const BIRTH_HOLD_MS = 2000;
/** How long the backlog waits after the births for devices that are still connecting. */
export const BACKLOG_HOLD_MS = 5000;

type Phase = 'dead' | 'pending' | 'born';

interface DeviceEntry {
  config: DeviceConfig;
  state: DeviceStateName;
  /** In the current Sparkplug session: dead (no DBIRTH, or DDEATH sent), pending (waiting for values), born. */
  phase: Phase;
  /** Which DBIRTH the device is under; data read under another one is history. */
  epoch: string;
  catalog: Map<string, MetricDef>;
  signature: string;
  holdTimer?: NodeJS.Timeout;
  /** While pending after the device (re)connected: the tags read (not bad) since. Older values are from before. */
  seen?: Set<string>;
  /** BIRTH_HOLD_MS passed while pending. */
  holdExpired?: boolean;
  rebirthQueued?: boolean;
}

export interface EdgeNodeOptions {
  ctx: Pick<NorthContext, 'devices' | 'snapshot' | 'log' | 'version' | 'alarms'>;
  topics: SparkplugTopics;
  spool: SpoolStore;
  dataQos: 0 | 1;
  /** Every record on disk before it is sent (`buffer.alwaysToDisk`). */
  alwaysToDisk?: boolean;
}

/**
 * The Sparkplug session of the edge node and its devices, independent of how the MQTT
 * connection comes and goes: births, deaths, data by exception through the disk spool,
 * rebirth, aliases and seq. `begin` starts a session on a connected client (after the
 * primary host is online), `end` closes it; data read in between is spooled and sent
 * afterwards as history.
 */
export class EdgeNode {
  readonly aliases = new AliasTable();
  readonly seq = new SeqCounter();
  readonly pump: SpoolPump;
  /** `published` counts births and deaths; data is counted by the pump when acknowledged. */
  readonly counters = { births: 0, deaths: 0, rebirths: 0, published: 0 };
  private readonly devices = new Map<string, DeviceEntry>();
  private publisher: Publisher | undefined;
  private bdSeq = 0;
  /** Epochs are unique per process run, so that a record spooled by an earlier run is never taken for live. */
  private readonly run = randomBytes(4).toString('hex');
  private epochs = 0;
  private backlogTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: EdgeNodeOptions) {
    this.pump = new SpoolPump(opts.spool, (row) => this.render(row), { alwaysToDisk: opts.alwaysToDisk ?? false });
    this.aliases.assign(Object.values(NODE_METRICS).map((metric) => ({ metric })));
    this.syncDevices();
  }

  /** True between `begin` and `end`: NBIRTH sent on the current connection. */
  get live(): boolean {
    return this.publisher !== undefined;
  }

  /** Starts a session on a connected client whose will carries `bdSeq`: NBIRTH, then DBIRTHs, then the backlog. */
  begin(publisher: Publisher, bdSeq: number): void {
    this.publisher = publisher;
    this.bdSeq = bdSeq;
    for (const d of this.opts.ctx.devices()) {
      const entry = this.devices.get(d.config.name);
      if (entry) entry.state = d.state.state;
    }
    this.births();
    this.backlogTimer = setTimeout(() => this.startBacklog(), BACKLOG_HOLD_MS);
    this.maybeStartBacklog();
  }

  /** The connection is gone (or the primary host went offline): everything is dead until the next `begin`. */
  end(): void {
    this.publisher = undefined;
    this.pump.stop();
    if (this.backlogTimer) clearTimeout(this.backlogTimer);
    this.backlogTimer = undefined;
    for (const entry of this.devices.values()) this.forget(entry);
  }

  /** NCMD Node Control/Rebirth: NBIRTH (seq 0, same bdSeq) and every DBIRTH again. */
  rebirth(): void {
    if (!this.live) return;
    this.counters.rebirths++;
    this.births();
  }

  onReading(reading: GroupReading): void {
    const entry = this.devices.get(reading.device);
    if (!entry) return;
    if (entry.phase === 'pending') {
      // The values are in the snapshot the DBIRTH is built from.
      for (const item of reading.items) if (item.value.quality !== 'bad') entry.seen?.add(item.tag.name);
      if (this.readyToBeBorn(entry)) this.deviceBirth(entry);
      return;
    }
    // A device that is down has its DDEATH; its bad readings add nothing.
    if (entry.state !== 'connected') return;
    const items = reading.items.filter((i) => i.publish);
    if (items.length === 0) return;
    let epoch: string;
    if (!this.live) epoch = '';
    else if (entry.phase === 'born') epoch = entry.epoch;
    else return; // about to be born: the DBIRTH will carry these values
    const topic = this.opts.topics.device('DDATA', entry.config.name);
    const payload = encodeRecord({
      device: entry.config.name,
      epoch,
      values: items.map((i) => ({ tag: i.tag.name, value: i.value })),
    });
    this.pump.enqueue({ topic, payload, qos: 1, retain: false });
  }

  /** An alarm changed: its `active` and `acked` metrics go out as DDATA (a DBIRTH carries them anyway). */
  onAlarm(alarm: AlarmStatus): void {
    const entry = this.devices.get(alarm.device);
    if (!entry || entry.phase === 'pending' || entry.state !== 'connected') return;
    let epoch: string;
    if (!this.live) epoch = '';
    else if (entry.phase === 'born') epoch = entry.epoch;
    else return;
    const payload = encodeRecord({
      device: entry.config.name,
      epoch,
      values: alarmMetricValues(alarm).map(([tag, value]) => ({ tag, value })),
    });
    this.pump.enqueue({ topic: this.opts.topics.device('DDATA', entry.config.name), payload, qos: 1, retain: false });
  }

  onDeviceState(device: string, state: DeviceState): void {
    const entry = this.devices.get(device);
    if (!entry) return;
    entry.state = state.state;
    if (!this.live) return;
    if (state.state === 'connected') {
      // Back from an outage its snapshot still holds the bad values of the outage: wait for fresh reads.
      if (entry.phase === 'dead') this.requestBirth(entry, true);
    } else {
      this.deviceDeath(entry);
    }
    this.maybeStartBacklog();
  }

  /** Devices were added, removed or reconfigured: DDEATH for the removed, DDEATH + DBIRTH for the changed. */
  devicesChanged(): void {
    const before = new Map([...this.devices].map(([name, entry]) => [name, { entry, signature: entry.signature }]));
    this.syncDevices();
    if (!this.live) return;
    for (const [name, { entry }] of before) {
      if (!this.devices.has(name)) this.deviceDeath(entry);
    }
    for (const [name, entry] of this.devices) {
      if (before.get(name)?.signature === entry.signature) continue;
      if (entry.phase !== 'dead') this.deviceDeath(entry);
      if (entry.state === 'connected') this.requestBirth(entry);
    }
    this.maybeStartBacklog();
  }

  /** The tag a DCMD metric addresses, by name or by alias; undefined when the device has no such metric. */
  commandTarget(device: string, metric: ReceivedMetric): string | undefined {
    const entry = this.devices.get(device);
    if (!entry) return undefined;
    // Alarm metrics are the gateway's, not tags: a DCMD to one addresses nothing.
    const isTag = (name: string) => deviceTags(entry.config).some((t) => t.name === name);
    if (metric.name !== undefined) return isTag(metric.name) ? metric.name : undefined;
    if (metric.alias === undefined) return undefined;
    const key = this.aliases.lookup(metric.alias);
    return key?.device === device && isTag(key.metric) ? key.metric : undefined;
  }

  /** True for an NCMD metric asking for a rebirth. */
  isRebirthRequest(metric: ReceivedMetric): boolean {
    const byName = metric.name === NODE_METRICS.rebirth;
    const byAlias = metric.name === undefined && metric.alias === this.aliases.get({ metric: NODE_METRICS.rebirth });
    return (byName || byAlias) && metric.value === true;
  }

  /** Entries follow the app's devices; states come from the core (a changed device may have a new runner). */
  private syncDevices(): void {
    const next = this.opts.ctx.devices();
    const names = new Set(next.map((d) => d.config.name));
    for (const [name, entry] of this.devices) {
      if (!names.has(name)) {
        this.clearHold(entry);
        this.devices.delete(name);
      }
    }
    for (const d of next) {
      this.aliases.assign(metricKeys(d.config));
      const entry = this.devices.get(d.config.name);
      const signature = metricSignature(d.config);
      if (entry) {
        entry.config = d.config;
        entry.state = d.state.state;
        entry.signature = signature;
      } else {
        this.devices.set(d.config.name, {
          config: d.config,
          state: d.state.state,
          phase: 'dead',
          epoch: '',
          catalog: new Map(),
          signature,
        });
      }
    }
  }

  private births(): void {
    for (const entry of this.devices.values()) this.forget(entry);
    this.seq.reset();
    const nbirth = nodeBirthPayload(
      {
        bdSeq: this.bdSeq,
        version: this.opts.ctx.version,
        aliases: {
          bdSeq: this.nodeAlias('bdSeq'),
          rebirth: this.nodeAlias('rebirth'),
          software: this.nodeAlias('software'),
          version: this.nodeAlias('version'),
        },
      },
      Date.now(),
    );
    this.seq.next(); // NBIRTH is seq 0
    this.send(this.opts.topics.node('NBIRTH'), nbirth);
    this.counters.births++;
    this.opts.ctx.log.info({ bdSeq: this.bdSeq }, 'NBIRTH');
    for (const entry of this.devices.values()) {
      if (entry.state === 'connected') this.requestBirth(entry);
    }
  }

  private nodeAlias(key: keyof typeof NODE_METRICS): number {
    const alias = this.aliases.get({ metric: NODE_METRICS[key] });
    if (alias === undefined) throw new Error(`node metric ${NODE_METRICS[key]} has no alias`);
    return alias;
  }

  /**
   * DBIRTH now when every tag has a value, else once they have (or BIRTH_HOLD_MS passed).
   * `fresh`: only values read from now on count (the device just connected).
   */
  private requestBirth(entry: DeviceEntry, fresh = false): void {
    entry.seen = fresh ? new Set() : undefined;
    entry.holdExpired = false;
    if (this.readyToBeBorn(entry)) {
      this.deviceBirth(entry);
      return;
    }
    entry.phase = 'pending';
    this.clearHold(entry);
    entry.holdTimer = setTimeout(() => {
      entry.holdTimer = undefined;
      entry.holdExpired = true;
      if (entry.phase === 'pending' && this.live && this.readyToBeBorn(entry)) this.deviceBirth(entry);
    }, BIRTH_HOLD_MS);
  }

  /**
   * Every readable tag has a value; after BIRTH_HOLD_MS, some do. A device that came back
   * connected but answers nothing (a silent unit behind a live TCP link) is not born.
   */
  private readyToBeBorn(entry: DeviceEntry): boolean {
    const seen = entry.seen;
    if (!seen) return entry.holdExpired === true || hasAllValues(entry.config, this.values(entry.config.name));
    if (entry.holdExpired && seen.size > 0) return true;
    return deviceTags(entry.config).every((t) => t.access === 'write' || seen.has(t.name));
  }

  private deviceBirth(entry: DeviceEntry): void {
    this.clearHold(entry);
    entry.seen = undefined;
    const values = this.values(entry.config.name);
    entry.catalog = buildCatalog(entry.config, this.aliases, values);
    entry.epoch = `${this.run}.${++this.epochs}`;
    entry.phase = 'born';
    const now = Date.now();
    const metrics: SpbMetric[] = [...entry.catalog.values()].map((def) => birthMetric(def, values.get(def.name), now));
    this.send(this.opts.topics.device('DBIRTH', entry.config.name), devicePayload(this.seq.next(), metrics, now));
    this.counters.births++;
    this.opts.ctx.log.debug({ device: entry.config.name, metrics: metrics.length }, 'DBIRTH');
    this.maybeStartBacklog();
  }

  private deviceDeath(entry: DeviceEntry): void {
    if (entry.phase === 'born') {
      // Data read before the device went down goes out before its DDEATH.
      this.pump.drain();
      this.send(this.opts.topics.device('DDEATH', entry.config.name), devicePayload(this.seq.next(), [], Date.now()));
      this.counters.deaths++;
      this.opts.ctx.log.debug({ device: entry.config.name, state: entry.state }, 'DDEATH');
    }
    this.forget(entry);
  }

  private forget(entry: DeviceEntry): void {
    this.clearHold(entry);
    entry.phase = 'dead';
  }

  private clearHold(entry: DeviceEntry): void {
    if (entry.holdTimer) clearTimeout(entry.holdTimer);
    entry.holdTimer = undefined;
  }

  /** A device whose datatype was guessed from a value got a value of another type: it is born again. */
  private queueDeviceRebirth(entry: DeviceEntry): void {
    if (entry.rebirthQueued) return;
    entry.rebirthQueued = true;
    setImmediate(() => {
      entry.rebirthQueued = false;
      if (!this.live || entry.phase !== 'born') return;
      this.deviceDeath(entry);
      this.requestBirth(entry);
    });
  }

  /**
   * The backlog (data spooled while there was no session) follows the births. Devices still
   * connecting get a moment to be born, or their spooled data would have no DBIRTH to refer to.
   */
  private maybeStartBacklog(): void {
    if (!this.live || this.pump.active || this.backlogTimer === undefined) return;
    const waiting = [...this.devices.values()].some(
      (e) => e.phase === 'pending' || (e.state === 'connecting' && e.config.enabled),
    );
    if (!waiting) this.startBacklog();
  }

  private startBacklog(): void {
    if (this.backlogTimer) clearTimeout(this.backlogTimer);
    this.backlogTimer = undefined;
    if (this.publisher) this.pump.start(this.publisher);
  }

  /** A spooled record as the DDATA to send now. */
  private render(row: SpoolRow): { topic: string; payload: Buffer; qos: 0 | 1 } | undefined {
    const record = decodeRecord(row.payload);
    const entry = record ? this.devices.get(record.device) : undefined;
    // Without a DBIRTH in this session the host cannot resolve the aliases: dropped (and counted).
    if (!record || !entry || entry.phase !== 'born') {
      this.opts.ctx.log.debug({ device: record?.device }, 'spooled data of a device without DBIRTH dropped');
      return undefined;
    }
    const historical = record.epoch !== entry.epoch;
    const metrics: SpbMetric[] = [];
    for (const { tag, value } of record.values) {
      const def = entry.catalog.get(tag);
      if (!def) continue;
      if (def.inferred && this.typeChanged(def, value)) {
        this.queueDeviceRebirth(entry);
        continue;
      }
      metrics.push(dataMetric(def, value, historical));
    }
    if (metrics.length === 0) return undefined;
    const payload = encodePayload(devicePayload(this.seq.next(), metrics, Date.now()));
    return { topic: this.opts.topics.device('DDATA', entry.config.name), payload, qos: this.opts.dataQos };
  }

  private typeChanged(def: MetricDef, value: TagValue): boolean {
    const type = inferType(value.value);
    return type !== undefined && type !== def.type;
  }

  private values(device: string): Map<string, TagValue> {
    const values = new Map<string, TagValue>();
    for (const s of this.opts.ctx.snapshot()) if (s.device === device) values.set(s.tag.name, s.value);
    for (const alarm of this.opts.ctx.alarms.current()) {
      if (alarm.device === device) for (const [name, value] of alarmMetricValues(alarm)) values.set(name, value);
    }
    return values;
  }

  /** Births and deaths: state, sent straight away at QoS 0 (Sparkplug 3.0 §4.2), never spooled. */
  private send(topic: string, payload: SpbPayload): void {
    const publisher = this.publisher;
    if (!publisher?.connected) return;
    publisher.publish(topic, encodePayload(payload), { qos: 0, retain: false });
    this.counters.published++;
  }
}
