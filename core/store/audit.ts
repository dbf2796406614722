import { AUDIT_KINDS, type AuditEntry, type AuditKind, type AuditRow } from '../audit-types.js';
import { type BoundedLog, pruneLog, queryNewestFirst } from './bounded-log.js';
import type { Db } from './db.js';

/** Kept this long, and at most this many entries: the oldest go first. */
export const AUDIT_KEEP_MS = 90 * 24 * 3600_000;
export const AUDIT_KEEP_ROWS = 200_000;
const AUDIT_LOG: BoundedLog = { table: 'audit_log', keepMs: AUDIT_KEEP_MS, keepRows: AUDIT_KEEP_ROWS };
/** Pruning runs every this many inserts, not on each one. */
const PRUNE_EVERY = 500;
/** User-supplied text (a value written, a user name tried) is cut to this many characters. */
const MAX_TEXT = 200;

export { AUDIT_KINDS, type AuditEntry, type AuditKind, type AuditRow };

export interface AuditFilter {
  from?: number | undefined;
  to?: number | undefined;
  user?: string | undefined;
  kind?: AuditKind | undefined;
  limit?: number | undefined;
}

function clip(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}… (${text.length} characters)` : text;
}

function valueText(value: unknown): string | null {
  if (value === undefined) return null;
  if (typeof value === 'bigint') return value.toString();
  try {
    return clip(JSON.stringify(value) ?? String(value));
  } catch {
    return clip(String(value));
  }
}

interface Stored {
  id: number;
  at: number;
  kind: AuditKind;
  action: string;
  ok: number;
  username: string | null;
  source: string;
  address: string | null;
  value: string | null;
  error: string | null;
}

/**
 * Who did what, when and from where: logins, configuration changes, writes, acknowledgements,
 * certificate trust and user changes, in SQLite, bounded by age and count.
 */
export class AuditLog {
  private inserts = 0;
  private readonly insert;

  constructor(private readonly db: Db) {
    this.insert = db.prepare(
      `INSERT INTO audit_log (at, kind, action, ok, username, source, address, value, error)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.prune();
  }

  record(entry: AuditEntry, at = Date.now()): void {
    this.insert.run(
      at,
      entry.kind,
      clip(entry.action),
      entry.ok ? 1 : 0,
      entry.user === undefined ? null : clip(entry.user),
      entry.source,
      entry.address ?? null,
      valueText(entry.value),
      entry.error ?? null,
    );
    if (++this.inserts % PRUNE_EVERY === 0) this.prune();
  }

  /** Newest first. */
  query(filter: AuditFilter = {}): AuditRow[] {
    return queryNewestFirst<Stored>(this.db, AUDIT_LOG, filter, { username: filter.user, kind: filter.kind }).map(
      toRow,
    );
  }

  /** Drops entries past the age limit and beyond the row limit. */
  prune(now = Date.now()): void {
    pruneLog(this.db, AUDIT_LOG, now);
  }
}

function toRow(r: Stored): AuditRow {
  const row: AuditRow = { id: r.id, at: r.at, kind: r.kind, action: r.action, ok: r.ok === 1, source: r.source };
  if (r.username !== null) row.user = r.username;
  if (r.address !== null) row.address = r.address;
  if (r.value !== null) row.value = r.value;
  if (r.error !== null) row.error = r.error;
  return row;
}
