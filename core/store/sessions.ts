import { createHash, randomBytes } from 'node:crypto';
import type { Db } from './db.js';
import type { User } from './users.js';

export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

function hash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A new random token for the user; only its hash is stored. */
export function createSession(db: Db, userId: number, ttlMs = SESSION_TTL_MS): string {
  const token = randomBytes(32).toString('base64url');
  const now = Date.now();
  db.prepare('DELETE FROM sessions WHERE expires_at IS NOT NULL AND expires_at < ?').run(now);
  db.prepare('INSERT INTO sessions (token_hash, user_id, kind, created_at, expires_at) VALUES (?, ?, ?, ?, ?)').run(
    hash(token),
    userId,
    'session',
    now,
    now + ttlMs,
  );
  return token;
}

export function userForToken(db: Db, token: string): User | undefined {
  return db
    .prepare(
      `SELECT u.id, u.username, u.role FROM sessions s JOIN users u ON u.id = s.user_id
       WHERE s.token_hash = ? AND (s.expires_at IS NULL OR s.expires_at > ?)`,
    )
    .get(hash(token), Date.now()) as User | undefined;
}

export function deleteSession(db: Db, token: string): void {
  db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(hash(token));
}

export interface ApiToken {
  id: string;
  name: string | null;
  createdAt: number;
}

/** A long-lived API token for scripts (shown once; only its hash is kept). */
export function createApiToken(db: Db, userId: number, name: string): { token: string; id: string } {
  const token = `tw_${randomBytes(32).toString('base64url')}`;
  const tokenHash = hash(token);
  db.prepare(
    'INSERT INTO sessions (token_hash, user_id, kind, name, created_at, expires_at) VALUES (?, ?, ?, ?, ?, NULL)',
  ).run(tokenHash, userId, 'api', name, Date.now());
  return { token, id: tokenHash.slice(0, 12) };
}

export function listApiTokens(db: Db, userId: number): ApiToken[] {
  return (
    db
      .prepare(
        "SELECT token_hash, name, created_at FROM sessions WHERE user_id = ? AND kind = 'api' ORDER BY created_at",
      )
      .all(userId) as Array<{ token_hash: string; name: string | null; created_at: number }>
  ).map((r) => ({ id: r.token_hash.slice(0, 12), name: r.name, createdAt: r.created_at }));
}

/** Deletes the user's API token whose id (hash prefix) matches; false when there is none. */
export function deleteApiToken(db: Db, userId: number, id: string): boolean {
  if (!/^[0-9a-f]{12}$/.test(id)) return false;
  return (
    db
      .prepare("DELETE FROM sessions WHERE user_id = ? AND kind = 'api' AND substr(token_hash, 1, 12) = ?")
      .run(userId, id).changes > 0
  );
}

/**
 * Signs a user out everywhere: every session and API token of theirs stops working, except
 * `keepToken` (the one that made the change, when it was the user themselves). Returns how many.
 */
export function deleteUserSessions(db: Db, userId: number, keepToken?: string): number {
  const kept = keepToken === undefined ? '' : hash(keepToken);
  return db.prepare('DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?').run(userId, kept).changes;
}
