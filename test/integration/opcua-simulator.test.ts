import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AttributeIds,
  type ClientSession,
  DataType,
  type DataValue,
  Int64ToBigInt,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAClient,
  SecurityPolicy,
  TimestampsToReturn,
  UInt64ToBigInt,
  type UserIdentityInfo,
  UserTokenType,
} from 'node-opcua';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OpcuaSimulator } from '../../simulators/opcua-server.js';
import { runOpcuaSimulator } from '../../simulators/run-opcua.js';
import { freePort } from '../helpers/mosquitto.js';

// Certificates are made on first use (server and client); later starts reuse them.
const SLOW_HOOK_MS = 60_000;
const USER = { username: 'operator', password: 'secret-1' };
const USER_LOGIN: UserIdentityInfo = { type: UserTokenType.UserName, userName: USER.username, password: USER.password };

const tempDirs: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}
const serverPki = tempDir('tagwire-opcua-sim-pki-');
const clientPki = tempDir('tagwire-opcua-client-pki-');

const clients: OPCUAClient[] = [];

interface ClientOptions {
  mode?: MessageSecurityMode;
  policy?: SecurityPolicy;
  /** Client PKI store; the shared one by default. */
  pkiDir?: string;
  /** Accept the server's certificate without trusting it first (default true). */
  acceptServer?: boolean;
}

async function connect(endpointUrl: string, opts: ClientOptions = {}): Promise<OPCUAClient> {
  const client = OPCUAClient.create({
    applicationName: 'tagwire-simulator-test',
    endpointMustExist: false,
    securityMode: opts.mode ?? MessageSecurityMode.None,
    securityPolicy: opts.policy ?? SecurityPolicy.None,
    // A manager per client: disconnect() disposes it.
    clientCertificateManager: new OPCUACertificateManager({
      rootFolder: opts.pkiDir ?? clientPki,
      automaticallyAcceptUnknownCertificate: opts.acceptServer ?? true,
      disableFileWatchers: true,
    }),
    connectionStrategy: { maxRetry: 0, initialDelay: 50, maxDelay: 100 },
  });
  clients.push(client);
  await client.connect(endpointUrl);
  return client;
}

async function openSession(
  endpointUrl: string,
  login?: UserIdentityInfo,
  opts?: ClientOptions,
): Promise<ClientSession> {
  const client = await connect(endpointUrl, opts);
  return client.createSession(login);
}

async function read(session: ClientSession, nodeId: string): Promise<DataValue> {
  return session.read({ nodeId, attributeId: AttributeIds.Value });
}

async function waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.disconnect().catch(() => undefined)));
});

afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describe('OpcuaSimulator', () => {
  let sim: OpcuaSimulator;
  let url: string;

  beforeAll(async () => {
    sim = new OpcuaSimulator({ port: await freePort(), pkiDir: serverPki, users: [USER] });
    ({ endpointUrl: url } = await sim.start());
  }, SLOW_HOOK_MS);

  afterAll(async () => {
    await sim?.stop();
  });

  it('serves on opc.tcp://127.0.0.1:PORT with its namespace at index 1', async () => {
    expect(url).toMatch(/^opc\.tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(sim.endpointUrl).toBe(url);
    const session = await openSession(url);
    const namespaces = await session.read({ nodeId: 'ns=0;i=2255', attributeId: AttributeIds.Value });
    expect(namespaces.value.value).toEqual(['http://opcfoundation.org/UA/', 'urn:tagwire:simulator']);
  });

  it('browses Objects/Demo into Dynamic, Static and Setpoint', async () => {
    const session = await openSession(url);
    const names = async (nodeId: string) =>
      ((await session.browse(nodeId)).references ?? []).map((r) => `${r.browseName.name}=${r.nodeId.toString()}`);
    expect(await names('ns=0;i=85')).toContain('Demo=ns=1;s=Demo');
    expect(await names('ns=1;s=Demo')).toEqual(
      expect.arrayContaining([
        'Dynamic=ns=1;s=Demo.Dynamic',
        'Static=ns=1;s=Demo.Static',
        'Setpoint=ns=1;s=Demo.Setpoint',
      ]),
    );
    expect(await names('ns=1;s=Demo.Dynamic')).toEqual(
      ['Temperature', 'Pressure', 'Counter', 'Ramp', 'Clock'].map((n) => `${n}=ns=1;s=Demo.Dynamic.${n}`),
    );
    const statics = await names('ns=1;s=Demo.Static');
    expect(statics).toHaveLength(18);
    expect(statics).toEqual(
      expect.arrayContaining([
        'UInt64=ns=1;s=Demo.Static.UInt64',
        'Numeric1001=ns=1;i=1001',
        'DoubleNaN=ns=1;s=Demo.Static.DoubleNaN',
      ]),
    );
  });

  it('reads every static type with its initial value', async () => {
    const session = await openSession(url);
    const expected: Array<[string, DataType, unknown]> = [
      ['Boolean', DataType.Boolean, true],
      ['SByte', DataType.SByte, -100],
      ['Byte', DataType.Byte, 200],
      ['Int16', DataType.Int16, -12345],
      ['UInt16', DataType.UInt16, 54321],
      ['Int32', DataType.Int32, -123456789],
      ['UInt32', DataType.UInt32, 3000000000],
      ['Float', DataType.Float, 3.5],
      ['Double', DataType.Double, 123456.789012345],
      ['String', DataType.String, 'TAGWIRE-SIM'],
      ['DateTime', DataType.DateTime, new Date('2024-01-01T00:00:00.000Z')],
      ['ByteString', DataType.ByteString, Buffer.from('deadbeef', 'hex')],
      ['ReadOnlyInt32', DataType.Int32, 42],
    ];
    for (const [name, dataType, value] of expected) {
      const dv = await read(session, `ns=1;s=Demo.Static.${name}`);
      expect(dv.statusCode.name, name).toBe('Good');
      expect(dv.value.dataType, name).toBe(dataType);
      expect(dv.value.value, name).toEqual(value);
    }
    // 64-bit integers arrive as [high, low] 32-bit words.
    const uint64 = await read(session, 'ns=1;s=Demo.Static.UInt64');
    expect(uint64.value.dataType).toBe(DataType.UInt64);
    expect(uint64.value.value).toEqual([0xffffffff, 0xffffffff]);
    expect(UInt64ToBigInt(uint64.value.value)).toBe(18446744073709551615n);
    const int64 = await read(session, 'ns=1;s=Demo.Static.Int64');
    expect(int64.value.dataType).toBe(DataType.Int64);
    expect(Int64ToBigInt(int64.value.value)).toBe(-1234567890123456789n);

    const array = await read(session, 'ns=1;s=Demo.Static.DoubleArray');
    expect(array.value.dataType).toBe(DataType.Double);
    expect(Array.from(array.value.value)).toEqual([1.5, 2.5, 3.5, 4.5, 5.5]);
    const numeric = await read(session, 'ns=1;i=1001');
    expect(numeric.value.value).toBe(1001.5);
    expect((await read(session, 'ns=1;s=Demo.Setpoint')).value.value).toBe(22.5);
    const nan = await read(session, 'ns=1;s=Demo.Static.DoubleNaN');
    expect(nan.value.dataType).toBe(DataType.Double);
    expect(nan.value.value).toBeNaN();
  });

  it('moves Temperature and the counter, with source timestamps', async () => {
    const session = await openSession(url);
    const first = await read(session, 'ns=1;s=Demo.Dynamic.Temperature');
    await new Promise((r) => setTimeout(r, 1100));
    const second = await read(session, 'ns=1;s=Demo.Dynamic.Temperature');
    for (const dv of [first, second]) {
      expect(dv.value.dataType).toBe(DataType.Double);
      expect(dv.value.value).toBeGreaterThanOrEqual(20);
      expect(dv.value.value).toBeLessThanOrEqual(25);
      expect(Math.abs(Date.now() - (dv.sourceTimestamp?.getTime() ?? 0))).toBeLessThan(3000);
    }
    expect(second.value.value).not.toBe(first.value.value);
    expect(second.sourceTimestamp?.getTime()).toBeGreaterThan(first.sourceTimestamp?.getTime() ?? Infinity);

    const counter = await read(session, 'ns=1;s=Demo.Dynamic.Counter');
    expect(counter.value.dataType).toBe(DataType.UInt32);
    expect(counter.value.value).toBeGreaterThanOrEqual(1);
    expect((await read(session, 'ns=1;s=Demo.Dynamic.Pressure')).value.dataType).toBe(DataType.Float);
    expect((await read(session, 'ns=1;s=Demo.Dynamic.Ramp')).value.dataType).toBe(DataType.Int16);
    const clock = await read(session, 'ns=1;s=Demo.Dynamic.Clock');
    expect(Math.abs(Date.now() - clock.value.value.getTime())).toBeLessThan(3000);
  });

  it('takes writes to Setpoint and refuses ReadOnlyInt32 with BadNotWritable', async () => {
    const session = await openSession(url);
    const write = (nodeId: string, dataType: DataType, value: number) =>
      session.write({ nodeId, attributeId: AttributeIds.Value, value: { value: { dataType, value } } });
    expect((await write('ns=1;s=Demo.Setpoint', DataType.Double, 30.25)).name).toBe('Good');
    expect((await read(session, 'ns=1;s=Demo.Setpoint')).value.value).toBe(30.25);
    expect((await write('ns=1;i=1001', DataType.Double, -1)).name).toBe('Good');
    // A value of another type than the node's is refused, not converted.
    expect((await write('ns=1;s=Demo.Setpoint', DataType.Float, 1)).name).toBe('BadTypeMismatch');
    expect((await write('ns=1;s=Demo.Static.ReadOnlyInt32', DataType.Int32, 1)).name).toBe('BadNotWritable');
    expect((await read(session, 'ns=1;s=Demo.Static.ReadOnlyInt32')).value.value).toBe(42);
  });

  it('setValue changes a value from the test side, 64-bit exactly', async () => {
    const session = await openSession(url);
    sim.setValue('ns=1;s=Demo.Static.UInt64', '18446744073709551614');
    expect(UInt64ToBigInt((await read(session, 'ns=1;s=Demo.Static.UInt64')).value.value)).toBe(18446744073709551614n);
    sim.setValue('ns=1;s=Demo.Static.Int16', -7);
    const int16 = await read(session, 'ns=1;s=Demo.Static.Int16');
    expect(int16.value.value).toBe(-7);
    expect(Math.abs(Date.now() - (int16.sourceTimestamp?.getTime() ?? 0))).toBeLessThan(3000);
    // Floats take NaN and ±Infinity (as numbers, or "NaN" as text); integers and other text do not.
    sim.setValue('ns=1;s=Demo.Static.Float', Number.NEGATIVE_INFINITY);
    expect((await read(session, 'ns=1;s=Demo.Static.Float')).value.value).toBe(Number.NEGATIVE_INFINITY);
    sim.setValue('ns=1;s=Demo.Static.Float', 'NaN');
    expect((await read(session, 'ns=1;s=Demo.Static.Float')).value.value).toBeNaN();
    sim.setValue('ns=1;s=Demo.Static.Float', 3.5);
    expect(() => sim.setValue('ns=1;s=Demo.Static.Double', 'abc')).toThrow(/not a number/);
    expect(() => sim.setValue('ns=1;s=Demo.Static.Int16', Number.NaN)).toThrow(/not a number/);
    expect(() => sim.setValue('ns=1;s=Demo.Static.Byte', 300)).toThrow(/does not fit Byte/);
    expect(() => sim.setValue('ns=1;s=Demo.Static.Boolean', 1)).toThrow();
    expect(() => sim.setValue('ns=1;s=No.Such.Node', 1)).toThrow(/no node/);
    expect(() => sim.setValue('ns=1;s=Demo.Static', 1)).toThrow(/not a variable/);
  });

  it('removeNode: reads answer BadNodeIdUnknown, a monitored item gets BadNodeIdInvalid', async () => {
    const session = await openSession(url);
    const subscription = await session.createSubscription2({
      requestedPublishingInterval: 100,
      requestedMaxKeepAliveCount: 10,
      requestedLifetimeCount: 100,
      publishingEnabled: true,
    });
    const item = await subscription.monitor(
      { nodeId: 'ns=1;s=Demo.Static.Double', attributeId: AttributeIds.Value },
      { samplingInterval: 100, queueSize: 10, discardOldest: true },
      TimestampsToReturn.Both,
    );
    const statuses: string[] = [];
    item.on('changed', (dv: DataValue) => statuses.push(dv.statusCode.name));
    await waitFor(() => statuses.includes('Good'));

    sim.removeNode('ns=1;s=Demo.Static.Double');
    expect((await read(session, 'ns=1;s=Demo.Static.Double')).statusCode.name).toBe('BadNodeIdUnknown');
    // node-opcua reports a deleted node to its monitored items as BadNodeIdInvalid.
    await waitFor(() => statuses.length > 1);
    expect(statuses.at(-1)).toBe('BadNodeIdInvalid');
    expect(() => sim.removeNode('ns=1;s=Demo.Static.Double')).toThrow(/no node/);
  });

  it('counts sessions: 1 while a session is open, 0 after it closes', async () => {
    expect(sim.sessionCount).toBe(0);
    const session = await openSession(url);
    expect(sim.sessionCount).toBe(1);
    await session.close();
    await waitFor(() => sim.sessionCount === 0);
  });

  it('restarts on the same port with the same certificate and fresh values', async () => {
    const thumbprint = sim.certificateThumbprint;
    expect(thumbprint).toMatch(/^[0-9a-f]{40}$/);
    sim.setValue('ns=1;s=Demo.Setpoint', 99);
    const before = await openSession(url);
    expect(sim.sessionCount).toBe(1);

    await sim.restart();
    expect(sim.certificateThumbprint).toBe(thumbprint);
    expect(sim.sessionCount).toBe(0);
    const after = await openSession(url);
    expect(sim.sessionCount).toBe(1);
    expect((await read(after, 'ns=1;s=Demo.Setpoint')).value.value).toBe(22.5);
    // The node removed before the restart is back.
    expect((await read(after, 'ns=1;s=Demo.Static.Double')).statusCode.name).toBe('Good');
    expect(before.sessionId.toString()).not.toBe(after.sessionId.toString());
  });

  it('SignAndEncrypt with Basic256Sha256 and a username login', async () => {
    const secure = { mode: MessageSecurityMode.SignAndEncrypt, policy: SecurityPolicy.Basic256Sha256 };
    const session = await openSession(url, USER_LOGIN, secure);
    expect((await read(session, 'ns=1;s=Demo.Setpoint')).statusCode.name).toBe('Good');
    await expect(openSession(url, { ...USER_LOGIN, password: 'wrong' }, secure)).rejects.toThrow(/BadUserAccessDenied/);
  });

  it.each([
    [MessageSecurityMode.Sign, SecurityPolicy.Aes128_Sha256_RsaOaep],
    [MessageSecurityMode.SignAndEncrypt, SecurityPolicy.Aes256_Sha256_RsaPss],
  ])('offers security mode %s with %s', async (mode, policy) => {
    const session = await openSession(url, undefined, { mode, policy });
    expect((await read(session, 'ns=1;s=Demo.Setpoint')).statusCode.name).toBe('Good');
  });

  it('a client that does not trust the server certificate refuses it and files it by thumbprint', async () => {
    const pkiDir = tempDir('tagwire-opcua-untrusting-');
    const opts = {
      mode: MessageSecurityMode.SignAndEncrypt,
      policy: SecurityPolicy.Basic256Sha256,
      pkiDir,
      acceptServer: false,
    };
    await expect(connect(url, opts)).rejects.toThrow(/BadCertificateUntrusted/);
    const rejected = readdirSync(join(pkiDir, 'rejected'));
    expect(rejected.some((f) => f.includes(`[${sim.certificateThumbprint}]`))).toBe(true);
  });
});

describe('OpcuaSimulator without anonymous logins, with bulk variables', () => {
  let sim: OpcuaSimulator;

  beforeAll(async () => {
    const opts = { port: await freePort(), pkiDir: serverPki, users: [USER], allowAnonymous: false };
    sim = new OpcuaSimulator({ ...opts, extraVariables: 50, bulkIntervalMs: 0 });
    await sim.start();
  }, SLOW_HOOK_MS);

  afterAll(async () => {
    await sim?.stop();
  });

  it('refuses anonymous sessions and accepts the user', async () => {
    await expect(openSession(sim.endpointUrl)).rejects.toThrow(
      /ANONYMOUS|BadIdentityTokenInvalid|BadUserAccessDenied/i,
    );
    const session = await openSession(sim.endpointUrl, USER_LOGIN);
    expect((await read(session, 'ns=1;s=Demo.Setpoint')).statusCode.name).toBe('Good');
  });

  it('serves Bulk.V0 … V49, changed on demand', async () => {
    const session = await openSession(sim.endpointUrl, USER_LOGIN);
    const bulk = await session.browse('ns=1;s=Bulk');
    expect(bulk.references).toHaveLength(50);
    expect((await read(session, 'ns=1;s=Bulk.V49')).value.value).toBe(0);
    expect((await read(session, 'ns=1;s=Bulk.V50')).statusCode.name).toBe('BadNodeIdUnknown');
    sim.tickBulk();
    sim.tickBulk();
    const v0 = await read(session, 'ns=1;s=Bulk.V0');
    expect(v0.value.value).toBe(2);
    expect(v0.sourceTimestamp).toBeInstanceOf(Date);
  });
});

describe('runOpcuaSimulator', () => {
  it(
    'logs the endpoint and the security offered, and closes',
    async () => {
      const lines: string[] = [];
      const port = await freePort();
      const running = await runOpcuaSimulator({
        port,
        host: '127.0.0.1',
        pkiDir: serverPki,
        log: (m) => lines.push(m),
      });
      try {
        expect(running.endpointUrl).toBe(`opc.tcp://127.0.0.1:${port}`);
        expect(lines.join('\n')).toMatch(/listening on opc\.tcp:\/\/127\.0\.0\.1/);
        expect(lines.join('\n')).toMatch(/Basic256Sha256.*Aes128_Sha256_RsaOaep.*Aes256_Sha256_RsaPss/);
        const session = await openSession(running.endpointUrl);
        expect((await read(session, 'ns=1;s=Demo.Setpoint')).value.value).toBe(22.5);
      } finally {
        await running.close();
      }
      await expect(connect(running.endpointUrl)).rejects.toThrow();
    },
    SLOW_HOOK_MS,
  );
});
