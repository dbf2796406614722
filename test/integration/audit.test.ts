/**
 * The audit trail (SPEC §5 `GET /api/v1/audit`): logins, configuration changes, writes over
 * HTTP and MQTT with value and result, and user changes, with who, when and from where —
 * against a listening gateway, the simulated PLC over Modbus TCP and a real mosquitto.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRow } from '../../core/audit-types.js';
import { createDemoModel, type DemoPlc } from '../../simulators/demo-plc.js';
import { ModbusTcpSimulator } from '../../simulators/modbus-tcp-server.js';
import { type Mosquitto, startMosquitto } from '../helpers/mosquitto.js';
import { field, MqttCollector } from '../helpers/mqtt-collector.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

const UNS = 'auditplant';
const ADMIN = 'admin-audit-password';
const VIEWER = 'viewer-audit-password';

let demo: DemoPlc;
let sim: ModbusTcpSimulator;
let broker: Mosquitto;
let gw: TestGateway;
let sub: MqttCollector;
let admin: Record<string, string>;
const logLines: string[] = [];

async function call(method: string, path: string, headers: Record<string, string>, body?: unknown) {
  const res = await fetch(`${gw.base}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) as unknown };
}

async function audit(query = ''): Promise<AuditRow[]> {
  const res = await call('GET', `/api/v1/audit${query}`, admin);
  expect(res.status, res.text).toBe(200);
  return res.json() as AuditRow[];
}

beforeAll(async () => {
  demo = createDemoModel();
  demo.start();
  sim = new ModbusTcpSimulator(demo.model, { port: 0 });
  const { port } = await sim.listen();
  broker = await startMosquitto();
  sub = await MqttCollector.connect(broker.url, `${UNS}/#`);
  const log = pino(
    { level: 'info' },
    new Writable({
      write(chunk, _enc, done) {
        logLines.push(String(chunk));
        done();
      },
    }),
  );
  gw = await startTestGateway(
    {
      gateway: { id: 'gw-audit', uns: UNS },
      devices: [
        {
          name: 'plc',
          driver: 'modbus-tcp',
          settings: { host: '127.0.0.1', port, timeoutMs: 1000 },
          groups: [
            {
              name: 'g',
              intervalMs: 200,
              tags: [{ name: 'speed', address: 'hr:2', type: 'uint16', access: 'readwrite' }],
            },
          ],
        },
      ],
      north: [{ name: 'plant', plugin: 'mqtt', settings: { url: broker.url, qos: 1 } }],
    },
    { users: { admin: [ADMIN, 'admin'], eve: [VIEWER, 'viewer'] }, listen: true, log },
  );
  await sub.waitForTopic(`${UNS}/plc/speed`, (m) => field(m, 'quality') === 'good', { timeoutMs: 10_000 });
}, 30_000);

afterAll(async () => {
  await sub?.close();
  await gw?.close();
  await broker?.stop();
  demo?.stop();
  await sim?.close();
});

describe('audit trail', () => {
  it('records failed and good logins with the name tried and the address', async () => {
    const wrong = await call('POST', '/api/v1/auth/login', {}, { username: 'admin', password: 'not it' });
    expect(wrong.status).toBe(401);
    const res = await call('POST', '/api/v1/auth/login', {}, { username: 'admin', password: ADMIN });
    admin = { authorization: `Bearer ${(res.json() as { token: string }).token}` };
    const logins = await audit('?kind=login');
    expect(logins.slice(0, 2)).toMatchObject([
      { kind: 'login', user: 'admin', ok: true, source: 'http', address: '127.0.0.1' },
      { kind: 'login', user: 'admin', ok: false, error: 'invalid-credentials', address: '127.0.0.1' },
    ]);
  });

  it('records HTTP writes with value and result, refusals included, and logs them', async () => {
    expect((await call('POST', '/api/v1/devices/plc/tags/speed/write', admin, { value: 1700 })).status).toBe(200);
    expect((await call('POST', '/api/v1/devices/plc/tags/speed/write', admin, { value: 1700.5 })).status).toBe(400);
    const writes = await audit('?kind=write');
    expect(writes.slice(0, 2)).toMatchObject([
      { action: 'write plc/speed', ok: false, value: '1700.5', error: 'invalid-value', user: 'admin', source: 'http' },
      { action: 'write plc/speed', ok: true, value: '1700', user: 'admin', source: 'http', address: '127.0.0.1' },
    ]);
    const logged = logLines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logged).toContainEqual(
      expect.objectContaining({ msg: 'written', device: 'plc', tag: 'speed', value: 1700, source: 'http' }),
    );
    expect(logged).toContainEqual(
      expect.objectContaining({ msg: 'write refused', tag: 'speed', value: 1700.5, error: 'invalid-value' }),
    );
  });

  it('records MQTT writes with the north app they came through', async () => {
    await sub.publish(`${UNS}/plc/speed/_set`, '{"value": 1234, "id": "a1"}');
    await sub.waitForTopic(`${UNS}/plc/speed/_set/result`, (m) => field(m, 'id') === 'a1');
    const [last] = await audit('?kind=write&limit=1');
    expect(last).toMatchObject({ action: 'write plc/speed', ok: true, value: '1234', source: 'mqtt:plant' });
    expect(last?.user).toBeUndefined();
  });

  it('records configuration and user changes, and filters by user and time', async () => {
    const before = Date.now();
    const config = (await call('GET', '/api/v1/config', admin)).json() as { gateway: { uns: string } };
    expect((await call('PUT', '/api/v1/config', admin, config)).status).toBe(200);
    expect(
      (await call('POST', '/api/v1/users', admin, { username: 'op2', password: 'operator-2-pass', role: 'operator' }))
        .status,
    ).toBe(201);
    const recent = await audit(`?from=${before}&user=admin`);
    expect(recent.map((r) => [r.kind, r.action])).toEqual([
      ['user', 'add user op2 (operator)'],
      ['config', 'configuration: api: no changes'],
    ]);
    expect(await audit(`?to=${before - 60_000}`)).toEqual([]);
  });

  it('exports CSV with spreadsheet formulas neutralised, and refuses viewers and bad filters', async () => {
    await call('POST', '/api/v1/auth/login', {}, { username: '=cmd|calc', password: 'x' });
    const res = await fetch(`${gw.base}/api/v1/audit?format=csv&kind=login`, { headers: admin });
    expect(res.status).toBe(200);
    // Raw bytes: a UTF-8 byte order mark first, so that Excel reads the file as UTF-8.
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.subarray(3).toString('utf8');
    expect(text.startsWith('time,user,kind,action,ok,value,error,source,address')).toBe(true);
    expect(text).toContain(",'=cmd|calc,login,login,refused,,invalid-credentials,http,127.0.0.1");

    const viewer = await call('POST', '/api/v1/auth/login', {}, { username: 'eve', password: VIEWER });
    const eve = { authorization: `Bearer ${(viewer.json() as { token: string }).token}` };
    expect((await call('GET', '/api/v1/audit', eve)).status).toBe(403);
    const bad = await call('GET', '/api/v1/audit?kind=coffee', admin);
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('kind must be one of login, config, write');
  });
});
