import { GatewayError } from '../errors.js';
import { VERSION } from '../version.js';
import type { Db } from './db.js';
import { FILE_TABLE } from './file-table.js';
import { migrations } from './migrations.js';

/**
 * A tagwire backup is a SQLite database: a snapshot of tagwire.db (login sessions removed,
 * the spool only on request) plus two tables of its own, `backup_info` (what this file is)
 * and `backup_files` (the certificate folder).
 */
export const INFO_TABLE = 'backup_info';
export const BACKUP_FORMAT = 'tagwire-backup-1';

export interface BackupInfo {
  format: string;
  version: string;
  createdAt: number;
  schemaVersion: number;
  withSpool: boolean;
}

export function writeBackupInfo(db: Db, info: Omit<BackupInfo, 'format' | 'version'>): void {
  db.exec(`CREATE TABLE ${INFO_TABLE} (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
  const insert = db.prepare(`INSERT INTO ${INFO_TABLE} (key, value) VALUES (?, ?)`);
  const all: BackupInfo = { format: BACKUP_FORMAT, version: VERSION, ...info };
  for (const [key, value] of Object.entries(all)) insert.run(key, JSON.stringify(value));
}

export function hasTable(db: Db, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

/** Reads and checks what a backup file says about itself; throws a GatewayError a user can act on. */
export function readBackupInfo(db: Db, file: string): BackupInfo {
  if (!hasTable(db, INFO_TABLE) || !hasTable(db, FILE_TABLE)) {
    throw new GatewayError('invalid-value', `${file} is not a tagwire backup (made with "tagwire backup FILE")`);
  }
  const rows = db.prepare(`SELECT key, value FROM ${INFO_TABLE}`).all() as Array<{ key: string; value: string }>;
  const info = Object.fromEntries(rows.map((r) => [r.key, JSON.parse(r.value) as unknown])) as Partial<BackupInfo>;
  if (info.format !== BACKUP_FORMAT) {
    throw new GatewayError(
      'invalid-value',
      `${file} is a backup in a format this tagwire does not know (${String(info.format)})`,
    );
  }
  const schema = db.pragma('user_version', { simple: true }) as number;
  if (schema > migrations.length) {
    throw new GatewayError(
      'invalid-value',
      `${file} was made by tagwire ${String(info.version)} (schema ${schema}); this tagwire ${VERSION} knows schema ${migrations.length} at most: upgrade tagwire first`,
    );
  }
  return info as BackupInfo;
}

export function dropBackupTables(db: Db): void {
  db.exec(`DROP TABLE ${INFO_TABLE}; DROP TABLE ${FILE_TABLE};`);
}
