import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { migrations } from './migrations.js';

export type Db = Database.Database;

export const DB_FILE = 'tagwire.db';

const PAGE_CACHE_KIB = 2000;

/**
 * Creates the data directory readable by its owner only (it holds device and broker passwords),
 * whatever the umask. A directory that already exists keeps its mode: it may be one the
 * administrator chose and shares.
 */
export function ensureDataDir(dataDir: string): void {
  const created = mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (created !== undefined) chmodSync(dataDir, 0o700);
}

/**
 * The database and its WAL and shared-memory files are the owner's only (0600), whatever the
 * umask; SQLite gives the -wal and -shm files it creates the mode of the database file.
 */
function restrictDbFiles(file: string): void {
  closeSync(openSync(file, 'a', 0o600));
  for (const path of [file, `${file}-wal`, `${file}-shm`]) {
    if (existsSync(path)) chmodSync(path, 0o600);
  }
}

/** Opens (creating if needed) the data directory's database in WAL mode and migrates it. */
export function openDb(dataDir: string): Db {
  ensureDataDir(dataDir);
  const file = join(dataDir, DB_FILE);
  restrictDbFiles(file);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // SQLite's own default page cache, 2 MB; better-sqlite3 builds it with 16 MB, which a large
  // configuration fills when it is written or read at start and keeps for the life of the
  // process (16 MB at 100k tags). The spool's hot pages are few: it does not need more.
  db.pragma(`cache_size = ${-PAGE_CACHE_KIB}`);
  migrate(db);
  return db;
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Runs every migration past the database's user_version, each in its own transaction. */
export function migrate(db: Db): void {
  const current = schemaVersion(db);
  if (current > migrations.length) {
    throw new Error(
      `the database schema (version ${current}) is newer than this tagwire (version ${migrations.length}); upgrade tagwire`,
    );
  }
  for (let v = current; v < migrations.length; v++) {
    db.transaction(() => {
      db.exec(migrations[v] as string);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
