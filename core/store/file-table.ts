import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { GatewayError } from '../errors.js';
import type { Db } from './db.js';

/** Files carried inside a backup database: one file, no archive library needed. */
export const FILE_TABLE = 'backup_files';

export function createFileTable(db: Db): void {
  db.exec(`CREATE TABLE ${FILE_TABLE} (path TEXT PRIMARY KEY, mode INTEGER NOT NULL, content BLOB NOT NULL)`);
}

/** Stores every regular file below `dir` (paths relative to it, '/'-separated); returns the count. */
export function packDirectory(db: Db, dir: string): number {
  const insert = db.prepare(`INSERT INTO ${FILE_TABLE} (path, mode, content) VALUES (?, ?, ?)`);
  let count = 0;
  const walk = (current: string): void => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) {
        insert.run(relative(dir, full).split(sep).join('/'), lstatSync(full).mode & 0o777, readFileSync(full));
        count++;
      }
      // Symlinks and other special files are not part of tagwire's data and are left out.
    }
  };
  db.transaction(() => walk(dir))();
  return count;
}

/** The path of a stored file below `dir`, refusing any that would land outside it. */
function safeTarget(dir: string, path: string): string {
  const root = resolve(dir);
  const target = resolve(root, path);
  if (path === '' || isAbsolute(path) || !target.startsWith(root + sep)) {
    throw new GatewayError('invalid-value', `the backup holds a file with an unsafe path: "${path}"`);
  }
  return target;
}

interface FileRow {
  path: string;
  mode: number;
  content: Buffer;
}

/** Writes the stored files below `dir` with their modes; returns the count. */
export function unpackDirectory(db: Db, dir: string): number {
  const rows = db.prepare(`SELECT path, mode, content FROM ${FILE_TABLE} ORDER BY path`).all() as FileRow[];
  // Every path is checked before anything is written.
  const targets = rows.map((row) => safeTarget(dir, row.path));
  rows.forEach((row, i) => {
    const target = targets[i] as string;
    mkdirSync(join(target, '..'), { recursive: true, mode: 0o700 });
    const mode = row.mode & 0o777;
    writeFileSync(target, row.content, { mode, flag: 'wx' });
    // writeFileSync's mode is filtered by the umask; the stored mode is what counts.
    chmodSync(target, mode);
  });
  return rows.length;
}
