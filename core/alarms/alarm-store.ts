import { parseExact, stringifyExact } from '../json.js';
import { type BoundedLog, pruneLog, queryNewestFirst } from '../store/bounded-log.js';
import type { Db } from '../store/db.js';
import type { Value } from '../values.js';
import type { AlarmMemory } from './alarm.js';
import type { AlarmHistoryEntry, AlarmHistoryKind, AlarmSeverityName } from './alarm-types.js';

/** History is kept this long, and at most this many events: the oldest go first. */
export const ALARM_HISTORY_KEEP_MS = 90 * 24 * 3600_000;
export const ALARM_HISTORY_KEEP_ROWS = 100_000;
const ALARM_HISTORY: BoundedLog = {
  table: 'alarm_history',
  keepMs: ALARM_HISTORY_KEEP_MS,
  keepRows: ALARM_HISTORY_KEEP_ROWS,
};
/** Pruning runs every this many inserts, not on each one. */
const PRUNE_EVERY = 500;
/** A comment or a user name from outside is cut to this many characters. */
export const MAX_ALARM_TEXT = 500;

export interface AlarmKey {
  id: string;
  device: string;
  tag: string;
  alarm: string;
}

export interface AlarmHistoryFilter {
  from?: number | undefined;
  to?: number | undefined;
  device?: string | undefined;
  tag?: string | undefined;
  alarm?: string | undefined;
  kind?: AlarmHistoryKind | undefined;
  limit?: number | undefined;
}

export interface HistoryRecord {
  at: number;
  kind: AlarmHistoryKind;
  severity: AlarmSeverityName;
  message: string;
  value: Value;
  user?: string | undefined;
  source?: string | undefined;
  comment?: string | undefined;
}

interface StateRow {
  alarm_id: string;
  state: 'active' | 'normal';
  acked: number;
  active_since: number | null;
  changed_at: number;
  value: string | null;
  message: string;
  acked_by: string | null;
  acked_at: number | null;
  ack_comment: string | null;
}

interface HistoryRow {
  id: number;
  at: number;
  alarm_id: string;
  device: string;
  tag: string;
  alarm: string;
  kind: AlarmHistoryKind;
  severity: AlarmSeverityName;
  message: string;
  value: string | null;
  username: string | null;
  source: string | null;
  comment: string | null;
}

function valueText(value: Value): string | null {
  return value === null ? null : stringifyExact(value);
}

function valueFrom(text: string | null): Value {
  return text === null ? null : (parseExact(text) as Value);
}

/** Alarm state (survives restarts) and history (bounded by age and count) in SQLite. */
export class AlarmStore {
  private inserts = 0;
  private readonly putState;
  private readonly addHistory;

  constructor(private readonly db: Db) {
    this.putState = db.prepare(
      `INSERT OR REPLACE INTO alarm_state (alarm_id, device, tag, alarm, state, acked, active_since, changed_at,
         value, message, acked_by, acked_at, ack_comment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.addHistory = db.prepare(
      `INSERT INTO alarm_history (at, alarm_id, device, tag, alarm, kind, severity, message, value, username,
         source, comment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.prune();
  }

  /** Every kept state, by alarm id. */
  loadStates(): Map<string, AlarmMemory> {
    const states = new Map<string, AlarmMemory>();
    for (const r of this.db.prepare('SELECT * FROM alarm_state').all() as StateRow[]) {
      states.set(r.alarm_id, {
        state: r.state,
        acked: r.acked === 1,
        activeSince: r.active_since ?? undefined,
        timestamp: r.changed_at,
        value: valueFrom(r.value),
        message: r.message,
        ackedBy: r.acked_by ?? undefined,
        ackedAt: r.acked_at ?? undefined,
        ackComment: r.ack_comment ?? undefined,
      });
    }
    return states;
  }

  /** Keeps a state change and its history line in one transaction. */
  record(key: AlarmKey, memory: AlarmMemory, event: HistoryRecord): void {
    this.db.transaction(() => {
      this.saveState(key, memory);
      this.addHistory.run(
        event.at,
        key.id,
        key.device,
        key.tag,
        key.alarm,
        event.kind,
        event.severity,
        event.message,
        valueText(event.value),
        event.user ?? null,
        event.source ?? null,
        event.comment ?? null,
      );
    })();
    if (++this.inserts % PRUNE_EVERY === 0) this.prune();
  }

  private saveState(key: AlarmKey, m: AlarmMemory): void {
    this.putState.run(
      key.id,
      key.device,
      key.tag,
      key.alarm,
      m.state,
      m.acked ? 1 : 0,
      m.activeSince ?? null,
      m.timestamp,
      valueText(m.value),
      m.message,
      m.ackedBy ?? null,
      m.ackedAt ?? null,
      m.ackComment ?? null,
    );
  }

  /** Forgets the state of alarms no longer configured. */
  keepOnly(ids: Set<string>): void {
    const known = this.db.prepare('SELECT alarm_id FROM alarm_state').all() as Array<{ alarm_id: string }>;
    const drop = this.db.prepare('DELETE FROM alarm_state WHERE alarm_id = ?');
    this.db.transaction(() => {
      for (const { alarm_id } of known) if (!ids.has(alarm_id)) drop.run(alarm_id);
    })();
  }

  /** Newest first. */
  history(filter: AlarmHistoryFilter = {}): AlarmHistoryEntry[] {
    const { device, tag, alarm, kind } = filter;
    return queryNewestFirst<HistoryRow>(this.db, ALARM_HISTORY, filter, { device, tag, alarm, kind }).map(toEntry);
  }

  /** Drops events past the age limit and beyond the row limit. */
  prune(now = Date.now()): void {
    pruneLog(this.db, ALARM_HISTORY, now);
  }
}

function toEntry(r: HistoryRow): AlarmHistoryEntry {
  const e: AlarmHistoryEntry = {
    id: r.id,
    at: r.at,
    alarmId: r.alarm_id,
    device: r.device,
    tag: r.tag,
    alarm: r.alarm,
    kind: r.kind,
    severity: r.severity,
    message: r.message,
    value: valueFrom(r.value),
  };
  if (r.username !== null) e.user = r.username;
  if (r.source !== null) e.source = r.source;
  if (r.comment !== null) e.comment = r.comment;
  return e;
}
