import { unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { randomPassword } from './auth/password.js';
import type { Db } from './store/db.js';
import { countUsers, setPassword } from './store/users.js';

export const INITIAL_PASSWORD_FILE = 'initial-admin-password';
/** The user created on the first start, whose generated password the file holds. */
export const FIRST_ADMIN = 'admin';

/**
 * Creates user `admin` on an empty data directory. No shared default password: it is
 * TAGWIRE_ADMIN_PASSWORD, or a random one printed once and saved 0600 in the data dir.
 */
export async function ensureAdmin(db: Db, dataDir: string, log: Logger, envPassword?: string): Promise<void> {
  if (countUsers(db) > 0) return;
  if (envPassword) {
    await setPassword(db, FIRST_ADMIN, envPassword, 'admin');
    log.info('created user "admin" with the password from TAGWIRE_ADMIN_PASSWORD');
    return;
  }
  const password = randomPassword();
  await setPassword(db, FIRST_ADMIN, password, 'admin');
  const file = join(dataDir, INITIAL_PASSWORD_FILE);
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  // Printed once, on purpose: this is the only way the first user learns it besides the file.
  log.warn(`created user "admin" with password: ${password}  (also saved in ${file}; change it after logging in)`);
}

/**
 * Once the first admin's password has changed, the generated one in the data directory no
 * longer works and only invites a reader: the file is deleted. Returns its path when it was.
 */
export function forgetInitialPassword(dataDir: string, username: string): string | undefined {
  if (username !== FIRST_ADMIN) return undefined;
  const file = join(dataDir, INITIAL_PASSWORD_FILE);
  try {
    unlinkSync(file);
    return file;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
