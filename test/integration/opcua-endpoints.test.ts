/**
 * A device configured for a security mode/policy the server does not offer: the error is
 * `opcua-BadSecurityPolicyRejected` and its text lists what the server offers, against a
 * simulated server that offers SignAndEncrypt only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageSecurityMode, SecurityPolicy } from 'node-opcua';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceConfig, GroupConfig } from '../../core/config/schema.js';
import { validateConfig } from '../../core/config/validate.js';
import { GatewayError } from '../../core/errors.js';
import { silentLogger } from '../../core/log.js';
import { createRegistry } from '../../core/registry.js';
import { opcuaDriver } from '../../drivers/opcua/index.js';
import { OpcuaSimulator } from '../../simulators/opcua-server.js';
import { freePort } from '../helpers/mosquitto.js';
import { startTestGateway } from '../helpers/test-gateway.js';

const SLOW_MS = 60_000;
const OFFERED = ['SignAndEncrypt/Basic256Sha256', 'SignAndEncrypt/Aes256_Sha256_RsaPss'];

let dir: string;
let sim: OpcuaSimulator;
let endpointUrl: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tagwire-opcua-endpoints-'));
  sim = new OpcuaSimulator({
    port: await freePort(),
    pkiDir: join(dir, 'server-pki'),
    securityModes: [MessageSecurityMode.SignAndEncrypt],
    securityPolicies: [SecurityPolicy.Basic256Sha256, SecurityPolicy.Aes256_Sha256_RsaPss],
  });
  ({ endpointUrl } = await sim.start());
}, SLOW_MS);

afterAll(async () => {
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
}, SLOW_MS);

function oven(security: Record<string, unknown>): Record<string, unknown> {
  return {
    name: 'oven',
    driver: 'opcua',
    settings: { endpointUrl, timeoutMs: 3000, trustServerCertificate: true, ...security },
    groups: [{ name: 'g', intervalMs: 500, tags: [{ name: 'sp', address: 'ns=1;s=Demo.Setpoint' }] }],
  };
}

function device(security: Record<string, unknown>): DeviceConfig {
  const result = validateConfig({ devices: [oven(security)] }, createRegistry([opcuaDriver], []));
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.config.devices[0] as DeviceConfig;
}

async function connectError(security: Record<string, unknown>): Promise<GatewayError> {
  const config = device(security);
  const driver = opcuaDriver.create({
    device: config,
    settings: config.settings,
    log: silentLogger(),
    dataDir: join(dir, 'data'),
    connectionLost: () => undefined,
  });
  try {
    await driver.connect();
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  } finally {
    await driver.close();
  }
  throw new Error('expected connect() to fail');
}

describe('OPC UA endpoint mismatch', () => {
  it(
    'None against a SignAndEncrypt-only server, and a policy it lacks: the code, and the endpoints offered',
    async () => {
      for (const security of [
        { securityMode: 'None', securityPolicy: 'None' },
        { securityMode: 'Sign', securityPolicy: 'Basic256Sha256' },
        { securityMode: 'SignAndEncrypt', securityPolicy: 'Aes128_Sha256_RsaOaep' },
      ]) {
        const err = await connectError(security);
        expect(err.code, JSON.stringify(security)).toBe('opcua-BadSecurityPolicyRejected');
        expect(err.message).toContain(
          `securityMode ${security.securityMode} and securityPolicy ${security.securityPolicy}`,
        );
        expect(err.message).toContain(`offers (securityMode/securityPolicy): ${OFFERED.join(', ')}`);
      }
    },
    SLOW_MS,
  );

  it(
    'under a gateway: the device is disconnected with the code, and the log says what the server offers',
    async () => {
      const lines: Array<{ msg?: string; error?: string }> = [];
      const log = pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line)) });
      const gw = await startTestGateway(
        { gateway: { id: 'ep', uns: 'ep' }, devices: [oven({ securityMode: 'None', securityPolicy: 'None' })] },
        { log },
      );
      try {
        const state = () => (gw.runtime.gateway.status().devices[0] as { state: string; error?: string }) ?? {};
        const deadline = Date.now() + 20_000;
        while (state().state !== 'disconnected' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
        expect(state()).toMatchObject({ state: 'disconnected', error: 'opcua-BadSecurityPolicyRejected' });
        const line = lines.find((l) => l.error === 'opcua-BadSecurityPolicyRejected');
        expect(line?.msg).toMatch(/^cannot connect: .*offers no endpoint with securityMode None/);
        for (const name of OFFERED) expect(line?.msg).toContain(name);
      } finally {
        await gw.close();
      }
    },
    SLOW_MS,
  );

  it(
    'an offered endpoint connects (the server is usable)',
    async () => {
      const config = device({ securityMode: 'SignAndEncrypt', securityPolicy: 'Aes256_Sha256_RsaPss' });
      const driver = opcuaDriver.create({
        device: config,
        settings: config.settings,
        log: silentLogger(),
        dataDir: join(dir, 'data'),
        connectionLost: () => undefined,
      });
      try {
        await driver.connect();
        const [value] = await driver.read(config.groups[0] as GroupConfig);
        expect(value?.quality).toBe('good');
      } finally {
        await driver.close();
      }
    },
    SLOW_MS,
  );
});
