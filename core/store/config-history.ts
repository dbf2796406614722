import { summarizeChange } from '../config/change-summary.js';
import type { Config } from '../config/schema.js';
import type { Db } from './db.js';

/** Entries kept; older ones are deleted when a new one is recorded. */
const KEEP = 200;

export interface HistoryEntry {
  id: number;
  appliedAt: number;
  user: string | null;
  /** How it was applied: `api`, `ui`, `api: add device tank`, `rollback to #8`, `import plant.yaml`, `first start`. */
  source: string;
  /** What it changed against the entry before it: `add device tank, edit tag press2/ramp` ('' for old entries). */
  summary: string;
  /** One line for people: how and what, e.g. `ui: edit tag press2/ramp`, `rollback to #8: delete north app x`. */
  description: string;
}

/**
 * A route that names its change precisely (`api: add device tank`) is shown as it is;
 * a bare channel (`api`, `ui`, `rollback to #8`, `import plant.yaml`) gets the summary after it.
 */
export function describeEntry(source: string, summary: string): string {
  if (!summary || source.includes(': ')) return source;
  return `${source}: ${summary}`;
}

function latestConfig(db: Db): unknown {
  const row = db.prepare('SELECT config FROM config_history ORDER BY id DESC LIMIT 1').get() as
    | { config: string }
    | undefined;
  return row ? JSON.parse(row.config) : undefined;
}

/** Records an applied configuration (call right after it is stored), with what it changed. */
export function recordConfig(db: Db, config: Config, source: string, user?: string): number {
  const summary = summarizeChange(latestConfig(db), config);
  const id = Number(
    db
      .prepare('INSERT INTO config_history (applied_at, username, source, summary, config) VALUES (?, ?, ?, ?, ?)')
      .run(Date.now(), user ?? null, source, summary, JSON.stringify(config)).lastInsertRowid,
  );
  db.prepare('DELETE FROM config_history WHERE id <= ?').run(id - KEEP);
  return id;
}

export function listHistory(db: Db): HistoryEntry[] {
  return (
    db.prepare('SELECT id, applied_at, username, source, summary FROM config_history ORDER BY id DESC').all() as Array<{
      id: number;
      applied_at: number;
      username: string | null;
      source: string;
      summary: string;
    }>
  ).map((r) => ({
    id: r.id,
    appliedAt: r.applied_at,
    user: r.username,
    source: r.source,
    summary: r.summary,
    description: describeEntry(r.source, r.summary),
  }));
}

export function historyConfig(db: Db, id: number): unknown {
  const row = db.prepare('SELECT config FROM config_history WHERE id = ?').get(id) as { config: string } | undefined;
  return row ? JSON.parse(row.config) : undefined;
}

/** The id of the entry recorded just before `id` (undefined for the oldest kept). */
export function previousEntryId(db: Db, id: number): number | undefined {
  const row = db.prepare('SELECT id FROM config_history WHERE id < ? ORDER BY id DESC LIMIT 1').get(id) as
    | { id: number }
    | undefined;
  return row?.id;
}
