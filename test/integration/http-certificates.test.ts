/**
 * The certificate endpoints against a real OPC UA server whose certificate the gateway does
 * not know: it is listed as rejected, only an admin can trust or remove it, and trusting it
 * connects the device that waited for it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { OpcuaSimulator } from '../../simulators/opcua-server.js';
import { freePort } from '../helpers/mosquitto.js';
import { secureOven, startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

let gw: TestGateway;
let sim: OpcuaSimulator;
let simDir: string;

const ovenState = () =>
  (gw.runtime.gateway.status().devices as Array<{ name: string; state: string; error?: string }>).find(
    (d) => d.name === 'oven',
  );

beforeAll(async () => {
  simDir = mkdtempSync(join(tmpdir(), 'tagwire-certs-sim-'));
  sim = new OpcuaSimulator({ port: await freePort(), pkiDir: join(simDir, 'pki') });
  const { endpointUrl } = await sim.start();
  gw = await startTestGateway(
    {
      gateway: { id: 'certs' },
      devices: [secureOven(endpointUrl)],
    },
    { users: { admin: ['admin-password-1', 'admin'], watcher: ['viewer-password-1', 'viewer'] } },
  );
}, 120_000);

afterAll(async () => {
  await gw?.close();
  await sim?.stop();
  if (simDir) rmSync(simDir, { recursive: true, force: true });
}, 30_000);

describe('server certificates over the API', () => {
  it('lists an unknown server certificate as rejected; only an admin trusts it; the device then connects', {
    timeout: 90_000,
  }, async () => {
    const admin = await gw.login('admin', 'admin-password-1');
    const viewer = await gw.login('watcher', 'viewer-password-1');
    await vi.waitFor(() => expect(ovenState()?.error).toBe('opcua-BadCertificateUntrusted'), {
      timeout: 60_000,
      interval: 200,
    });
    const list = await gw.app.inject({ method: 'GET', url: '/api/v1/certificates', headers: viewer });
    expect(list.statusCode).toBe(200);
    const thumbprint = sim.certificateThumbprint.toLowerCase();
    expect(list.json()).toEqual([expect.objectContaining({ driver: 'opcua', status: 'rejected' })]);
    expect(list.json()[0].thumbprint.toLowerCase()).toBe(thumbprint);

    const trust = (headers: Record<string, string>, tp = thumbprint) =>
      gw.app.inject({ method: 'POST', url: `/api/v1/certificates/${tp}/trust`, headers });
    expect((await gw.app.inject({ method: 'GET', url: '/api/v1/certificates' })).statusCode).toBe(401);
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
    const after = await gw.app.inject({ method: 'GET', url: '/api/v1/certificates', headers: admin });
    expect(after.json()[0].status).toBe('trusted');

    expect(
      (await gw.app.inject({ method: 'DELETE', url: `/api/v1/certificates/${thumbprint}`, headers: viewer }))
        .statusCode,
    ).toBe(403);
    const removed = await gw.app.inject({
      method: 'DELETE',
      url: `/api/v1/certificates/${thumbprint}`,
      headers: admin,
    });
    expect(removed.statusCode).toBe(200);
    expect((await gw.app.inject({ method: 'GET', url: '/api/v1/certificates', headers: admin })).json()).toEqual([]);
  });
});
