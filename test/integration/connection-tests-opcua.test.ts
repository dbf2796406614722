/**
 * "Test connection" for an OPC UA device with unsaved settings, against the node-opcua
 * simulator: the server's state is read when the device has no tag; an untrusted server
 * certificate is reported with its meaning.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageSecurityMode, SecurityPolicy } from 'node-opcua';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpcuaSimulator } from '../../simulators/opcua-server.js';
import { freePort } from '../helpers/mosquitto.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

const SLOW_MS = 60_000;
const PASSWORD = 'opcua connection test';

let dir: string;
let sim: OpcuaSimulator;
let endpointUrl: string;
let gw: TestGateway;
let auth: Record<string, string>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tagwire-opcua-test-connection-'));
  sim = new OpcuaSimulator({
    port: await freePort(),
    pkiDir: join(dir, 'server-pki'),
    securityModes: [MessageSecurityMode.None, MessageSecurityMode.SignAndEncrypt],
    securityPolicies: [SecurityPolicy.None, SecurityPolicy.Basic256Sha256],
  });
  ({ endpointUrl } = await sim.start());
  gw = await startTestGateway({ gateway: { id: 'gw-opcua-test' } }, { users: { admin: [PASSWORD, 'admin'] } });
  auth = await gw.login('admin', PASSWORD);
}, SLOW_MS);

afterAll(async () => {
  await gw?.close();
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
}, SLOW_MS);

const test = (settings: Record<string, unknown>) =>
  gw.app.inject({
    method: 'POST',
    url: '/api/v1/devices/test-connection',
    headers: auth,
    payload: { driver: 'opcua', settings },
  });

describe('Test connection to an OPC UA server', { timeout: SLOW_MS }, () => {
  it('opens a session and reads the server state', async () => {
    const res = await test({ endpointUrl, securityMode: 'None', securityPolicy: 'None' });
    expect(res.statusCode).toBe(200);
    // ServerState 0 = Running.
    expect(res.json()).toMatchObject({ ok: true, step: 'done', address: 'i=2259', value: 0 });
  });

  it('names an untrusted server certificate and what to do', async () => {
    const res = await test({ endpointUrl, securityMode: 'SignAndEncrypt', securityPolicy: 'Basic256Sha256' });
    expect(res.json()).toMatchObject({
      ok: false,
      step: 'connect',
      error: {
        code: 'opcua-BadCertificateUntrusted',
        explanation: 'the server’s certificate is not trusted yet: trust it on the Certificates page',
      },
    });
  });
});
