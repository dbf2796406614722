import { resolveDataDir } from '../paths.js';
import { openDb } from '../store/db.js';
import { checkPassword, findUser, setPassword } from '../store/users.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** `tagwire passwd USER`: the new password is read from standard input (first line). */
export async function passwdCommand(user: string, opts: { data?: string }): Promise<void> {
  if (process.stdin.isTTY) process.stderr.write(`New password for ${user} (then Enter, Ctrl-D): `);
  const password = (await readStdin()).split(/\r?\n/)[0] ?? '';
  checkPassword(password);
  const db = openDb(resolveDataDir(opts.data));
  try {
    const existed = findUser(db, user) !== undefined;
    await setPassword(db, user, password, 'admin');
    process.stdout.write(existed ? `password of ${user} changed\n` : `user ${user} created (admin)\n`);
  } finally {
    db.close();
  }
}
