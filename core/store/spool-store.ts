import type { Db } from './db.js';

export interface SpoolMessage {
  topic: string;
  payload: string | Buffer;
  qos: 1 | 2;
  retain: boolean;
}

/** A spooled message with its id; the payload as stored (from disk) or as queued (from memory). */
export interface SpoolRow {
  id: number;
  topic: string;
  payload: string | Buffer;
  qos: 1 | 2;
  retain: boolean;
}

export interface SpoolLimits {
  maxMessages: number;
  maxBytes: number;
  maxAgeSeconds: number;
}

export interface SpoolStats {
  messages: number;
  bytes: number;
  dropped: number;
  oldestAgeMs: number;
}

interface RawRow {
  id: number;
  topic: string;
  payload: Buffer;
  qos: 1 | 2;
  retain: number;
}

/** Rows per INSERT statement: one statement per row costs more than SQLite's own work. */
const ROWS_PER_INSERT = 32;
const INSERT_COLUMNS = 'INSERT INTO spool (app, topic, payload, qos, retain, created_at) VALUES ';
// The payload is bound as text and stored as a BLOB by SQLite, without a Buffer copy in JS.
const INSERT_ROW = '(?, ?, CAST(? AS BLOB), ?, ?, ?)';
const VALUES_PER_ROW = 6;

function bindRow(values: unknown[], row: number, app: string, m: SpoolMessage, now: number): void {
  const o = row * VALUES_PER_ROW;
  values[o] = app;
  values[o + 1] = m.topic;
  values[o + 2] = m.payload;
  values[o + 3] = m.qos;
  values[o + 4] = m.retain ? 1 : 0;
  values[o + 5] = now;
}

/**
 * One north app's messages on disk (SQLite, WAL) from before they are handed to the
 * MQTT client until the broker acknowledges them. Bounded by count, bytes and age:
 * past a limit the oldest are dropped and counted.
 */
export class SpoolStore {
  private count: number;
  private size: number;
  private droppedCount = 0;
  private readonly insertOne;
  private readonly insertMany;
  /** Parameter arrays reused by every insert. */
  private readonly oneRow: unknown[] = new Array(VALUES_PER_ROW);
  private readonly manyRows: unknown[] = new Array(ROWS_PER_INSERT * VALUES_PER_ROW);
  private readonly selectAfter;
  private readonly rangeTotals;
  private readonly deleteRange;
  private readonly nthOldest;
  private readonly deleteOlderThan;
  private readonly oldest;

  constructor(
    private readonly db: Db,
    readonly app: string,
    private readonly limits: SpoolLimits,
  ) {
    const totals = db
      .prepare('SELECT COUNT(*) AS n, COALESCE(SUM(LENGTH(payload)), 0) AS b FROM spool WHERE app = ?')
      .get(app) as { n: number; b: number };
    this.count = totals.n;
    this.size = totals.b;
    this.insertOne = db.prepare(INSERT_COLUMNS + INSERT_ROW);
    this.insertMany = db.prepare(INSERT_COLUMNS + Array(ROWS_PER_INSERT).fill(INSERT_ROW).join(', '));
    this.selectAfter = db.prepare(
      'SELECT id, topic, payload, qos, retain FROM spool WHERE app = ? AND id > ? ORDER BY id LIMIT ?',
    );
    this.rangeTotals = db.prepare(
      'SELECT COUNT(*) AS n, COALESCE(SUM(LENGTH(payload)), 0) AS b FROM spool WHERE app = ? AND id BETWEEN ? AND ?',
    );
    this.deleteRange = db.prepare('DELETE FROM spool WHERE app = ? AND id BETWEEN ? AND ?');
    this.nthOldest = db.prepare('SELECT id FROM spool WHERE app = ? ORDER BY id LIMIT 1 OFFSET ?');
    this.deleteOlderThan = db.prepare(
      'DELETE FROM spool WHERE app = ? AND created_at < ? RETURNING LENGTH(payload) AS b',
    );
    this.oldest = db.prepare('SELECT MIN(created_at) AS t FROM spool WHERE app = ?');
  }

  /** Messages dropped by the limits so far (a change tells a reader its copies may be gone). */
  get dropped(): number {
    return this.droppedCount;
  }

  /**
   * Stores messages durably (one transaction), then enforces the limits. Returns the id of
   * the first: the others follow it one by one (one writer, inside one transaction).
   */
  append(messages: readonly SpoolMessage[]): number {
    return this.write(messages, []);
  }

  /** Deletes acknowledged messages (one transaction). */
  ack(ids: readonly number[]): void {
    this.write([], ids);
  }

  /**
   * Both in one transaction — one commit instead of two: deletes the acknowledged ids, stores
   * the messages, enforces the limits. Returns the first new id as `append` does (0 if none).
   */
  write(messages: readonly SpoolMessage[], ackedIds: readonly number[]): number {
    if (messages.length === 0 && ackedIds.length === 0) return 0;
    let firstId = 0;
    this.db.transaction(() => {
      if (ackedIds.length > 0) this.deleteIds(ackedIds);
      if (messages.length > 0) {
        firstId = this.insert(messages);
        this.enforceCountAndBytes();
      }
    })();
    return firstId;
  }

  private insert(messages: readonly SpoolMessage[]): number {
    const now = Date.now();
    let firstId = 0;
    let i = 0;
    const whole = messages.length - (messages.length % ROWS_PER_INSERT);
    for (; i < whole; i += ROWS_PER_INSERT) {
      for (let j = 0; j < ROWS_PER_INSERT; j++) bindRow(this.manyRows, j, this.app, messages[i + j]!, now);
      const last = Number(this.insertMany.run(this.manyRows).lastInsertRowid);
      if (i === 0) firstId = last - ROWS_PER_INSERT + 1;
    }
    for (; i < messages.length; i++) {
      bindRow(this.oneRow, 0, this.app, messages[i]!, now);
      const id = Number(this.insertOne.run(this.oneRow).lastInsertRowid);
      if (i === 0) firstId = id;
    }
    this.count += messages.length;
    for (const m of messages)
      this.size += typeof m.payload === 'string' ? Buffer.byteLength(m.payload) : m.payload.length;
    return firstId;
  }

  private enforceCountAndBytes(): void {
    const { maxMessages, maxBytes } = this.limits;
    while (this.count > maxMessages || this.size > maxBytes) {
      const excess = Math.max(this.count - maxMessages, this.size > maxBytes ? Math.ceil(this.count / 10) : 0, 1);
      // The `excess` oldest are every id up to the excess-th oldest (all of them if fewer).
      const last = this.nthOldest.get(this.app, excess - 1) as { id: number } | undefined;
      const before = this.count;
      this.forgetRange(0, last?.id ?? Number.MAX_SAFE_INTEGER);
      if (this.count === before) break;
      this.droppedCount += before - this.count;
    }
  }

  /** Drops messages older than maxAgeSeconds; returns how many. */
  expire(now = Date.now()): number {
    if (this.limits.maxAgeSeconds <= 0 || this.count === 0) return 0;
    const removed = this.deleteOlderThan.all(this.app, now - this.limits.maxAgeSeconds * 1000) as Array<{
      b: number;
    }>;
    this.forget(removed);
    this.droppedCount += removed.length;
    return removed.length;
  }

  /** Up to `limit` messages after id `afterId`, oldest first. */
  next(afterId: number, limit: number): SpoolRow[] {
    return (this.selectAfter.all(this.app, afterId, limit) as RawRow[]).map((r) => ({
      id: r.id,
      topic: r.topic,
      payload: r.payload,
      qos: r.qos,
      retain: r.retain === 1,
    }));
  }

  /** One DELETE per run of consecutive ids. */
  private deleteIds(ids: readonly number[]): void {
    const sorted = [...ids].sort((a, b) => a - b);
    let start = sorted[0] as number;
    let end = start;
    for (let i = 1; i <= sorted.length; i++) {
      const id = sorted[i];
      if (id === end + 1 || id === end) {
        end = id;
        continue;
      }
      this.forgetRange(start, end);
      if (id !== undefined) start = end = id;
    }
  }

  /**
   * Deletes ids start..end. Their count and bytes come from one aggregate query instead of
   * RETURNING a row object per message (a quarter of the spool's cost per message).
   */
  private forgetRange(start: number, end: number): void {
    const totals = this.rangeTotals.get(this.app, start, end) as { n: number; b: number };
    if (totals.n === 0) return;
    this.deleteRange.run(this.app, start, end);
    this.count -= totals.n;
    this.size -= totals.b;
  }

  private forget(removed: Array<{ b: number }>): void {
    for (const r of removed) {
      this.count--;
      this.size -= r.b;
    }
  }

  stats(now = Date.now()): SpoolStats {
    const t = this.count > 0 ? (this.oldest.get(this.app) as { t: number | null }).t : null;
    return { messages: this.count, bytes: this.size, dropped: this.droppedCount, oldestAgeMs: t ? now - t : 0 };
  }
}

/** Hands a north app's undelivered messages to its new name (the app is renamed, not replaced). */
export function moveSpool(db: Db, from: string, to: string): number {
  return db.prepare('UPDATE spool SET app = ? WHERE app = ?').run(to, from).changes;
}
