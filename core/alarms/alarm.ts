import type { AlarmConfig, TagConfig } from '../config/schema.js';
import type { Quality, TagValue, Value } from '../values.js';
import type { AlarmHistoryKind, AlarmPayload, AlarmStatus } from './alarm-types.js';
import type { AlarmClock } from './clock.js';
import { type AlarmCondition, alarmMessage } from './condition.js';

/** What an alarm keeps across a restart. */
export interface AlarmMemory {
  state: 'active' | 'normal';
  acked: boolean;
  activeSince?: number | undefined;
  timestamp: number;
  value: Value;
  message: string;
  ackedBy?: string | undefined;
  ackedAt?: number | undefined;
  ackComment?: string | undefined;
}

/** A change of an alarm: `quality` changes are published but not kept in the history. */
export type AlarmChangeKind = AlarmHistoryKind | 'quality';

export interface AlarmIdentity {
  id: string;
  device: string;
  tag: TagConfig;
  topic: string;
}

/**
 * One alarm's ISA-18.2 state: normal, active unacknowledged, active acknowledged, returned to
 * normal unacknowledged. `update` runs for every reading of the tag, so it allocates nothing
 * unless the state changes.
 */
export class Alarm implements AlarmMemory {
  state: 'active' | 'normal' = 'normal';
  acked = true;
  activeSince: number | undefined;
  timestamp: number;
  value: Value = null;
  message: string;
  ackedBy: string | undefined;
  ackedAt: number | undefined;
  ackComment: string | undefined;
  quality: Quality = 'good';
  /** The latest good value, for an activation when the on-delay ends. */
  private latest: Value = null;
  private pendingTimer: unknown;

  constructor(
    readonly identity: AlarmIdentity,
    readonly def: AlarmConfig,
    private readonly condition: AlarmCondition,
    private readonly clock: AlarmClock,
    private readonly changed: (alarm: Alarm, kind: AlarmChangeKind) => void,
  ) {
    this.timestamp = clock.now();
    this.message = alarmMessage(def, identity.tag, null);
  }

  get id(): string {
    return this.identity.id;
  }

  /** Takes the state kept before a restart: an alarm active then is active now, not raised anew. */
  restore(memory: AlarmMemory): void {
    this.state = memory.state;
    this.acked = memory.acked;
    this.activeSince = memory.activeSince;
    this.timestamp = memory.timestamp;
    this.value = memory.value;
    this.latest = memory.value;
    this.message = memory.message;
    this.ackedBy = memory.ackedBy;
    this.ackedAt = memory.ackedAt;
    this.ackComment = memory.ackComment;
  }

  update(reading: TagValue): void {
    if (reading.quality !== 'good') {
      this.cancelPending();
      if (this.quality !== reading.quality) {
        this.quality = reading.quality;
        this.change('quality', this.value);
      }
      return;
    }
    const qualityBack = this.quality !== 'good';
    this.quality = 'good';
    this.latest = reading.value;
    this.judge(reading.value, qualityBack);
  }

  /** Re-evaluates with the latest good value (a `when` alarm whose inputs changed). */
  reevaluate(): void {
    if (this.quality === 'good') this.judge(this.latest, false);
  }

  private judge(value: Value, qualityBack: boolean): void {
    const holds = this.condition(value, this.state === 'active');
    if (holds === true && this.state === 'normal') {
      if (this.def.delayMs <= 0) {
        this.activate(value);
        return;
      }
      if (this.pendingTimer === undefined) {
        this.pendingTimer = this.clock.setTimeout(() => {
          this.pendingTimer = undefined;
          this.activate(this.latest);
        }, this.def.delayMs);
      }
    } else if (holds === false) {
      this.cancelPending();
      if (this.state === 'active') {
        this.returnToNormal(value);
        return;
      }
    }
    if (qualityBack) this.change('quality', this.value);
  }

  private activate(value: Value): void {
    this.state = 'active';
    this.acked = false;
    this.activeSince = this.clock.now();
    this.ackedBy = undefined;
    this.ackedAt = undefined;
    this.ackComment = undefined;
    this.change('active', value);
  }

  private returnToNormal(value: Value): void {
    this.state = 'normal';
    this.activeSince = undefined;
    this.change('normal', value);
  }

  /** Acknowledges; false when there was nothing to acknowledge. */
  ack(by: string, comment: string): boolean {
    if (this.acked) return false;
    this.acked = true;
    this.ackedBy = by;
    this.ackedAt = this.clock.now();
    this.ackComment = comment;
    this.change('ack', this.value);
    return true;
  }

  private change(kind: AlarmChangeKind, value: Value): void {
    this.timestamp = this.clock.now();
    if (kind !== 'ack' && kind !== 'quality') {
      this.value = value;
      this.message = alarmMessage(this.def, this.identity.tag, value);
    }
    this.changed(this, kind);
  }

  private cancelPending(): void {
    if (this.pendingTimer === undefined) return;
    this.clock.clearTimeout(this.pendingTimer);
    this.pendingTimer = undefined;
  }

  /** Stops the on-delay timer (configuration replaced, gateway stopping). */
  dispose(): void {
    this.cancelPending();
  }

  /** Listed by `GET /api/v1/alarms`: active, or returned to normal and not yet acknowledged. */
  get standing(): boolean {
    return this.state === 'active' || !this.acked;
  }

  payload(): AlarmPayload {
    const p: AlarmPayload = {
      state: this.state,
      acked: this.acked,
      severity: this.def.severity,
      message: this.message,
      value: this.value,
      timestamp: this.timestamp,
    };
    if (this.activeSince !== undefined) p.activeSince = this.activeSince;
    if (this.quality !== 'good') p.quality = this.quality;
    return p;
  }

  status(): AlarmStatus {
    const s: AlarmStatus = {
      id: this.id,
      device: this.identity.device,
      tag: this.identity.tag.name,
      alarm: this.def.name,
      topic: this.identity.topic,
      ...this.payload(),
    };
    if (this.ackedBy !== undefined) s.ackedBy = this.ackedBy;
    if (this.ackedAt !== undefined) s.ackedAt = this.ackedAt;
    if (this.ackComment !== undefined) s.ackComment = this.ackComment;
    return s;
  }
}
