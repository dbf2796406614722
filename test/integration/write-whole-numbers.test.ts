/**
 * SPEC §3.1: a write to an integer tag whose raw value (value - offset) / scale is not a whole
 * number (within 1e-9) is refused with invalid-value naming the type, never rounded, and
 * nothing reaches the device. Through the HTTP write API (real socket) and MQTT `_set`
 * (real mosquitto), against the simulated PLC over Modbus TCP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoModel, type DemoPlc } from '../../simulators/demo-plc.js';
import { ModbusTcpSimulator } from '../../simulators/modbus-tcp-server.js';
import { type Mosquitto, startMosquitto } from '../helpers/mosquitto.js';
import { field, MqttCollector, type Received } from '../helpers/mqtt-collector.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

const UNS = 'wholeplant';
const DEV = `${UNS}/plc`;
const PASSWORD = 'correct horse battery';

/** Every register integer type, in the simulator's zeroed scratch area (hr:100..199). */
const INTEGER_TAGS = [
  { name: 'i16', address: 'hr:100', type: 'int16' },
  { name: 'u16', address: 'hr:101', type: 'uint16' },
  { name: 'i32', address: 'hr:102', type: 'int32' },
  { name: 'u32', address: 'hr:104', type: 'uint32' },
  { name: 'i64', address: 'hr:106', type: 'int64' },
  { name: 'u64', address: 'hr:110', type: 'uint64' },
] as const;

let demo: DemoPlc;
let sim: ModbusTcpSimulator;
let broker: Mosquitto;
let gw: TestGateway;
let sub: MqttCollector;
let auth: Record<string, string>;
/** Every write request that reached the simulated PLC, as "hr:ADDRESS+COUNT". */
const deviceWrites: string[] = [];

beforeAll(async () => {
  demo = createDemoModel();
  demo.start();
  demo.model.onWrite((_unit, area, address, count) => deviceWrites.push(`${area}:${address}+${count}`));
  sim = new ModbusTcpSimulator(demo.model, { port: 0 });
  const { port } = await sim.listen();
  broker = await startMosquitto();
  sub = await MqttCollector.connect(broker.url, `${UNS}/#`);
  const tags = [
    ...INTEGER_TAGS.map((t) => ({ ...t, access: 'readwrite' })),
    { name: 'motor/setpoint', address: 'hr:120', type: 'uint16', scale: 0.1, access: 'readwrite' },
    { name: 'level', address: 'hr:121', type: 'int16', scale: 0.5, offset: 10, access: 'readwrite' },
  ];
  gw = await startTestGateway(
    {
      gateway: { id: 'gw-whole', uns: UNS },
      devices: [
        {
          name: 'plc',
          driver: 'modbus-tcp',
          settings: { host: '127.0.0.1', port, timeoutMs: 1000 },
          groups: [{ name: 'g', intervalMs: 200, tags }],
        },
      ],
      north: [{ name: 'broker', plugin: 'mqtt', settings: { url: broker.url, qos: 1 } }],
    },
    { users: { admin: [PASSWORD, 'admin'] }, listen: true },
  );
  auth = await gw.login('admin', PASSWORD);
  await sub.waitForTopic(`${DEV}/_status`, (m) => field(m, 'state') === 'connected', { timeoutMs: 10_000 });
  await sub.waitForTopic(`${DEV}/u16`, (m) => field(m, 'quality') === 'good', { timeoutMs: 10_000 });
}, 30_000);

afterAll(async () => {
  await sub?.close();
  await gw?.close();
  await broker?.stop();
  demo?.stop();
  await sim?.close();
});

/** POST /api/v1/devices/plc/tags/{tag}/write over a real socket. */
async function httpWrite(tag: string, value: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${gw.base}/api/v1/devices/plc/tags/${tag}/write`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ value }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

let requestNo = 0;
/** Publishes `{value, id}` to the tag's `_set` and returns its `_set/result`. */
async function mqttWrite(tag: string, value: unknown): Promise<Record<string, unknown>> {
  const id = `w${++requestNo}`;
  const mark = sub.mark();
  await sub.publish(`${DEV}/${tag}/_set`, JSON.stringify({ value, id }));
  const result: Received = await sub.waitForTopic(`${DEV}/${tag}/_set/result`, (m) => field(m, 'id') === id, {
    since: mark,
  });
  return result.json as Record<string, unknown>;
}

const scratch = () => demo.model.getRegisters(1, 'hr', 100, 22);

describe('a fractional value for an integer tag', () => {
  it.each(INTEGER_TAGS)('is refused over HTTP for $type, naming the type, and nothing is written', async (tag) => {
    const before = scratch();
    const writesBefore = deviceWrites.length;
    const { status, body } = await httpWrite(tag.name, 1500.6);
    expect(status).toBe(400);
    expect(body.error).toMatchObject({
      code: 'invalid-value',
      message: `${tag.name} is ${tag.type}: 1500.6 is not a whole number`,
    });
    expect(deviceWrites.length).toBe(writesBefore);
    expect(scratch()).toEqual(before);
  });

  it.each(INTEGER_TAGS)('is refused through MQTT _set for $type, and nothing is written', async (tag) => {
    const before = scratch();
    const writesBefore = deviceWrites.length;
    const result = await mqttWrite(tag.name, -2.5);
    expect(result).toMatchObject({ ok: false, error: 'invalid-value' });
    expect(result.message).toBe(`${tag.name} is ${tag.type}: -2.5 is not a whole number`);
    expect(deviceWrites.length).toBe(writesBefore);
    expect(scratch()).toEqual(before);
  });

  it('is accepted when scale makes the raw value whole: 150.6 with scale 0.1 writes 1506', async () => {
    const http = await httpWrite('motor/setpoint', 150.6);
    expect(http.status).toBe(200);
    expect(demo.model.getRegister(1, 'hr', 120)).toBe(1506);

    const mqtt = await mqttWrite('motor/setpoint', 12.3);
    expect(mqtt).toMatchObject({ ok: true });
    expect(demo.model.getRegister(1, 'hr', 120)).toBe(123);
    // With an offset too: (14.5 - 10) / 0.5 = 9.
    expect(await mqttWrite('level', 14.5)).toMatchObject({ ok: true });
    expect(demo.model.getRegister(1, 'hr', 121)).toBe(9);
  });

  it('is refused when the scaled raw value is fractional (150.65 with scale 0.1 is raw 1506.5)', async () => {
    const before = scratch();
    const writesBefore = deviceWrites.length;
    const http = await httpWrite('motor/setpoint', 150.65);
    expect(http.status).toBe(400);
    expect(http.body.error).toMatchObject({ code: 'invalid-value' });
    expect(String((http.body.error as { message: string }).message)).toMatch(
      /^motor\/setpoint is uint16 with scale 0\.1: 150\.65 gives raw 1506\.5\d*, not a whole number/,
    );
    // (14.7 - 10) / 0.5 = 9.4
    expect(await mqttWrite('level', 14.7)).toMatchObject({ ok: false, error: 'invalid-value' });
    expect(deviceWrites.length).toBe(writesBefore);
    expect(scratch()).toEqual(before);
  });

  it('still writes whole numbers of every integer type', async () => {
    for (const tag of INTEGER_TAGS) {
      expect(await mqttWrite(tag.name, 1500)).toMatchObject({ ok: true });
    }
    expect(demo.model.getRegister(1, 'hr', 101)).toBe(1500);
    expect(demo.model.getRegisters(1, 'hr', 110, 4)).toEqual([0, 0, 0, 1500]);
  });
});
