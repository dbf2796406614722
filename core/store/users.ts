import { hashIsCurrent, hashPassword, verifyPassword } from '../auth/password.js';
import type { Db } from './db.js';

export type Role = 'admin' | 'operator' | 'viewer';

export interface User {
  id: number;
  username: string;
  role: Role;
}

export const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/;
export const MIN_PASSWORD_LENGTH = 8;

export function countUsers(db: Db): number {
  return (db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n;
}

export function findUser(db: Db, username: string): User | undefined {
  return db.prepare('SELECT id, username, role FROM users WHERE username = ?').get(username) as User | undefined;
}

export function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new Error(`password: must be at least ${MIN_PASSWORD_LENGTH} characters`);
  }
}

/** Creates the user, or sets the password of an existing one. */
export async function setPassword(db: Db, username: string, password: string, role: Role = 'admin'): Promise<void> {
  if (!USERNAME_PATTERN.test(username)) throw new Error(`username: "${username}" is not a valid user name`);
  checkPassword(password);
  const hash = await hashPassword(password);
  const now = Date.now();
  db.prepare(
    `INSERT INTO users (username, password_hash, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT(username) DO UPDATE SET password_hash = excluded.password_hash, updated_at = excluded.updated_at`,
  ).run(username, hash, role, now, now);
}

/** Sets a new password of an existing user only (never creates one); false when there is no such user. */
export async function changePassword(db: Db, username: string, password: string): Promise<boolean> {
  checkPassword(password);
  const hash = await hashPassword(password);
  return (
    db.prepare('UPDATE users SET password_hash = ?, updated_at = ? WHERE username = ?').run(hash, Date.now(), username)
      .changes > 0
  );
}

/**
 * The user when the password matches, else undefined (same time either way is not promised).
 * `passwordHash` is the hash it was checked against: see `stillCurrent`.
 */
export async function authenticate(
  db: Db,
  username: string,
  password: string,
): Promise<(User & { passwordHash: string }) | undefined> {
  const row = db.prepare('SELECT id, username, role, password_hash FROM users WHERE username = ?').get(username) as
    | (User & { password_hash: string })
    | undefined;
  if (!row) return undefined;
  if (!(await verifyPassword(password, row.password_hash))) return undefined;
  const passwordHash = hashIsCurrent(row.password_hash)
    ? row.password_hash
    : await rehash(db, row.id, row.password_hash, password);
  return { id: row.id, username: row.username, role: row.role, passwordHash };
}

/**
 * The password hashed again with today's parameters, stored unless the hash changed meanwhile
 * (a reset during the check wins, and `stillCurrent` then refuses the login). Returns the hash
 * the user has now.
 */
async function rehash(db: Db, id: number, checked: string, password: string): Promise<string> {
  const hash = await hashPassword(password);
  const stored = db
    .prepare('UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?')
    .run(hash, id, checked).changes;
  return stored > 0 ? hash : checked;
}

/**
 * Whether the user still exists with the password hash a login was checked against: checking
 * takes a while, and a password reset or deletion meanwhile must not let the old password in.
 * Call it with no `await` between it and creating the session.
 */
export function stillCurrent(db: Db, user: { id: number; passwordHash: string }): boolean {
  const row = db.prepare('SELECT password_hash FROM users WHERE id = ?').get(user.id) as
    | { password_hash: string }
    | undefined;
  return row?.password_hash === user.passwordHash;
}

export function listUsers(db: Db): Array<User & { createdAt: number }> {
  return (
    db.prepare('SELECT id, username, role, created_at FROM users ORDER BY username').all() as Array<
      User & { created_at: number }
    >
  ).map((u) => ({ id: u.id, username: u.username, role: u.role, createdAt: u.created_at }));
}

export function deleteUser(db: Db, username: string): boolean {
  return db.prepare('DELETE FROM users WHERE username = ?').run(username).changes > 0;
}

export function setRole(db: Db, username: string, role: Role): boolean {
  return (
    db.prepare('UPDATE users SET role = ?, updated_at = ? WHERE username = ?').run(role, Date.now(), username).changes >
    0
  );
}

/** True when the user is an admin and no other admin exists: taking that role away would lock everyone out. */
export function isLastAdmin(db: Db, username: string): boolean {
  const admins = db.prepare("SELECT username FROM users WHERE role = 'admin'").all() as Array<{ username: string }>;
  return admins.length === 1 && admins[0]?.username === username;
}

export const ROLES: readonly Role[] = ['admin', 'operator', 'viewer'];
