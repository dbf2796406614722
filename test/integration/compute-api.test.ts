/**
 * Computed tags over the HTTP API (SPEC §3.4, §5): the preview route against live values from a simulated
 * Modbus PLC, resource endpoints and writes for a compute device, and a refused configuration change.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModbusDataModel } from '../../simulators/modbus-model.js';
import { ModbusTcpSimulator } from '../../simulators/modbus-tcp-server.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

let sim: ModbusTcpSimulator;
let gw: TestGateway;
let viewer: Record<string, string>;
let operator: Record<string, string>;
let admin: Record<string, string>;

function configDoc(port: number, kpiTags: unknown[]): Record<string, unknown> {
  return {
    gateway: { id: 'gw1' },
    devices: [
      {
        name: 'plc',
        driver: 'modbus-tcp',
        settings: { host: '127.0.0.1', port, timeoutMs: 500, retries: 0 },
        groups: [
          {
            name: 'fast',
            intervalMs: 100,
            tags: [
              { name: 'voltage', address: 'hr:0' },
              { name: 'current', address: 'hr:1', scale: 0.1 },
              { name: 'counter', address: 'hr:10', type: 'uint64' },
            ],
          },
        ],
      },
      { name: 'kpi', driver: 'compute', groups: [{ name: 'derived', tags: kpiTags }] },
    ],
    north: [],
  };
}

const KPI_TAGS = [{ name: 'power_kw', expression: '{plc/voltage} * {plc/current} / 1000', unit: 'kW' }];

beforeAll(async () => {
  const model = new ModbusDataModel();
  model.addUnit(1).map('hr', 0, 20);
  model.setRegister(1, 'hr', 0, 230);
  model.setRegister(1, 'hr', 1, 125);
  model.setUint64(1, 'hr', 10, 18446744073709551615n);
  sim = new ModbusTcpSimulator(model, { port: 0 });
  const { port } = await sim.listen();
  gw = await startTestGateway(configDoc(port, KPI_TAGS), {
    users: {
      admin: ['admin-password-1', 'admin'],
      op: ['operator-password', 'operator'],
      view: ['viewer-password', 'viewer'],
    },
  });
  admin = await gw.login('admin', 'admin-password-1');
  operator = await gw.login('op', 'operator-password');
  viewer = await gw.login('view', 'viewer-password');
  // Wait for the first computed value: the inputs have been read.
  for (let i = 0; i < 100 && !gw.runtime.gateway.device('kpi').currentValue('power_kw'); i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
});

afterAll(async () => {
  await gw?.close();
  await sim?.close();
});

async function preview(expression: string, headers = viewer) {
  const res = await gw.app.inject({ method: 'POST', url: '/api/v1/compute/preview', headers, payload: { expression } });
  return { status: res.statusCode, body: res.json() as Record<string, unknown>, text: res.body };
}

describe('POST /api/v1/compute/preview', () => {
  it('evaluates against the current values, with the inputs’ quality and newest timestamp', async () => {
    const { status, body } = await preview('{plc/voltage} * {plc/current} / 1000');
    expect(status).toBe(200);
    expect(body).toMatchObject({ ok: true, value: 2.875, quality: 'good', references: ['plc/voltage', 'plc/current'] });
    const voltage = gw.runtime.gateway.device('plc').currentValue('voltage');
    expect(body.timestamp).toBeGreaterThanOrEqual(voltage?.timestamp ?? Number.POSITIVE_INFINITY);
  });

  it('keeps 64-bit integers exact in the answer', async () => {
    const { text } = await preview('{plc/counter} - 1');
    expect(text).toMatch(/"value":18446744073709551614,/);
  });

  it('gives a syntax error with its position', async () => {
    const { status, body } = await preview('{plc/voltage} * * 2');
    expect(status).toBe(200);
    expect(body).toEqual({
      ok: false,
      error: { message: 'Expected expression after * (at position 16)', position: 16 },
    });
  });

  it('gives an unknown reference with its position, and a runtime error', async () => {
    expect((await preview('1 + { plc/nope }')).body).toMatchObject({
      ok: false,
      error: { message: 'unknown reference {plc/nope}: no such device or tag', position: 4 },
    });
    expect((await preview('{plc/voltage} / 0')).body).toMatchObject({
      ok: false,
      error: { message: 'division by zero (at position 0)', position: 0 },
    });
  });

  it('refuses an escape attempt with an error, evaluating nothing', async () => {
    expect((await preview('constructor.constructor("return process")()')).body).toMatchObject({ ok: false });
  });

  it('needs a login', async () => {
    const res = await gw.app.inject({ method: 'POST', url: '/api/v1/compute/preview', payload: { expression: '1' } });
    expect(res.statusCode).toBe(401);
  });
});

describe('a compute device over the API', () => {
  it('shows its values and its device resource like any device', async () => {
    const values = (await gw.app.inject({ method: 'GET', url: '/api/v1/values', headers: viewer })).json() as Array<
      Record<string, unknown>
    >;
    expect(values.find((v) => v.device === 'kpi' && v.tag === 'power_kw')).toMatchObject({
      value: 2.875,
      quality: 'good',
      topic: 'kpi/power_kw',
    });
    const device = await gw.app.inject({ method: 'GET', url: '/api/v1/devices/kpi', headers: viewer });
    expect(device.json()).toMatchObject({ name: 'kpi', driver: 'compute', groups: [{ trigger: 'change' }] });
  });

  it('has no connection to test, and the schema offers no test read, browse or writes for it', async () => {
    const test = await gw.app.inject({
      method: 'POST',
      url: '/api/v1/devices/test-connection',
      headers: admin,
      payload: { driver: 'compute', groups: [{ name: 'g', tags: [{ name: 'two', expression: '1 + 1' }] }] },
    });
    expect(test.json()).toMatchObject({ ok: false, step: 'connect', error: { code: 'not-supported' } });
    const schema = (await gw.app.inject({ method: 'GET', url: '/api/v1/schema', headers: viewer })).json();
    expect(schema.drivers.compute.capabilities).toMatchObject({
      testRead: false,
      browse: false,
      writes: false,
      derivesValues: true,
    });
    expect(schema.drivers.compute.tag.properties.expression).toBeDefined();
    expect(schema.errors).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'input-bad' })]));
  });

  it('refuses a write to a computed tag', async () => {
    const res = await gw.app.inject({
      method: 'POST',
      url: '/api/v1/devices/kpi/tags/power_kw/write',
      headers: operator,
      payload: { value: 1 },
    });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.json()).toMatchObject({ error: { code: 'read-only' } });
  });

  it('refuses a configuration with a cycle whole, naming its path, and keeps the running one', async () => {
    const before = (await gw.app.inject({ method: 'GET', url: '/api/v1/config', headers: admin })).json();
    const port = (before as { devices: Array<{ settings: { port: number } }> }).devices[0]?.settings.port as number;
    const res = await gw.app.inject({
      method: 'PUT',
      url: '/api/v1/config',
      headers: admin,
      payload: configDoc(port, [
        ...KPI_TAGS,
        { name: 'a', expression: '{kpi/b} + 1' },
        { name: 'b', expression: '{kpi/a} + {plc/voltage}' },
      ]),
    });
    expect(res.statusCode).toBe(400);
    expect(JSON.stringify(res.json())).toContain(
      'devices[1].groups[0].tags[1].expression: cycle: {kpi/a} → {kpi/b} → {kpi/a}',
    );
    const after = (await gw.app.inject({ method: 'GET', url: '/api/v1/config', headers: admin })).json();
    expect(after).toEqual(before);
  });

  it('adds a computed tag through the tag resource endpoint, checked against the whole configuration', async () => {
    const bad = await gw.app.inject({
      method: 'POST',
      url: '/api/v1/devices/kpi/groups/derived/tags',
      headers: admin,
      payload: { name: 'watts', expression: '{plc/voltag} * 2' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('unknown reference {plc/voltag}');
    const ok = await gw.app.inject({
      method: 'POST',
      url: '/api/v1/devices/kpi/groups/derived/tags',
      headers: admin,
      payload: { name: 'watts', expression: '{kpi/power_kw} * 1000' },
    });
    expect(ok.statusCode).toBeLessThan(300);
    for (let i = 0; i < 100 && gw.runtime.gateway.device('kpi').currentValue('watts')?.value !== 2875; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(gw.runtime.gateway.device('kpi').currentValue('watts')).toMatchObject({ value: 2875, quality: 'good' });
  });
});
