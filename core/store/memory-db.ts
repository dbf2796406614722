import Database from 'better-sqlite3';
import { type Db, migrate } from './db.js';

/** A migrated in-memory database, for runtimes without a data directory (tests, tools). */
export function openMemoryDb(): Db {
  const db = new Database(':memory:');
  migrate(db);
  return db;
}
