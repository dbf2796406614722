import type { Config } from '../config/schema.js';
import type { Db } from './db.js';

/** Entries kept; older ones are deleted when a new one is recorded. */
const KEEP = 200;

export interface HistoryEntry {
  id: number;
  appliedAt: number;
  user: string | null;
  /** How it was applied: `api`, `rollback`, `import`, `start --config`, `first start`. */
  source: string;
}

/** Records an applied configuration (call right after it is stored). */
export function recordConfig(db: Db, config: Config, source: string, user?: string): number {
  const id = Number(
    db
      .prepare('INSERT INTO config_history (applied_at, username, source, config) VALUES (?, ?, ?, ?)')
      .run(Date.now(), user ?? null, source, JSON.stringify(config)).lastInsertRowid,
  );
  db.prepare('DELETE FROM config_history WHERE id <= ?').run(id - KEEP);
  return id;
}

export function listHistory(db: Db): HistoryEntry[] {
  return (
    db.prepare('SELECT id, applied_at, username, source FROM config_history ORDER BY id DESC').all() as Array<{
      id: number;
      applied_at: number;
      username: string | null;
      source: string;
    }>
  ).map((r) => ({ id: r.id, appliedAt: r.applied_at, user: r.username, source: r.source }));
}

export function historyConfig(db: Db, id: number): unknown {
  const row = db.prepare('SELECT config FROM config_history WHERE id = ?').get(id) as { config: string } | undefined;
  return row ? JSON.parse(row.config) : undefined;
}
