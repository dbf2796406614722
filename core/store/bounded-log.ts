import type { Db } from './db.js';

/**
 * An append-only event table kept within an age and a row count (audit trail, alarm history):
 * rows have an increasing `id` and a time `at` in epoch milliseconds.
 */
export interface BoundedLog {
  table: string;
  keepMs: number;
  keepRows: number;
}

/** Column → wanted value; an undefined value does not filter. */
export type EqualFilters = Record<string, string | number | undefined>;

/** Newest first: rows with `at` in [from, to] and every given column equal, at most `limit` (default 1000). */
export function queryNewestFirst<Row>(
  db: Db,
  log: BoundedLog,
  range: { from?: number | undefined; to?: number | undefined; limit?: number | undefined },
  equal: EqualFilters,
): Row[] {
  const where: string[] = [];
  const args: Array<string | number> = [];
  const add = (clause: string, arg: string | number | undefined) => {
    if (arg === undefined) return;
    where.push(clause);
    args.push(arg);
  };
  add('at >= ?', range.from);
  add('at <= ?', range.to);
  // Column names come from the callers' code, never from a request.
  for (const [column, value] of Object.entries(equal)) add(`${column} = ?`, value);
  const sql = `SELECT * FROM ${log.table} ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY id DESC LIMIT ?`;
  args.push(Math.min(Math.max(1, range.limit ?? 1000), log.keepRows));
  return db.prepare(sql).all(...args) as Row[];
}

/** Drops rows past the age limit and beyond the row limit. */
export function pruneLog(db: Db, log: BoundedLog, now = Date.now()): void {
  db.prepare(`DELETE FROM ${log.table} WHERE at < ?`).run(now - log.keepMs);
  const newest = db.prepare(`SELECT MAX(id) AS id FROM ${log.table}`).get() as { id: number | null };
  if (newest.id !== null) db.prepare(`DELETE FROM ${log.table} WHERE id <= ?`).run(newest.id - log.keepRows);
}
