import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { clipForLog } from '../../core/log-clip.js';
import type { AuditLog } from '../../core/store/audit.js';
import type { Db } from '../../core/store/db.js';
import { createSession, deleteSession, SESSION_TTL_MS, userForToken } from '../../core/store/sessions.js';
import { authenticate, stillCurrent, type User } from '../../core/store/users.js';
import { auditRequest } from './audit-request.js';
import { sendError, sendRateLimited } from './errors.js';
import type { LoginLimiter } from './login-limiter.js';
import { routeDocs } from './route-docs.js';

export const SESSION_COOKIE = 'tagwire_session';
/** Largest login request: a name and a password fit many times over; more is an attack on the log. */
export const LOGIN_BODY_LIMIT = 4 * 1024;

declare module 'fastify' {
  interface FastifyRequest {
    user?: User;
    /** The session or API token this request came with (to keep it when the others end). */
    authToken?: string;
  }
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Reachable without a login (the UI's static files, health). */
    public?: boolean;
  }
}

function originHost(origin: string | undefined): string | undefined {
  if (!origin) return undefined;
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

function readCookie(req: FastifyRequest, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

/** Routes reachable without a login; decided on the matched route, never on the raw URL. */
const PUBLIC_ROUTES = new Set(['/healthz', '/api/v1/auth/login']);

/**
 * Login (`POST /api/v1/auth/login`), bearer tokens and the session cookie. Every route
 * but /healthz and the login needs a user. A cookie-authenticated request that changes
 * something must come from the UI's own origin (CSRF).
 */
export function registerAuth(app: FastifyInstance, db: Db, limiter: LoginLimiter, audit: AuditLog): void {
  app.addHook('onRequest', async (req, reply) => {
    // Decided on the matched route pattern (never the raw URL, which may be percent-encoded):
    // the API and metrics need a user; the UI's static files and unknown paths do not.
    const route = req.routeOptions.url;
    if (route === undefined || !(route.startsWith('/api/') || route === '/metrics')) return;
    if (PUBLIC_ROUTES.has(route) || req.routeOptions.config.public === true) return;
    const bearer = req.headers.authorization?.match(/^Bearer\s+(.+)$/i)?.[1];
    const cookie = bearer ? undefined : readCookie(req, SESSION_COOKIE);
    const user = bearer || cookie ? userForToken(db, (bearer ?? cookie) as string) : undefined;
    if (!user) return sendError(reply, 401, 'unauthorized', 'log in first (POST /api/v1/auth/login)');
    if (cookie && req.method !== 'GET' && req.method !== 'HEAD') {
      if (originHost(req.headers.origin) !== req.headers.host) {
        return sendError(reply, 403, 'csrf', 'cross-site request refused');
      }
    }
    req.user = user;
    req.authToken = (bearer ?? cookie) as string;
  });

  app.post<{ Body: { username?: unknown; password?: unknown } }>(
    '/api/v1/auth/login',
    {
      bodyLimit: LOGIN_BODY_LIMIT,
      schema: routeDocs('Auth', 'Log in: a token for "Authorization: Bearer …" and a session cookie', {
        security: [],
        documentedBody: Type.Object({ username: Type.String(), password: Type.String() }),
      }),
    },
    async (req, reply) => {
      const { username, password } = req.body ?? {};
      if (typeof username !== 'string' || typeof password !== 'string') {
        return sendError(reply, 400, 'invalid-request', 'send {"username": "…", "password": "…"}');
      }
      // Counted before the slow hash: parallel guesses see each other.
      const attempt = limiter.begin(req.ip, username);
      if (!('keys' in attempt)) {
        auditRequest(audit, req, { kind: 'login', action: 'login', ok: false, user: username, error: 'rate-limited' });
        return sendRateLimited(reply, attempt.retryAfterSeconds, 'failed logins');
      }
      const checked = await authenticate(db, username, password);
      // The password may have been reset (or the user deleted) while it was being checked.
      const user = checked && stillCurrent(db, checked) ? checked : undefined;
      if (!user) {
        req.log.warn({ username: clipForLog(username), ip: req.ip }, 'failed login');
        auditRequest(audit, req, {
          kind: 'login',
          action: 'login',
          ok: false,
          user: username,
          error: 'invalid-credentials',
        });
        return sendError(reply, 401, 'invalid-credentials', 'wrong user name or password');
      }
      limiter.succeeded(attempt);
      auditRequest(audit, req, { kind: 'login', action: 'login', ok: true, user: user.username });
      const token = createSession(db, user.id);
      const secure = req.protocol === 'https' ? '; Secure' : '';
      reply.header(
        'set-cookie',
        `${SESSION_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${SESSION_TTL_MS / 1000}${secure}`,
      );
      return { token, user: { username: user.username, role: user.role } };
    },
  );

  app.post('/api/v1/auth/logout', { schema: routeDocs('Auth', 'Log out (ends this session)') }, async (req, reply) => {
    const token = req.headers.authorization?.match(/^Bearer\s+(.+)$/i)?.[1] ?? readCookie(req, SESSION_COOKIE);
    if (token) deleteSession(db, token);
    reply.header('set-cookie', `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`);
    return { ok: true };
  });
}

/**
 * Roles: `viewer` reads, `operator` also writes tag values and restarts devices,
 * `admin` also changes the configuration and manages users. Returns false (and
 * answers 403) when the logged-in user may not do this.
 */
export function allow(req: FastifyRequest, reply: FastifyReply, roles: Array<User['role']>): boolean {
  if (req.user && roles.includes(req.user.role)) return true;
  void sendError(reply, 403, 'forbidden', `this needs the role ${roles.join(' or ')}`);
  return false;
}
