/**
 * Models end to end (SPEC §3.6): devices built from one model poll a simulated Modbus PLC
 * serving many unit ids on two ports; a real mosquitto and a real subscriber check that the
 * published JSON Schemas (validated with Ajv, draft 2020-12) describe every payload, that a
 * model change reaches every device built from it and restarts only those, and the API.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModbusDataModel } from '../../simulators/modbus-model.js';
import { ModbusTcpSimulator } from '../../simulators/modbus-tcp-server.js';
import { type Mosquitto, startMosquitto } from '../helpers/mosquitto.js';
import { field, MqttCollector, type Received } from '../helpers/mqtt-collector.js';
import { metricNamed, SparkplugHost } from '../helpers/sparkplug-host.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

const UNITS_A = 12;
const UNITS_B = 6;
const GHOST_UNIT = 99;

let broker: Mosquitto;
let gw: TestGateway;
let sub: MqttCollector;
const sims: ModbusTcpSimulator[] = [];
let admin: Record<string, string>;
let viewer: Record<string, string>;

/** A PLC port with units 1..n; unit u has voltage 230+u, current u/10, count u, power 1000+u. */
async function plc(units: number): Promise<number> {
  const model = new ModbusDataModel();
  for (let u = 1; u <= units; u++) {
    model.addUnit(u).map('hr', 0, 16);
    model.setFloat32(u, 'hr', 0, 230 + u);
    model.setFloat32(u, 'hr', 2, u / 10);
    model.setUint16(u, 'hr', 4, u);
    model.setFloat32(u, 'hr', 6, 1000 + u);
  }
  const sim = new ModbusTcpSimulator(model, { host: '127.0.0.1', port: 0 });
  sims.push(sim);
  return (await sim.listen()).port;
}

const meterModel = (port: number, extraTags: unknown[] = []) => ({
  name: 'meter',
  description: 'Power meter',
  driver: 'modbus-tcp',
  params: ['line'],
  settings: { host: '127.0.0.1', port, timeoutMs: 400, retries: 0 },
  groups: [
    {
      name: 'fast',
      intervalMs: 300,
      tags: [
        { name: 'voltage', address: 'hr:0', type: 'float32', unit: 'V', description: 'Phase voltage' },
        { name: 'current', address: 'hr:2', type: 'float32', unit: 'A' },
        { name: 'count', address: 'hr:4', type: 'uint16' },
        ...extraTags,
      ],
    },
  ],
});

interface Meter {
  name: string;
  topic: string;
  unit: number;
}
const meters: Meter[] = [];

beforeAll(async () => {
  broker = await startMosquitto();
  const portA = await plc(UNITS_A);
  const portB = await plc(UNITS_B);
  const devices: unknown[] = [];
  for (let u = 1; u <= UNITS_A; u++) {
    const line = u % 2 ? 'L1' : 'L2';
    devices.push({
      name: `a${u}`,
      model: 'meter',
      uns: 'hall/${line}/a' + u,
      settings: { unitId: u },
      params: { line },
    });
    meters.push({ name: `a${u}`, topic: `plant/hall/${line}/a${u}`, unit: u });
  }
  for (let u = 1; u <= UNITS_B; u++) {
    devices.push({ name: `b${u}`, model: 'meter', settings: { port: portB, unitId: u }, params: { line: 'L3' } });
    meters.push({ name: `b${u}`, topic: `plant/b${u}`, unit: u });
  }
  devices.push({ name: 'ghost', model: 'meter', settings: { unitId: GHOST_UNIT }, params: { line: 'L9' } });
  devices.push({
    name: 'other',
    driver: 'modbus-tcp',
    settings: { host: '127.0.0.1', port: portA, unitId: 1 },
    groups: [{ name: 'g', intervalMs: 300, tags: [{ name: 'v', address: 'hr:0', type: 'float32' }] }],
  });
  const url = broker.url;
  gw = await startTestGateway(
    {
      gateway: { id: 'gw-models', uns: 'plant' },
      models: [meterModel(portA)],
      devices,
      north: [
        { name: 'uns', plugin: 'mqtt', settings: { url, clientId: 'models-uns' } },
        { name: 'grp', plugin: 'mqtt', settings: { url, clientId: 'models-grp', format: 'group' } },
        { name: 'spb', plugin: 'sparkplug-b', devices: ['a1', 'b2'], settings: { url, groupId: 'models' } },
      ],
    },
    {
      users: { admin: ['admin-password-1', 'admin'], watcher: ['viewer-password-1', 'viewer'] },
      recordFirstStart: true,
    },
  );
  admin = await gw.login('admin', 'admin-password-1');
  viewer = await gw.login('watcher', 'viewer-password-1');
  sub = await MqttCollector.connect(url, 'plant/#');
}, 60_000);

afterAll(async () => {
  await sub?.close();
  await gw?.close();
  for (const sim of sims) await sim.close();
  await broker?.stop();
}, 30_000);

function validator() {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  ajv.addKeyword('x-unit');
  return ajv;
}

const tagName = (m: Received, device: Meter) => m.topic.slice(device.topic.length + 1);

describe('models: the published data contract', () => {
  it('publishes each model retained as a JSON Schema that every tag payload validates against', {
    timeout: 30_000,
  }, async () => {
    const contract = await sub.waitForTopic('plant/_models/meter', undefined, { timeoutMs: 10_000 });
    expect(contract.retain).toBe(true);
    const schema = contract.json as { $schema: string; properties: Record<string, Record<string, unknown>> };
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(Object.keys(schema.properties)).toEqual(['voltage', 'current', 'count']);
    expect(schema.properties.voltage).toMatchObject({ description: 'Phase voltage [V]', 'x-unit': 'V' });
    const ajv = validator();
    const check = Object.fromEntries(Object.entries(schema.properties).map(([tag, s]) => [tag, ajv.compile(s)]));

    // Every tag of every device built from the model, then the ghost unit's bad-quality form.
    for (const meter of meters) {
      for (const tag of ['voltage', 'current', 'count']) {
        await sub.waitForTopic(`${meter.topic}/${tag}`, (m) => field(m, 'quality') === 'good', { timeoutMs: 10_000 });
      }
    }
    const bad = await sub.waitForTopic('plant/ghost/voltage', (m) => field(m, 'quality') === 'bad', {
      timeoutMs: 10_000,
    });
    expect(bad.json).toMatchObject({ value: null, error: 'timeout' });

    let validated = 0;
    for (const device of [...meters, { name: 'ghost', topic: 'plant/ghost', unit: GHOST_UNIT }]) {
      for (const m of sub.filter((r) => r.topic.startsWith(`${device.topic}/`) && !r.topic.includes('/_'))) {
        const validate = check[tagName(m, device)];
        expect(validate, m.topic).toBeDefined();
        expect(validate?.(m.json), `${m.topic} ${m.text} ${JSON.stringify(validate?.errors)}`).toBe(true);
        validated++;
      }
    }
    expect(validated).toBeGreaterThanOrEqual(meters.length * 3 + 1);
    // The per-unit values prove each device read its own unit id.
    const a7 = sub.filter((m) => m.topic === 'plant/hall/L1/a7/count').at(-1);
    expect(field(a7 as Received, 'value')).toBe(7);
    // The schema is not a catch-all: a wrong type and a missing error fail it.
    expect(check.count?.({ value: 'seven', timestamp: 1, quality: 'good' })).toBe(false);
    expect(check.count?.({ value: 1.5, timestamp: 1, quality: 'good' })).toBe(false);
    expect(check.voltage?.({ value: null, timestamp: 1, quality: 'bad' })).toBe(false);
  });

  it('publishes the schema of each group beside it, and every group payload validates', {
    timeout: 20_000,
  }, async () => {
    const contract = await sub.waitForTopic('plant/_models/meter/_group/fast', undefined, { timeoutMs: 10_000 });
    expect(contract.retain).toBe(true);
    const validate = validator().compile(contract.json as object);
    await sub.waitForTopic('plant/ghost/_group/fast', (m) => Object.keys(field(m, 'errors') as object).length > 0, {
      timeoutMs: 10_000,
    });
    for (const meter of meters) await sub.waitForTopic(`${meter.topic}/_group/fast`, undefined, { timeoutMs: 10_000 });
    const groups = sub.filter((m) => m.topic.endsWith('/_group/fast') && !m.topic.includes('_models'));
    expect(groups.length).toBeGreaterThanOrEqual(meters.length + 1);
    for (const m of groups) expect(validate(m.json), `${m.topic} ${m.text}`).toBe(true);
    expect(validate({ timestamp: 1, values: { voltage: 'x' }, errors: {} })).toBe(false);
  });

  it('says the model in the _status of a device built from it', async () => {
    const status = await sub.waitForTopic('plant/hall/L2/a4/_status', (m) => field(m, 'state') === 'connected', {
      timeoutMs: 10_000,
    });
    expect(field(status, 'model')).toBe('meter');
    const other = await sub.waitForTopic('plant/other/_status', undefined, { timeoutMs: 10_000 });
    expect(other.json).not.toHaveProperty('model');
  });
});

describe('models: Sparkplug B', () => {
  it('publishes a device built from a model as an ordinary device: its tags as metrics in DBIRTH', {
    timeout: 20_000,
  }, async () => {
    const host = await SparkplugHost.connect(broker.url);
    try {
      const since = host.mark();
      await host.nodeCommand('models', 'gw-models', [{ name: 'Node Control/Rebirth', type: 'Boolean', value: true }]);
      const birth = await host.waitFor((m) => m.type === 'DBIRTH' && m.device === 'b2', { since, timeoutMs: 10_000 });
      expect(birth.metrics.map((m) => m.name).sort()).toEqual(['count', 'current', 'voltage']);
      expect(metricNamed(birth, 'voltage')).toMatchObject({ type: 'Float', value: 232 });
      expect(metricNamed(birth, 'count')).toMatchObject({ value: 2 });
    } finally {
      await host.close();
    }
  });
});

describe('models: changing a model', () => {
  it('reaches every device built from it and restarts only those', { timeout: 40_000 }, async () => {
    const since = sub.mark();
    const portA = (gw.runtime.config.models[0]!.settings as { port: number }).port;
    const res = await gw.app.inject({
      method: 'PUT',
      url: '/api/v1/models/meter',
      headers: admin,
      payload: meterModel(portA, [{ name: 'power', address: 'hr:6', type: 'float32', unit: 'W' }]),
    });
    expect(res.statusCode, res.body).toBe(200);
    const restarted = (res.json() as { restarted: { devices: string[] } }).restarted.devices;
    expect(restarted.sort()).toEqual([...meters.map((m) => m.name), 'ghost'].sort());
    for (const meter of meters) {
      const power = await sub.waitForTopic(`${meter.topic}/power`, undefined, { since, timeoutMs: 15_000 });
      expect(field(power, 'value')).toBe(1000 + meter.unit);
    }
    const hasPower = (m: Received) => 'power' in ((m.json as { properties?: object }).properties ?? {});
    const contract = await sub.waitForTopic('plant/_models/meter', hasPower, { since, timeoutMs: 10_000 });
    expect(contract.retain).toBe(false); // a live update; a new subscriber gets it retained
    // History says it once.
    const history = await gw.app.inject({ method: 'GET', url: '/api/v1/config/history', headers: admin });
    expect(JSON.stringify(history.json())).toContain('edit model meter (19 devices)');
  });
});

describe('models: the HTTP API', () => {
  it('lists and shows models; GET /api/v1/config stays compact', async () => {
    const list = await gw.app.inject({ method: 'GET', url: '/api/v1/models', headers: viewer });
    expect(list.statusCode).toBe(200);
    expect((list.json() as Array<{ name: string }>).map((m) => m.name)).toEqual(['meter']);
    const config = (await gw.app.inject({ method: 'GET', url: '/api/v1/config', headers: viewer })).json() as {
      devices: Array<Record<string, unknown>>;
    };
    const a1 = config.devices.find((d) => d.name === 'a1');
    expect(a1).toMatchObject({ model: 'meter', uns: 'hall/${line}/a1', params: { line: 'L1' }, groups: [] });
    expect(a1).not.toHaveProperty('driver');
    const used = await gw.app.inject({ method: 'GET', url: '/api/v1/models/meter/devices', headers: viewer });
    expect((used.json() as unknown[]).length).toBe(meters.length + 1);
    expect((await gw.app.inject({ method: 'GET', url: '/api/v1/models/nope', headers: viewer })).statusCode).toBe(404);
  });

  it('creates devices from a model all or nothing, naming every bad row', { timeout: 20_000 }, async () => {
    const before = gw.runtime.config.devices.length;
    const url = '/api/v1/models/meter/devices';
    const rows = [
      { name: 'c1', uns: 'new/c1', unitId: 3, line: 'L4' },
      { name: 'c2', uns: 'new/c2', unitId: 'x', line: 'L4' },
      { name: 'c3', uns: 'new/c3', unitId: 5 },
    ];
    expect((await gw.app.inject({ method: 'POST', url, headers: viewer, payload: { devices: rows } })).statusCode).toBe(
      403,
    );
    const refused = await gw.app.inject({ method: 'POST', url, headers: admin, payload: { devices: rows } });
    expect(refused.statusCode).toBe(400);
    const details = (refused.json() as { error: { details: string[] } }).error.details;
    expect(details).toEqual(
      expect.arrayContaining([
        'rows[1] (c2): settings.unitId: must be an integer',
        'rows[2] (c3): params.line: is required (a parameter of model meter)',
      ]),
    );
    expect(details.some((d) => d.startsWith('rows[0]'))).toBe(false);
    expect(gw.runtime.config.devices.length).toBe(before);

    const since = sub.mark();
    const good = [rows[0], { ...rows[1], unitId: 4 }];
    const created = await gw.app.inject({ method: 'POST', url, headers: admin, payload: { devices: good } });
    expect(created.statusCode, created.body).toBe(201);
    expect((created.json() as { created: string[] }).created).toEqual(['c1', 'c2']);
    const c2 = await sub.waitForTopic('plant/new/c2/count', undefined, { since, timeoutMs: 10_000 });
    expect(field(c2, 'value')).toBe(4);
  });

  it('refuses to delete a model in use (409) and deletes an unused one', async () => {
    const inUse = await gw.app.inject({ method: 'DELETE', url: '/api/v1/models/meter', headers: admin });
    expect(inUse.statusCode).toBe(409);
    expect((inUse.json() as { error: { details: string[] } }).error.details).toContain('a1');
    const spare = { name: 'spare', driver: 'modbus-tcp', groups: [] };
    expect(
      (await gw.app.inject({ method: 'POST', url: '/api/v1/models', headers: admin, payload: spare })).statusCode,
    ).toBe(201);
    expect((await gw.app.inject({ method: 'DELETE', url: '/api/v1/models/spare', headers: admin })).statusCode).toBe(
      200,
    );
    expect(gw.runtime.config.models.map((m) => m.name)).toEqual(['meter']);
  });

  it('saves a hand-built device as a model; the device becomes its first instance', { timeout: 20_000 }, async () => {
    const saved = await gw.app.inject({
      method: 'POST',
      url: '/api/v1/devices/other/save-as-model',
      headers: admin,
      payload: { model: 'one-reg', description: 'One register' },
    });
    expect(saved.statusCode, saved.body).toBe(201);
    const model = gw.runtime.config.models.find((m) => m.name === 'one-reg');
    expect(model).toMatchObject({ driver: 'modbus-tcp', description: 'One register', params: [] });
    expect(model?.settings).toMatchObject({ host: '127.0.0.1', unitId: 1 });
    expect(model?.groups.map((g) => g.name)).toEqual(['g']);
    const other = gw.runtime.config.devices.find((d) => d.name === 'other');
    expect(other).toMatchObject({ model: 'one-reg', groups: [], settings: { host: '127.0.0.1', unitId: 1 } });
    const since = sub.mark();
    await sub.waitForTopic('plant/other/v', undefined, { since, timeoutMs: 10_000 });
  });
});
