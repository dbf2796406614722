import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIRST_ADMIN, INITIAL_PASSWORD_FILE } from './first-start.js';
import type { Db } from './store/db.js';
import { authenticate } from './store/users.js';

/**
 * Whether `username` is the first admin still logging in with the password generated on the
 * first start (its file is in the data directory and still works): the UI then asks for a
 * password of their own. A password from TAGWIRE_ADMIN_PASSWORD is the operator's choice.
 */
export async function mustChangePassword(db: Db, dataDir: string, username: string | undefined): Promise<boolean> {
  if (username !== FIRST_ADMIN) return false;
  let generated: string;
  try {
    generated = readFileSync(join(dataDir, INITIAL_PASSWORD_FILE), 'utf8').trim();
  } catch {
    return false;
  }
  return generated !== '' && (await authenticate(db, username, generated)) !== undefined;
}
