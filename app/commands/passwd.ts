import { forgetInitialPassword } from '../../core/first-start.js';
import { resolveDataDir } from '../../core/paths.js';
import { AuditLog } from '../../core/store/audit.js';
import { openDb } from '../../core/store/db.js';
import { deleteUserSessions } from '../../core/store/sessions.js';
import { checkPassword, findUser, setPassword } from '../../core/store/users.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * `tagwire passwd USER`: the new password is read from standard input (first line). The
 * user's sessions and API tokens end (a running gateway closes their event streams within
 * seconds); the first admin's generated-password file goes once that password changes.
 */
export async function passwdCommand(user: string, opts: { data?: string }): Promise<void> {
  if (process.stdin.isTTY) process.stderr.write(`New password for ${user} (then Enter, Ctrl-D): `);
  const password = (await readStdin()).split(/\r?\n/)[0] ?? '';
  checkPassword(password);
  const dataDir = resolveDataDir(opts.data);
  const db = openDb(dataDir);
  try {
    const existing = findUser(db, user);
    await setPassword(db, user, password, 'admin');
    // Who ran it on the box: the operating-system account, as far as the environment says.
    new AuditLog(db).record({
      kind: 'user',
      action: existing ? `set password of ${user}` : `add user ${user} (admin)`,
      ok: true,
      user: process.env.SUDO_USER ?? process.env.USER,
      source: 'cli',
    });
    if (!existing) {
      process.stdout.write(`user ${user} created (admin)\n`);
      return;
    }
    const ended = deleteUserSessions(db, existing.id);
    process.stdout.write(`password of ${user} changed; ${ended} sessions and API tokens of ${user} ended\n`);
    const file = forgetInitialPassword(dataDir, user);
    if (file) process.stdout.write(`deleted ${file}: the generated first password no longer works\n`);
  } finally {
    db.close();
  }
}
