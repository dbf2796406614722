import { chmodSync, copyFileSync, existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { GatewayError } from '../../core/errors.js';
import { resolveDataDir } from '../../core/paths.js';
import { type BackupInfo, dropBackupTables, readBackupInfo } from '../../core/store/backup-format.js';
import { DB_FILE, ensureDataDir, migrate } from '../../core/store/db.js';
import { unpackDirectory } from '../../core/store/file-table.js';

/** A restore goes onto a fresh data directory only: it never mixes with or overwrites a live one. */
function refuseNonEmpty(dataDir: string): void {
  const db = join(dataDir, DB_FILE);
  const pki = join(dataDir, 'pki');
  const used = [db, `${db}-wal`].filter((f) => existsSync(f));
  if (existsSync(pki) && readdirSync(pki).length > 0) used.push(pki);
  if (used.length > 0) {
    throw new GatewayError(
      'invalid-value',
      `${dataDir} is not empty (${used.join(', ')}); restore needs an empty data directory: stop tagwire and move the old one away first`,
    );
  }
}

/** Opens FILE read-only and checks that it is a backup this tagwire can take. */
function checkBackup(file: string): BackupInfo {
  if (!existsSync(file)) throw new GatewayError('not-found', `${file} does not exist`);
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    return readBackupInfo(db, file);
  } catch (err) {
    if (err instanceof GatewayError) throw err;
    throw new GatewayError('invalid-value', `${file} is not a tagwire backup (${(err as Error).message})`);
  } finally {
    db?.close();
  }
}

/**
 * `tagwire restore FILE`: checks the backup, migrates it when it comes from an older
 * tagwire, writes the certificate files with their modes and finally the database, so
 * that a data directory with a tagwire.db is always complete.
 */
export function restoreCommand(file: string, opts: { data?: string }): void {
  const source = resolve(file);
  const dataDir = resolveDataDir(opts.data);
  refuseNonEmpty(dataDir);
  const info = checkBackup(source);
  ensureDataDir(dataDir);
  const dbFile = join(dataDir, DB_FILE);
  const staging = `${dbFile}.restoring`;
  copyFileSync(source, staging);
  try {
    const db = new Database(staging);
    let files: number;
    try {
      migrate(db);
      files = unpackDirectory(db, join(dataDir, 'pki'));
      dropBackupTables(db);
      db.exec('VACUUM');
      db.pragma('journal_mode = WAL');
    } finally {
      db.close();
    }
    chmodSync(staging, 0o600);
    renameSync(staging, dbFile);
    const made = new Date(info.createdAt).toISOString();
    process.stdout.write(
      `restored ${source} (tagwire ${info.version}, ${made}) into ${dataDir}: database and ${files} certificate files\n`,
    );
  } catch (err) {
    rmSync(staging, { force: true });
    // The certificate folder was empty or absent before (refuseNonEmpty): leave it so again.
    rmSync(join(dataDir, 'pki'), { recursive: true, force: true });
    throw err;
  }
}
