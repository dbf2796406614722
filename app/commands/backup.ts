import { chmodSync, existsSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { GatewayError } from '../../core/errors.js';
import { resolveDataDir } from '../../core/paths.js';
import { hasTable, writeBackupInfo } from '../../core/store/backup-format.js';
import { DB_FILE, type Db, schemaVersion } from '../../core/store/db.js';
import { createFileTable, packDirectory } from '../../core/store/file-table.js';
import { migrations } from '../../core/store/migrations.js';

export interface BackupOptions {
  data?: string;
  withSpool?: boolean;
}

function count(db: Db, table: string): number {
  return hasTable(db, table) ? (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n : 0;
}

/** Login sessions and (unless asked for) the spool are removed; the rest stays as it was. */
function prepareCopy(copy: Db, dataDir: string, withSpool: boolean, schema: number): number {
  copy.pragma('journal_mode = DELETE'); // one self-contained file, no -wal beside it
  copy.transaction(() => {
    // Login sessions are short-lived secrets; API tokens are kept (integrations rely on them).
    if (hasTable(copy, 'sessions')) copy.prepare("DELETE FROM sessions WHERE kind = 'session'").run();
    if (!withSpool && hasTable(copy, 'spool')) copy.prepare('DELETE FROM spool').run();
    writeBackupInfo(copy, { createdAt: Date.now(), schemaVersion: schema, withSpool });
    createFileTable(copy);
  })();
  const pki = join(dataDir, 'pki');
  const files = existsSync(pki) ? packDirectory(copy, pki) : 0;
  // Deleted rows linger in free pages until the file is rebuilt.
  copy.exec('VACUUM');
  return files;
}

/**
 * `tagwire backup FILE`: a consistent snapshot of the data directory, safe while the
 * gateway runs (SQLite's online backup), written to FILE (mode 0600) in one go.
 */
export async function backupCommand(file: string, opts: BackupOptions): Promise<void> {
  const dataDir = resolveDataDir(opts.data);
  const dbFile = join(dataDir, DB_FILE);
  if (!existsSync(dbFile)) throw new GatewayError('not-found', `no tagwire database in ${dataDir} (${DB_FILE})`);
  const target = resolve(file);
  const partial = `${target}.partial`;
  rmSync(partial, { force: true });

  // Not openDb(): a backup must never migrate the database of a gateway that is running.
  const source = new Database(dbFile, { fileMustExist: true });
  let schema: number;
  try {
    source.pragma('busy_timeout = 5000');
    schema = schemaVersion(source);
    if (schema > migrations.length) {
      throw new GatewayError('invalid-value', `${dbFile} has schema ${schema}, newer than this tagwire knows`);
    }
    await source.backup(partial);
  } finally {
    source.close();
  }

  try {
    const copy = new Database(partial);
    let summary: string;
    try {
      const files = prepareCopy(copy, dataDir, opts.withSpool === true, schema);
      const spooled = opts.withSpool ? `, ${count(copy, 'spool')} spooled messages` : '';
      summary = `${count(copy, 'devices')} devices, ${count(copy, 'north_apps')} north apps, ${count(copy, 'users')} users, ${files} certificate files${spooled}`;
    } finally {
      copy.close();
    }
    // It holds password hashes and private keys.
    chmodSync(partial, 0o600);
    renameSync(partial, target);
    process.stdout.write(`backup of ${dataDir} written to ${target}: ${summary}\n`);
  } catch (err) {
    rmSync(partial, { force: true });
    throw err;
  }
}
