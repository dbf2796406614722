import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { AuditEntry } from '../audit-types.js';
import type { Bus, GroupReading, ReadingItem } from '../bus.js';
import type { AlarmConfig, Config, TagConfig } from '../config/schema.js';
import { runningDevices } from '../config/validate.js';
import { GatewayError } from '../errors.js';
import { compileExpression } from '../expression/index.js';
import type { Db } from '../store/db.js';
import { deviceTopic, joinTopic, tagTopic } from '../uns.js';
import { Alarm, type AlarmChangeKind, type AlarmMemory } from './alarm.js';
import { type AlarmHistoryFilter, AlarmStore, MAX_ALARM_TEXT } from './alarm-store.js';
import type { AlarmDefinition, AlarmHistoryEntry, AlarmStatus } from './alarm-types.js';
import { type AlarmClock, systemClock } from './clock.js';
import { limitCondition } from './condition.js';
import { expressionValue, type ReferenceValues, whenCondition } from './when-condition.js';

/** The UI's copy of the definition type must stay the schema's: this fails to compile when they part. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const definitionMatchesSchema: Same<AlarmConfig, AlarmDefinition> = true;
void definitionMatchesSchema;

/** Told of every change of an alarm (state, acknowledgement, quality). */
export type AlarmListener = (alarm: AlarmStatus, kind: AlarmChangeKind) => void;

/** Who acknowledges, through what and from where (history and audit trail). */
export interface AckOrigin {
  source: string;
  user: string;
  address?: string | undefined;
}

export interface AlarmServiceOptions {
  db: Db;
  log: Logger;
  clock?: AlarmClock | undefined;
  audit?: ((entry: AuditEntry) => void) | undefined;
}

/** What a reading of one tag touches: its own alarms, and `when` alarms that refer to it. */
interface TagWatch {
  alarms: Alarm[];
  /** `device/tag`, when some `when` alarm refers to this tag. */
  reference?: string;
  dependents?: Alarm[];
}

/** The `_alarm` topic level: `{tag topic}/_alarm/{alarm}`. */
export const ALARM_LEVEL = '_alarm';
export const ACK_SUFFIX = '/_ack';

/** Stable across restarts and configuration changes, safe in a URL path. */
export function alarmId(device: string, tag: string, alarm: string): string {
  return createHash('sha256').update(`${device}\n${tag}\n${alarm}`).digest('hex').slice(0, 16);
}

function clip(text: string): string {
  return text.length > MAX_ALARM_TEXT ? text.slice(0, MAX_ALARM_TEXT) : text;
}

/**
 * Every alarm of the configuration: evaluated on each reading of its tag from the bus, kept in
 * SQLite across restarts, with a bounded history, and acknowledged through the API or a north app.
 */
export class AlarmService {
  private byTag = new Map<TagConfig, TagWatch>();
  /** Latest values of the tags `when` alarms refer to (kept across configuration changes). */
  private readonly references: ReferenceValues = new Map();
  private byId = new Map<string, Alarm>();
  private listeners: AlarmListener[] = [];
  private readonly store: AlarmStore;
  /** States kept before this start; taken by the first configuration. */
  private stored: Map<string, AlarmMemory> | undefined;
  private readonly clock: AlarmClock;
  /** The acknowledgement being recorded (its origin and comment go to the history). */
  private acking: AckOrigin | undefined;

  constructor(private readonly opts: AlarmServiceOptions) {
    this.store = new AlarmStore(opts.db);
    this.stored = this.store.loadStates();
    this.clock = opts.clock ?? systemClock;
  }

  /** Listens to the bus for readings of tags with alarms; returns the unsubscribe function. */
  attach(bus: Bus): () => void {
    return bus.subscribe({ reading: (r) => this.onReading(r) });
  }

  /** Hot path: one map lookup per tag read, alarm work only for tags that have alarms. */
  private onReading(reading: GroupReading): void {
    const byTag = this.byTag;
    if (byTag.size === 0) return;
    const items = reading.items;
    for (let i = 0; i < items.length; i++) {
      const item = items[i] as ReadingItem;
      const watch = byTag.get(item.tag);
      if (watch === undefined) continue;
      if (watch.reference !== undefined) this.references.set(watch.reference, expressionValue(item.value));
      const alarms = watch.alarms;
      for (let k = 0; k < alarms.length; k++) (alarms[k] as Alarm).update(item.value);
      const dependents = watch.dependents;
      if (dependents !== undefined) for (let k = 0; k < dependents.length; k++) (dependents[k] as Alarm).reevaluate();
    }
  }

  /**
   * Takes a (new) configuration: alarms that stay keep their state, new ones start normal (or
   * with the state kept before a restart), removed ones are forgotten.
   */
  configure(config: Config): void {
    const previous = this.byId;
    const byTag = new Map<TagConfig, TagWatch>();
    const byId = new Map<string, Alarm>();
    const tagsByReference = new Map<string, TagConfig>();
    const devices = runningDevices(config);
    for (const device of devices) {
      for (const group of device.groups)
        for (const tag of group.tags) tagsByReference.set(`${device.name}/${tag.name}`, tag);
    }
    const watch = (tag: TagConfig): TagWatch => {
      let w = byTag.get(tag);
      if (!w) {
        w = { alarms: [] };
        byTag.set(tag, w);
      }
      return w;
    };
    for (const device of devices) {
      const topic = deviceTopic(config.gateway, device);
      for (const group of device.groups) {
        for (const tag of group.tags) {
          for (const def of tag.alarms ?? []) {
            const built = this.build(device.name, topic, tag, def);
            if (!built) continue;
            const { alarm, references } = built;
            const before = previous.get(alarm.id) ?? this.stored?.get(alarm.id);
            if (before) alarm.restore(before);
            const old = previous.get(alarm.id);
            if (old) alarm.quality = old.quality;
            watch(tag).alarms.push(alarm);
            for (const ref of references) {
              const referenced = tagsByReference.get(ref);
              if (!referenced) continue;
              const w = watch(referenced);
              w.reference = ref;
              if (w.dependents) w.dependents.push(alarm);
              else w.dependents = [alarm];
            }
            byId.set(alarm.id, alarm);
          }
        }
      }
    }
    for (const old of previous.values()) old.dispose();
    this.byTag = byTag;
    this.byId = byId;
    this.stored = undefined;
    this.store.keepOnly(new Set(byId.keys()));
  }

  private build(device: string, devTopic: string, tag: TagConfig, def: AlarmConfig) {
    let condition = limitCondition(def);
    let references: readonly string[] = [];
    if (!condition && def.when !== undefined) {
      try {
        const expression = compileExpression(def.when);
        condition = whenCondition(expression, this.references);
        references = expression.references;
      } catch (err) {
        // Validation refuses such a configuration; one that got here anyway is left out, said once.
        this.opts.log.error({ device, tag: tag.name, alarm: def.name, err: String(err) }, 'alarm condition refused');
      }
    }
    if (!condition) return undefined;
    const id = alarmId(device, tag.name, def.name);
    const topic = joinTopic(tagTopic(devTopic, tag.name), ALARM_LEVEL, def.name);
    const alarm = new Alarm({ id, device, tag, topic }, def, condition, this.clock, (a, kind) => this.changed(a, kind));
    return { alarm, references };
  }

  private changed(alarm: Alarm, kind: AlarmChangeKind): void {
    const { device, tag } = alarm.identity;
    if (kind !== 'quality') {
      const ack = kind === 'ack' ? this.acking : undefined;
      this.store.record({ id: alarm.id, device, tag: tag.name, alarm: alarm.def.name }, alarm, {
        at: alarm.timestamp,
        kind,
        severity: alarm.def.severity,
        message: alarm.message,
        value: alarm.value,
        user: ack?.user,
        source: ack?.source,
        comment: ack ? alarm.ackComment : undefined,
      });
      this.opts.log.info(
        { device, tag: tag.name, alarm: alarm.def.name, severity: alarm.def.severity, by: ack?.user },
        kind === 'ack' ? 'alarm acknowledged' : kind === 'active' ? 'alarm active' : 'alarm back to normal',
      );
    }
    if (this.listeners.length === 0) return;
    const status = alarm.status();
    for (const listener of this.listeners) {
      try {
        listener(status, kind);
      } catch (err) {
        this.opts.log.error({ err: String(err) }, 'an alarm listener failed');
      }
    }
  }

  subscribe(listener: AlarmListener): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /** Every configured alarm now, or (`standing`) only those active or not yet acknowledged. */
  list(opts: { standing?: boolean; devices?: (device: string) => boolean } = {}): AlarmStatus[] {
    const out: AlarmStatus[] = [];
    for (const alarm of this.byId.values()) {
      if (opts.standing && !alarm.standing) continue;
      if (opts.devices && !opts.devices(alarm.identity.device)) continue;
      out.push(alarm.status());
    }
    return out;
  }

  get(id: string): AlarmStatus | undefined {
    return this.byId.get(id)?.status();
  }

  /**
   * Acknowledges one alarm; an alarm with nothing to acknowledge is left as it is. Throws
   * GatewayError('not-found') for an unknown id.
   */
  ack(id: string, comment: string, origin: AckOrigin): { alarm: AlarmStatus; changed: boolean } {
    const alarm = this.byId.get(id);
    const who = { ...origin, user: clip(origin.user) };
    if (!alarm) {
      this.opts.audit?.({ kind: 'ack', action: `ack alarm ${id}`, ok: false, error: 'not-found', ...who });
      throw new GatewayError('not-found', `no alarm with id "${id}"`);
    }
    this.acking = who;
    let changed: boolean;
    try {
      changed = alarm.ack(who.user, clip(comment));
    } finally {
      this.acking = undefined;
    }
    if (changed) {
      const { device, tag } = alarm.identity;
      this.opts.audit?.({
        kind: 'ack',
        action: `ack alarm ${device}/${tag.name}/${alarm.def.name}`,
        ok: true,
        ...who,
        ...(comment ? { value: clip(comment) } : {}),
      });
    }
    return { alarm: alarm.status(), changed };
  }

  history(filter: AlarmHistoryFilter): AlarmHistoryEntry[] {
    return this.store.history(filter);
  }

  /** Stops on-delay timers. */
  stop(): void {
    for (const alarm of this.byId.values()) alarm.dispose();
  }
}
