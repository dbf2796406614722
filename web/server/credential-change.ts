import type { Logger } from 'pino';
import { forgetInitialPassword } from '../../core/first-start.js';
import type { AuditLog } from '../../core/store/audit.js';
import type { Db } from '../../core/store/db.js';
import { deleteUserSessions } from '../../core/store/sessions.js';
import type { User } from '../../core/store/users.js';
import type { LoginLimiter } from './login-limiter.js';
import type { OpenStreams } from './open-streams.js';

/** What the routes that check or change passwords and roles share. */
export interface AuthDeps {
  db: Db;
  dataDir: string;
  /** Audit lines (password and role changes) at info level, past the HTTP logger's warn. */
  log: Logger;
  limiter: LoginLimiter;
  streams: OpenStreams;
  /** Logins, password, role and token changes go to the audit trail. */
  audit: AuditLog;
}

/**
 * After a user's password or role changed, or the user was deleted: every other session and
 * API token of theirs ends (`keepToken`, the one that made the change, stays), open event
 * streams close, and a changed first-admin password takes the generated-password file with it.
 */
export function credentialsChanged(
  deps: AuthDeps,
  user: Pick<User, 'id' | 'username'>,
  what: 'password' | 'role' | 'deleted',
  by: { username?: string; keepToken?: string },
): void {
  const ended = deleteUserSessions(deps.db, user.id, by.username === user.username ? by.keepToken : undefined);
  deps.streams.recheck();
  deps.log.info(
    { user: user.username, by: by.username, endedSessions: ended },
    what === 'deleted'
      ? `user ${user.username} deleted; their sessions and API tokens ended`
      : `${what} of ${user.username} changed; ${ended} other sessions and API tokens ended`,
  );
  if (what !== 'password') return;
  const file = forgetInitialPassword(deps.dataDir, user.username);
  if (file) deps.log.info(`deleted ${file}: the generated first password no longer works`);
}
