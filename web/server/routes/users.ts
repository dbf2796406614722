import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import {
  changePassword,
  deleteUser,
  findUser,
  isLastAdmin,
  listUsers,
  MIN_PASSWORD_LENGTH,
  ROLES,
  type Role,
  setPassword,
  setRole,
} from '../../../core/store/users.js';
import { auditRequest } from '../audit-request.js';
import { allow } from '../auth.js';
import { type AuthDeps, credentialsChanged } from '../credential-change.js';
import { sendError } from '../errors.js';
import { pathParams, routeDocs } from '../route-docs.js';

const params = pathParams({ username: 'User name' });

function badRequest(message: string, details: string[] = []) {
  return { error: { code: 'invalid-request', message, details } };
}

/** What is wrong with a `{"role"?, "password"?}` change, every problem at once. */
function userChangeErrors(body: Record<string, unknown>): string[] {
  const errors = Object.keys(body)
    .filter((key) => key !== 'role' && key !== 'password')
    .map((key) => `${key}: unknown key`);
  if (body.role === undefined && body.password === undefined) errors.push('(body): send "role", "password" or both');
  if (body.role !== undefined && !ROLES.includes(body.role as Role)) {
    errors.push(`role: must be one of ${ROLES.join(', ')}`);
  }
  if (
    body.password !== undefined &&
    (typeof body.password !== 'string' || body.password.length < MIN_PASSWORD_LENGTH)
  ) {
    errors.push(`password: must be a text of at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  return errors;
}

/** Users and their roles, managed by admins. There is always at least one admin left. */
export function registerUsers(app: FastifyInstance, deps: AuthDeps): void {
  const { db } = deps;
  app.get(
    '/api/v1/users',
    { schema: routeDocs('Users', 'List the users and their roles (admin)') },
    async (req, reply) => {
      if (!allow(req, reply, ['admin'])) return reply;
      return listUsers(db).map(({ username, role, createdAt }) => ({ username, role, createdAt }));
    },
  );

  app.post<{ Body: { username?: unknown; password?: unknown; role?: unknown } }>(
    '/api/v1/users',
    {
      schema: routeDocs('Users', 'Create a user (admin)', {
        documentedBody: Type.Object({
          username: Type.String(),
          password: Type.String({ minLength: MIN_PASSWORD_LENGTH }),
          role: Type.Optional(
            Type.Union(
              ROLES.map((r) => Type.Literal(r)),
              { default: 'viewer' },
            ),
          ),
        }),
      }),
    },
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
      auditRequest(deps.audit, req, { kind: 'user', action: `add user ${username} (${role})`, ok: true });
      return reply.code(201).send({ username, role });
    },
  );

  app.patch<{ Params: { username: string } }>(
    '/api/v1/users/:username',
    {
      schema: routeDocs('Users', 'Change a user’s role or reset their password (admin)', {
        description:
          'A new password or role signs the user out everywhere, revokes their API tokens and ends ' +
          'their event streams (an admin changing their own role keeps the session that asked).',
        params,
        documentedBody: Type.Object({
          role: Type.Optional(Type.Union(ROLES.map((r) => Type.Literal(r)))),
          password: Type.Optional(Type.String({ minLength: MIN_PASSWORD_LENGTH })),
        }),
      }),
    },
    async (req, reply) => {
      if (!allow(req, reply, ['admin'])) return reply;
      const user = findUser(db, req.params.username);
      if (!user) return sendError(reply, 404, 'not-found', `no user named "${req.params.username}"`);
      const body = req.body;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        return reply.code(400).send(badRequest('send {"role": "admin|operator|viewer"} and/or {"password": "…"}'));
      }
      const change = body as { role?: Role; password?: string };
      const errors = userChangeErrors(change);
      if (errors.length > 0)
        return reply.code(400).send(badRequest('the change is invalid; nothing was changed', errors));
      // Checked and changed with no await between: two admins demoting each other cannot both succeed.
      if (change.role !== undefined && change.role !== 'admin' && isLastAdmin(db, user.username)) {
        return sendError(
          reply,
          409,
          'last-admin',
          `"${user.username}" is the last admin; make another user admin first`,
        );
      }
      const by = { username: req.user?.username, keepToken: req.authToken };
      if (change.role !== undefined && change.role !== user.role) {
        setRole(db, user.username, change.role);
        credentialsChanged(deps, user, 'role', by);
        auditRequest(deps.audit, req, {
          kind: 'user',
          action: `role of ${user.username}: ${user.role} → ${change.role}`,
          ok: true,
        });
      }
      if (change.password !== undefined) {
        // Only an existing user's password: a user deleted meanwhile is not created again.
        if (!(await changePassword(db, user.username, change.password))) {
          return sendError(reply, 404, 'unknown-user', `no user named "${user.username}"`);
        }
        credentialsChanged(deps, user, 'password', by);
        auditRequest(deps.audit, req, { kind: 'user', action: `set password of ${user.username}`, ok: true });
      }
      return { username: user.username, role: change.role ?? user.role };
    },
  );

  app.delete<{ Params: { username: string } }>(
    '/api/v1/users/:username',
    { schema: routeDocs('Users', 'Delete a user (admin; not yourself)', { params }) },
    async (req, reply) => {
      if (!allow(req, reply, ['admin'])) return reply;
      // The one asking is an admin and cannot delete themselves, so an admin always remains.
      if (req.params.username === req.user?.username) {
        return sendError(reply, 400, 'invalid-request', 'you cannot delete yourself');
      }
      const user = findUser(db, req.params.username);
      if (!user || !deleteUser(db, user.username)) return sendError(reply, 404, 'not-found', 'no such user');
      credentialsChanged(deps, user, 'deleted', { username: req.user?.username });
      auditRequest(deps.audit, req, { kind: 'user', action: `delete user ${user.username}`, ok: true });
      return { ok: true };
    },
  );
}
