/**
 * A login ends when its credentials change, over real HTTP: a password change (by the user,
 * by an admin, or with `tagwire passwd` in another process), a new role or a deleted user
 * ends the user's other sessions, API tokens and open Server-Sent Event streams. The session
 * that made the change stays. A changed first-admin password deletes the generated-password file.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAdmin, INITIAL_PASSWORD_FILE } from '../../core/first-start.js';
import { openDb } from '../../core/store/db.js';
import { httpCall } from '../helpers/http-client.js';
import { MemoryLog } from '../helpers/memory-log.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

const CLI = fileURLToPath(new URL('../../dist/app/cli.js', import.meta.url));
const ADMIN_PASSWORD = 'admin horse battery';

let gw: TestGateway;
const log = new MemoryLog();

beforeAll(async () => {
  gw = await startTestGateway(
    { gateway: { id: 'gw-sessions' } },
    {
      listen: true,
      log: log.logger,
      users: {
        admin: [ADMIN_PASSWORD, 'admin'],
        eve: ['eve horse battery', 'operator'],
        frank: ['frank horse battery', 'viewer'],
        grace: ['grace horse battery', 'operator'],
        heidi: ['heidi horse battery', 'viewer'],
        ivan: ['ivan horse battery', 'viewer'],
      },
    },
  );
});

afterAll(async () => {
  await gw?.close();
});

async function token(username: string, password: string): Promise<string> {
  const res = await httpCall(gw.base, '/api/v1/auth/login', { body: { username, password } });
  expect(res.status, res.text).toBe(200);
  return res.json().token as string;
}

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const me = async (t: string) => (await httpCall(gw.base, '/api/v1/auth/me', { headers: bearer(t) })).status;

async function apiToken(session: string): Promise<string> {
  const res = await httpCall(gw.base, '/api/v1/tokens', { headers: bearer(session), body: { name: 'script' } });
  expect(res.status).toBe(201);
  return res.json().token as string;
}

/** An open /api/v1/events stream; `ended` settles when the server ends it. */
async function openEvents(t: string): Promise<{ ended: Promise<void>; isEnded(): boolean; close(): void }> {
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    get(`${gw.base}/api/v1/events`, { headers: bearer(t), agent: false }, resolve).on('error', reject);
  });
  expect(res.statusCode).toBe(200);
  let done = false;
  const ended = new Promise<void>((resolve) => {
    res.on('end', resolve);
    res.on('close', resolve);
  }).then(() => {
    done = true;
  });
  // The stream is open once its first line arrived.
  await new Promise<void>((resolve) => res.once('data', () => resolve()));
  res.resume();
  return { ended, isEnded: () => done, close: () => res.destroy() };
}

/** Fails the test when the stream is still open after `ms` (generous: changes end it at once). */
function endsWithin(stream: { ended: Promise<void> }, ms = 12_000): Promise<void> {
  return Promise.race([
    stream.ended,
    new Promise<void>((_, reject) => setTimeout(() => reject(new Error(`event stream still open after ${ms} ms`)), ms)),
  ]);
}

describe('a credential change ends the other logins', () => {
  it('own password change: other sessions, API tokens and event streams end; the asking session stays', async () => {
    const asking = await token('eve', 'eve horse battery');
    const other = await token('eve', 'eve horse battery');
    const script = await apiToken(asking);
    const stream = await openEvents(other);

    const res = await httpCall(gw.base, '/api/v1/auth/password', {
      method: 'PUT',
      headers: bearer(asking),
      body: { currentPassword: 'eve horse battery', newPassword: 'eve new horse battery' },
    });
    expect(res.status, res.text).toBe(200);

    await endsWithin(stream);
    expect(await me(asking)).toBe(200);
    expect(await me(other)).toBe(401);
    expect(await me(script)).toBe(401);
    expect(await me(await token('eve', 'eve new horse battery'))).toBe(200);
  });

  it('a password set by an admin ends every session, token and stream of that user, not the admin’s', async () => {
    const admin = await token('admin', ADMIN_PASSWORD);
    const session = await token('frank', 'frank horse battery');
    const script = await apiToken(session);
    const stream = await openEvents(session);
    const adminStream = await openEvents(admin);

    const res = await httpCall(gw.base, '/api/v1/users/frank', {
      method: 'PATCH',
      headers: bearer(admin),
      body: { password: 'frank new horse battery' },
    });
    expect(res.status, res.text).toBe(200);

    await endsWithin(stream);
    expect(await me(session)).toBe(401);
    expect(await me(script)).toBe(401);
    expect(await me(admin)).toBe(200);
    // The admin's own stream is untouched (it would have ended with frank's, in the same turn).
    expect(adminStream.isEnded()).toBe(false);
    adminStream.close();
  });

  it('a new role ends the user’s sessions, tokens and streams (they log in again with the new role)', async () => {
    const admin = await token('admin', ADMIN_PASSWORD);
    const session = await token('grace', 'grace horse battery');
    const script = await apiToken(session);
    const stream = await openEvents(session);

    const res = await httpCall(gw.base, '/api/v1/users/grace', {
      method: 'PATCH',
      headers: bearer(admin),
      body: { role: 'viewer' },
    });
    expect(res.status, res.text).toBe(200);

    await endsWithin(stream);
    expect(await me(session)).toBe(401);
    expect(await me(script)).toBe(401);
    const again = await httpCall(gw.base, '/api/v1/auth/me', {
      headers: bearer(await token('grace', 'grace horse battery')),
    });
    expect(again.json()).toEqual({ username: 'grace', role: 'viewer' });
  });

  it('a deleted user’s event stream ends', async () => {
    const admin = await token('admin', ADMIN_PASSWORD);
    const stream = await openEvents(await token('heidi', 'heidi horse battery'));
    const res = await httpCall(gw.base, '/api/v1/users/heidi', { method: 'DELETE', headers: bearer(admin) });
    expect(res.status, res.text).toBe(200);
    await endsWithin(stream);
  });

  it('`tagwire passwd USER` in another process ends the user’s sessions and, within seconds, their streams', async () => {
    const session = await token('ivan', 'ivan horse battery');
    const script = await apiToken(session);
    const stream = await openEvents(session);

    const run = spawnSync(process.execPath, [CLI, 'passwd', 'ivan', '--data', gw.dir], {
      input: 'ivan new horse battery\n',
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('password of ivan changed; 2 sessions and API tokens of ivan ended\n');

    expect(await me(session)).toBe(401);
    expect(await me(script)).toBe(401);
    await endsWithin(stream);
  });
});

describe('the generated first admin password', () => {
  it('is deleted from the data directory when the admin changes it through the API, with a log line', async () => {
    const first = await startTestGateway({ gateway: { id: 'gw-first' } }, { listen: true, log: log.logger });
    try {
      await ensureAdmin(first.db, first.dir, log.logger);
      const file = join(first.dir, INITIAL_PASSWORD_FILE);
      const generated = readFileSync(file, 'utf8').trim();
      const login = await httpCall(first.base, '/api/v1/auth/login', {
        body: { username: 'admin', password: generated },
      });
      expect(login.status).toBe(200);
      const from = log.lines.length;
      const res = await httpCall(first.base, '/api/v1/auth/password', {
        method: 'PUT',
        headers: bearer(login.json().token as string),
        body: { currentPassword: generated, newPassword: 'my own admin password' },
      });
      expect(res.status, res.text).toBe(200);
      expect(existsSync(file)).toBe(false);
      expect(log.messages(from)).toContain(`deleted ${file}: the generated first password no longer works`);
    } finally {
      await first.close();
    }
  });

  it('is deleted by `tagwire passwd admin`, which says so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tagwire-passwd-'));
    try {
      const db = openDb(dir);
      await ensureAdmin(db, dir, log.logger);
      db.close();
      const file = join(dir, INITIAL_PASSWORD_FILE);
      expect(existsSync(file)).toBe(true);
      const run = spawnSync(process.execPath, [CLI, 'passwd', 'admin', '--data', dir], {
        input: 'my own admin password\n',
        encoding: 'utf8',
      });
      expect(run.stderr).toBe('');
      expect(run.stdout).toContain(`deleted ${file}: the generated first password no longer works`);
      expect(existsSync(file)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
