import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { mustChangePassword } from '../../../core/initial-password.js';
import { createApiToken, deleteApiToken, listApiTokens } from '../../../core/store/sessions.js';
import { authenticate, changePassword, MIN_PASSWORD_LENGTH } from '../../../core/store/users.js';
import { auditRequest } from '../audit-request.js';
import { type AuthDeps, credentialsChanged } from '../credential-change.js';
import { sendError, sendRateLimited } from '../errors.js';
import { pathParams, routeDocs } from '../route-docs.js';

function badRequest(message: string) {
  return { error: { code: 'invalid-request', message, details: [] as string[] } };
}

/** Who am I, my password, my API tokens. (Other users: users.ts.) */
export function registerAccount(app: FastifyInstance, deps: AuthDeps): void {
  const { db, limiter } = deps;
  app.get('/api/v1/auth/me', { schema: routeDocs('Auth', 'The logged-in user and role') }, async (req) => ({
    username: req.user?.username,
    role: req.user?.role,
    // Only while it is so: the first admin still has the generated password.
    ...((await mustChangePassword(db, deps.dataDir, req.user?.username)) ? { mustChangePassword: true } : {}),
  }));

  app.put<{ Body: { currentPassword?: unknown; newPassword?: unknown } }>(
    '/api/v1/auth/password',
    {
      schema: routeDocs('Auth', 'Change your own password', {
        documentedBody: Type.Object({
          currentPassword: Type.String(),
          newPassword: Type.String({ minLength: MIN_PASSWORD_LENGTH }),
        }),
      }),
    },
    async (req, reply) => {
      const { currentPassword, newPassword } = req.body ?? {};
      if (typeof currentPassword !== 'string' || typeof newPassword !== 'string') {
        return reply.code(400).send(badRequest('send {"currentPassword": "…", "newPassword": "…"}'));
      }
      const user = req.user;
      if (!user) return sendError(reply, 401, 'unauthorized', 'log in first');
      if (newPassword.length < MIN_PASSWORD_LENGTH) {
        return sendError(
          reply,
          400,
          'invalid-request',
          `newPassword: must be at least ${MIN_PASSWORD_LENGTH} characters`,
        );
      }
      // Guessing the current password with a stolen session is limited like guessing at the login.
      const attempt = limiter.begin(req.ip, user.username);
      if (!('keys' in attempt)) {
        return sendRateLimited(reply, attempt.retryAfterSeconds, 'wrong passwords');
      }
      if (!(await authenticate(db, user.username, currentPassword))) {
        req.log.warn({ username: user.username, ip: req.ip }, 'wrong current password in a password change');
        auditRequest(deps.audit, req, {
          kind: 'user',
          action: 'change own password',
          ok: false,
          error: 'invalid-credentials',
        });
        return sendError(reply, 403, 'invalid-credentials', 'the current password is wrong');
      }
      limiter.succeeded(attempt);
      if (!(await changePassword(db, user.username, newPassword))) {
        return sendError(reply, 404, 'unknown-user', `no user named "${user.username}"`);
      }
      credentialsChanged(deps, user, 'password', { username: user.username, keepToken: req.authToken });
      auditRequest(deps.audit, req, { kind: 'user', action: 'change own password', ok: true });
      return { ok: true };
    },
  );

  app.get(
    '/api/v1/tokens',
    { schema: routeDocs('Auth', 'Your API tokens (names and ids, never the tokens)') },
    async (req) => listApiTokens(db, req.user?.id ?? -1),
  );

  app.post<{ Body: { name?: unknown } }>(
    '/api/v1/tokens',
    {
      schema: routeDocs('Auth', 'Create an API token for a script (shown once)', {
        documentedBody: Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }) }),
      }),
    },
    async (req, reply) => {
      const name = req.body?.name;
      if (typeof name !== 'string' || name.length === 0 || name.length > 64) {
        return reply.code(400).send(badRequest('send {"name": "what the token is for"} (1..64 characters)'));
      }
      const { token, id } = createApiToken(db, req.user?.id ?? -1, name);
      auditRequest(deps.audit, req, { kind: 'token', action: `create API token "${name}"`, ok: true });
      // The token is shown once; only its hash is stored.
      return reply.code(201).send({ id, name, token });
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/v1/tokens/:id',
    { schema: routeDocs('Auth', 'Revoke one of your API tokens', { params: pathParams({ id: 'Token id' }) }) },
    async (req, reply) => {
      if (!deleteApiToken(db, req.user?.id ?? -1, req.params.id)) {
        return sendError(reply, 404, 'not-found', `no token ${req.params.id}`);
      }
      auditRequest(deps.audit, req, { kind: 'token', action: `revoke API token ${req.params.id}`, ok: true });
      return { ok: true };
    },
  );
}
