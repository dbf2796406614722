import type { FastifyInstance } from 'fastify';
import type { Db } from '../../../core/store/db.js';
import { createApiToken, deleteApiToken, listApiTokens } from '../../../core/store/sessions.js';
import {
  authenticate,
  deleteUser,
  findUser,
  listUsers,
  MIN_PASSWORD_LENGTH,
  ROLES,
  type Role,
  setPassword,
} from '../../../core/store/users.js';
import { allow } from '../auth.js';
import { sendError } from '../errors.js';

function badRequest(message: string) {
  return { error: { code: 'invalid-request', message, details: [] as string[] } };
}

/** Who am I, my password, my API tokens; and, for admins, the users. */
export function registerAccount(app: FastifyInstance, db: Db): void {
  app.get('/api/v1/auth/me', async (req) => ({ username: req.user?.username, role: req.user?.role }));

  app.put<{ Body: { currentPassword?: unknown; newPassword?: unknown } }>(
    '/api/v1/auth/password',
    async (req, reply) => {
      const { currentPassword, newPassword } = req.body ?? {};
      if (typeof currentPassword !== 'string' || typeof newPassword !== 'string') {
        return reply.code(400).send(badRequest('send {"currentPassword": "…", "newPassword": "…"}'));
      }
      const user = req.user;
      if (!user || !(await authenticate(db, user.username, currentPassword))) {
        return sendError(reply, 403, 'invalid-credentials', 'the current password is wrong');
      }
      if (newPassword.length < MIN_PASSWORD_LENGTH) {
        return sendError(
          reply,
          400,
          'invalid-request',
          `newPassword: must be at least ${MIN_PASSWORD_LENGTH} characters`,
        );
      }
      await setPassword(db, user.username, newPassword, user.role);
      return { ok: true };
    },
  );

  app.get('/api/v1/tokens', async (req) => listApiTokens(db, req.user?.id ?? -1));

  app.post<{ Body: { name?: unknown } }>('/api/v1/tokens', async (req, reply) => {
    const name = req.body?.name;
    if (typeof name !== 'string' || name.length === 0 || name.length > 64) {
      return reply.code(400).send(badRequest('send {"name": "what the token is for"} (1..64 characters)'));
    }
    const { token, id } = createApiToken(db, req.user?.id ?? -1, name);
    // The token is shown once; only its hash is stored.
    return reply.code(201).send({ id, name, token });
  });

  app.delete<{ Params: { id: string } }>('/api/v1/tokens/:id', async (req, reply) => {
    if (!deleteApiToken(db, req.user?.id ?? -1, req.params.id)) {
      return sendError(reply, 404, 'not-found', `no token ${req.params.id}`);
    }
    return { ok: true };
  });

  app.get('/api/v1/users', async (req, reply) => {
    if (!allow(req, reply, ['admin'])) return reply;
    return listUsers(db).map(({ username, role, createdAt }) => ({ username, role, createdAt }));
  });

  app.post<{ Body: { username?: unknown; password?: unknown; role?: unknown } }>(
    '/api/v1/users',
    async (req, reply) => {
      if (!allow(req, reply, ['admin'])) return reply;
      const { username, password, role = 'viewer' } = req.body ?? {};
      if (typeof username !== 'string' || typeof password !== 'string') {
        return reply.code(400).send(badRequest('send {"username", "password", "role": "admin|operator|viewer"}'));
      }
      if (typeof role !== 'string' || !ROLES.includes(role as Role)) {
        return reply.code(400).send(badRequest(`role: must be one of ${ROLES.join(', ')}`));
      }
      if (findUser(db, username)) return sendError(reply, 409, 'exists', `user "${username}" exists`);
      try {
        await setPassword(db, username, password, role as Role);
      } catch (err) {
        return reply.code(400).send(badRequest((err as Error).message));
      }
      return reply.code(201).send({ username, role });
    },
  );

  app.delete<{ Params: { username: string } }>('/api/v1/users/:username', async (req, reply) => {
    if (!allow(req, reply, ['admin'])) return reply;
    if (req.params.username === req.user?.username) {
      return sendError(reply, 400, 'invalid-request', 'you cannot delete yourself');
    }
    if (!deleteUser(db, req.params.username)) return sendError(reply, 404, 'not-found', 'no such user');
    return { ok: true };
  });
}
