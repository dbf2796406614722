import type { Db } from './db.js';

export interface SpoolMessage {
  topic: string;
  payload: string | Buffer;
  qos: 1 | 2;
  retain: boolean;
}

export interface SpoolRow {
  id: number;
  topic: string;
  payload: Buffer;
  qos: 1 | 2;
  retain: boolean;
  createdAt: number;
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
  created_at: number;
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
  private readonly insert;
  private readonly selectAfter;
  private readonly deleteOne;
  private readonly deleteOldest;
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
    this.insert = db.prepare(
      'INSERT INTO spool (app, topic, payload, qos, retain, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.selectAfter = db.prepare('SELECT * FROM spool WHERE app = ? AND id > ? ORDER BY id LIMIT ?');
    this.deleteOne = db.prepare('DELETE FROM spool WHERE id = ? RETURNING LENGTH(payload) AS b');
    this.deleteOldest = db.prepare(
      'DELETE FROM spool WHERE id IN (SELECT id FROM spool WHERE app = ? ORDER BY id LIMIT ?) RETURNING LENGTH(payload) AS b',
    );
    this.deleteOlderThan = db.prepare(
      'DELETE FROM spool WHERE app = ? AND created_at < ? RETURNING LENGTH(payload) AS b',
    );
    this.oldest = db.prepare('SELECT MIN(created_at) AS t FROM spool WHERE app = ?');
  }

  /** Stores messages durably (one transaction), then enforces the limits. */
  append(messages: SpoolMessage[]): void {
    if (messages.length === 0) return;
    const now = Date.now();
    this.db.transaction(() => {
      for (const m of messages) {
        const payload = typeof m.payload === 'string' ? Buffer.from(m.payload) : m.payload;
        this.insert.run(this.app, m.topic, payload, m.qos, m.retain ? 1 : 0, now);
        this.count++;
        this.size += payload.length;
      }
      this.enforceCountAndBytes();
    })();
  }

  private enforceCountAndBytes(): void {
    const { maxMessages, maxBytes } = this.limits;
    while (this.count > maxMessages || this.size > maxBytes) {
      const excess = Math.max(this.count - maxMessages, this.size > maxBytes ? Math.ceil(this.count / 10) : 0, 1);
      const removed = this.deleteOldest.all(this.app, excess) as Array<{ b: number }>;
      if (removed.length === 0) break;
      this.forget(removed);
      this.droppedCount += removed.length;
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
      createdAt: r.created_at,
    }));
  }

  /** Deletes acknowledged messages (one transaction). */
  ack(ids: number[]): void {
    if (ids.length === 0) return;
    this.db.transaction(() => {
      for (const id of ids) this.forget(this.deleteOne.all(id) as Array<{ b: number }>);
    })();
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
