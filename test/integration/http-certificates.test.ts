/**
 * The certificate endpoints against a real OPC UA server whose certificate the gateway does
 * not know: it is listed as rejected, only an admin can trust or remove it, and trusting it
 * connects the device that waited for it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { builtinRegistry } from '../../core/builtin-plugins.js';
import { validateConfig } from '../../core/config/validate.js';
import { silentLogger } from '../../core/log.js';
import { Runtime } from '../../core/runtime.js';
import { saveConfig } from '../../core/store/config-store.js';
import { type Db, openDb } from '../../core/store/db.js';
import { setPassword } from '../../core/store/users.js';
import { OpcuaSimulator } from '../../drivers/simulator/opcua-server.js';
import { build } from '../../web/server/app.js';
import { freePort } from '../helpers/mosquitto.js';

let dir: string;
let db: Db;
let runtime: Runtime;
let app: FastifyInstance;
let sim: OpcuaSimulator;

async function login(username: string, password: string): Promise<Record<string, string>> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
  expect(res.statusCode, res.body).toBe(200);
  return { authorization: `Bearer ${res.json().token}` };
}

const ovenState = () =>
  (runtime.gateway.status().devices as Array<{ name: string; state: string; error?: string }>).find(
    (d) => d.name === 'oven',
  );

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tagwire-certs-'));
  db = openDb(dir);
  await setPassword(db, 'admin', 'admin-password-1', 'admin');
  await setPassword(db, 'watcher', 'viewer-password-1', 'viewer');
  sim = new OpcuaSimulator({ port: await freePort(), pkiDir: join(dir, 'sim-pki') });
  const { endpointUrl } = await sim.start();
  const config = validateConfig(
    {
      gateway: { id: 'certs' },
      devices: [
        {
          name: 'oven',
          driver: 'opcua',
          settings: { endpointUrl, securityMode: 'SignAndEncrypt', securityPolicy: 'Basic256Sha256' },
          groups: [
            { name: 'main', intervalMs: 500, tags: [{ name: 'counter', address: 'ns=1;s=Demo.Dynamic.Counter' }] },
          ],
        },
      ],
    },
    builtinRegistry(),
  );
  if (!config.ok) throw new Error(config.errors.join('\n'));
  saveConfig(db, config.config);
  runtime = new Runtime({
    db,
    dataDir: dir,
    registry: builtinRegistry(),
    log: silentLogger(),
    version: 'test',
    demoSimulator: false,
  });
  await runtime.start(config.config);
  app = await build({ runtime, db, log: silentLogger(), version: 'test' });
}, 120_000);

afterAll(async () => {
  await app?.close();
  await runtime?.stop();
  await sim?.stop();
  db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 30_000);

describe('server certificates over the API', () => {
  it('lists an unknown server certificate as rejected; only an admin trusts it; the device then connects', {
    timeout: 90_000,
  }, async () => {
    const admin = await login('admin', 'admin-password-1');
    const viewer = await login('watcher', 'viewer-password-1');
    await vi.waitFor(() => expect(ovenState()?.error).toBe('opcua-BadCertificateUntrusted'), {
      timeout: 60_000,
      interval: 200,
    });
    const list = await app.inject({ method: 'GET', url: '/api/v1/certificates', headers: viewer });
    expect(list.statusCode).toBe(200);
    const thumbprint = sim.certificateThumbprint.toLowerCase();
    expect(list.json()).toEqual([expect.objectContaining({ driver: 'opcua', status: 'rejected' })]);
    expect(list.json()[0].thumbprint.toLowerCase()).toBe(thumbprint);

    const trust = (headers: Record<string, string>, tp = thumbprint) =>
      app.inject({ method: 'POST', url: `/api/v1/certificates/${tp}/trust`, headers });
    expect((await app.inject({ method: 'GET', url: '/api/v1/certificates' })).statusCode).toBe(401);
    expect((await trust(viewer)).statusCode).toBe(403);
    const bad = await trust(admin, 'not-a-thumbprint');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('40 hex digits');
    expect((await trust(admin, 'ab'.repeat(20))).statusCode).toBe(404);
    expect(ovenState()?.state).not.toBe('connected');

    const trusted = await trust(admin, thumbprint.toUpperCase());
    expect(trusted.statusCode, trusted.body).toBe(200);
    expect(trusted.json()).toEqual({ ok: true, reconnecting: ['oven'] });
    // The waiting device was restarted (named in `reconnecting`): it connects with the trusted certificate.
    await vi.waitFor(() => expect(ovenState()?.state).toBe('connected'), { timeout: 15_000, interval: 100 });
    const after = await app.inject({ method: 'GET', url: '/api/v1/certificates', headers: admin });
    expect(after.json()[0].status).toBe('trusted');

    expect(
      (await app.inject({ method: 'DELETE', url: `/api/v1/certificates/${thumbprint}`, headers: viewer })).statusCode,
    ).toBe(403);
    const removed = await app.inject({ method: 'DELETE', url: `/api/v1/certificates/${thumbprint}`, headers: admin });
    expect(removed.statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/api/v1/certificates', headers: admin })).json()).toEqual([]);
  });
});
