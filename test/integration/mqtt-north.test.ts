/**
 * The MQTT north app end to end, in process: the demo PLC simulator on a real TCP port,
 * the real runtime with the built-in Modbus TCP driver, a real mosquitto, and real MQTT
 * subscribers checking topics and payloads against SPEC §4.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { builtinRegistry } from '../../app/builtin-plugins.js';
import type { Config } from '../../core/config/schema.js';
import { validateConfig } from '../../core/config/validate.js';
import { silentLogger } from '../../core/log.js';
import { Runtime } from '../../core/runtime.js';
import { type Db, openDb } from '../../core/store/db.js';
import { createDemoModel, DEMO_INITIAL, type DemoPlc } from '../../simulators/demo-plc.js';
import { ModbusTcpSimulator } from '../../simulators/modbus-tcp-server.js';
import { freePort, type Mosquitto, startMosquitto } from '../helpers/mosquitto.js';
import { field, MqttCollector, type Received } from '../helpers/mqtt-collector.js';

const GATEWAY_ID = 'edge-1';
const INT64_TEXT = '1234567890123456789';
const registry = builtinRegistry();
// core/version.ts resolves package.json relative to dist/core/, so it cannot be imported from source.
const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

let broker: Mosquitto;
const cleanups: Array<() => Promise<void> | void> = [];
let plantNo = 0;

beforeAll(async () => {
  broker = await startMosquitto();
});

afterAll(async () => {
  await broker?.stop();
});

afterEach(async () => {
  // Reverse order: subscribers and the runtime go before the simulator they talk to.
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      await cleanup();
    } catch {
      // keep cleaning up the rest
    }
  }
});

/** A fresh `gateway.uns` per test, so retained messages of one test never satisfy another. */
function nextUns(): string {
  plantNo++;
  return `acme/plant${plantNo}`;
}

interface Sim {
  sim: ModbusTcpSimulator;
  demo: DemoPlc;
  port: number;
}

async function startSimulator(): Promise<Sim> {
  const demo = createDemoModel();
  demo.start();
  const sim = new ModbusTcpSimulator(demo.model, { port: 0 });
  const { port } = await sim.listen();
  cleanups.push(async () => {
    demo.stop();
    await sim.close();
  });
  return { sim, demo, port };
}

/** The tags of SPEC-style types on the demo map (simulators/README.md). */
function plantTags(): Array<Record<string, unknown>> {
  return [
    { name: 'clock', address: 'ir:10', type: 'uint64', unit: 'ms' },
    { name: 'big', address: 'hr:6', type: 'int64' },
    { name: 'motor/speed', address: 'hr:2', type: 'uint16', access: 'readwrite', unit: 'rpm' },
    { name: 'pump', address: 'coil:0', type: 'bool', access: 'readwrite' },
    { name: 'temperature', address: 'ir:0', type: 'float32' },
    { name: 'setpoint', address: 'hr:0', type: 'float32', access: 'read' },
    { name: 'info/name', address: 'hr:10', type: 'string', length: 20 },
  ];
}

interface DeviceOptions {
  name?: string;
  uns?: string;
  port: number;
  unitId?: number;
  intervalMs?: number;
  timeoutMs?: number;
  tags?: Array<Record<string, unknown>>;
}

function device(o: DeviceOptions): Record<string, unknown> {
  return {
    name: o.name ?? 'plc1',
    driver: 'modbus-tcp',
    uns: o.uns ?? `line1/${o.name ?? 'plc1'}`,
    settings: {
      host: '127.0.0.1',
      port: o.port,
      unitId: o.unitId ?? 1,
      timeoutMs: o.timeoutMs ?? 500,
      retries: 0,
    },
    groups: [{ name: 'fast', intervalMs: o.intervalMs ?? 200, tags: o.tags ?? plantTags() }],
  };
}

function configDoc(
  uns: string,
  devices: Array<Record<string, unknown>>,
  mqttSettings: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    gateway: { id: GATEWAY_ID, uns, broker: { enabled: false } },
    devices,
    north: [
      {
        name: 'plant-broker',
        plugin: 'mqtt',
        devices: ['*'],
        settings: { url: broker.url, qos: 1, retain: true, ...mqttSettings },
      },
    ],
  };
}

function validated(doc: Record<string, unknown>): Config {
  const result = validateConfig(doc, registry);
  if (!result.ok) throw new Error(`test config is invalid:\n${result.errors.join('\n')}`);
  return result.config;
}

interface Running {
  runtime: Runtime;
  db: Db;
}

async function startRuntime(doc: Record<string, unknown>): Promise<Running> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tagwire-mqtt-north-'));
  const db = openDb(dataDir);
  const runtime = new Runtime({
    db,
    dataDir,
    registry,
    log: silentLogger(),
    version: VERSION,
  });
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  cleanups.push(() => {
    db.close();
  });
  cleanups.push(() => runtime.stop());
  await runtime.start(validated(doc));
  return { runtime, db };
}

async function subscriber(topics: string | string[], protocolVersion: 4 | 5 = 4): Promise<MqttCollector> {
  const c = await MqttCollector.connect(broker.url, topics, { protocolVersion });
  cleanups.push(() => c.close());
  return c;
}

const obj = (m: Received): Record<string, unknown> => m.json as Record<string, unknown>;
const isGood = (m: Received) => field(m, 'quality') === 'good';
const closeToNow = (ts: unknown) => typeof ts === 'number' && Math.abs(ts - Date.now()) < 5000;

describe('MQTT north app (format uns)', () => {
  it('publishes every tag as {value, timestamp, quality} on {gateway.uns}/{device.uns}/{tag}, 64-bit integers exact', async () => {
    const { port } = await startSimulator();
    const uns = nextUns();
    const dev = `${uns}/line1/plc1`;
    const sub = await subscriber(`${uns}/#`);
    await startRuntime(configDoc(uns, [device({ port })]));

    const big = await sub.waitForTopic(`${dev}/big`, isGood);
    // Exact JSON integer in the raw text: no rounding through a double (1234567890123456800).
    expect(big.text).toMatch(new RegExp(`^\\{"value":${INT64_TEXT},"timestamp":\\d+,"quality":"good"\\}$`));
    expect(Object.keys(obj(big)).sort()).toEqual(['quality', 'timestamp', 'value']);
    expect(closeToNow(field(big, 'timestamp'))).toBe(true);

    const speed = await sub.waitForTopic(`${dev}/motor/speed`, isGood);
    expect(obj(speed)).toMatchObject({ value: DEMO_INITIAL.speed, quality: 'good' });
    const pump = await sub.waitForTopic(`${dev}/pump`, isGood);
    expect(obj(pump)).toMatchObject({ value: true, quality: 'good' });
    const name = await sub.waitForTopic(`${dev}/info/name`, isGood);
    expect(obj(name)).toMatchObject({ value: 'TAGWIRE-SIM', quality: 'good' });
    const setpoint = await sub.waitForTopic(`${dev}/setpoint`, isGood);
    expect(obj(setpoint)).toMatchObject({ value: 22.5, quality: 'good' });
    const temperature = await sub.waitForTopic(`${dev}/temperature`, isGood);
    const t = field(temperature, 'value') as number;
    expect(t).toBeGreaterThanOrEqual(20);
    expect(t).toBeLessThanOrEqual(25);
    // float32 shortest decimal: at most 9 significant digits, not the double expansion.
    expect(String(t).replace(/[-.]/g, '').replace(/^0+/, '').length).toBeLessThanOrEqual(9);

    // uint64 PLC clock (ms since epoch): live, so a second, later value follows.
    const clock1 = await sub.waitForTopic(`${dev}/clock`, isGood);
    expect(closeToNow(field(clock1, 'value'))).toBe(true);
    expect(Number.isInteger(field(clock1, 'value'))).toBe(true);
    const clock2 = await sub.waitFor(
      (m) =>
        m.topic === `${dev}/clock` && isGood(m) && (field(m, 'value') as number) > (field(clock1, 'value') as number),
      { since: clock1.index + 1 },
    );
    expect(field(clock2, 'timestamp') as number).toBeGreaterThan(field(clock1, 'timestamp') as number);

    // Status and gateway topics.
    const status = await sub.waitForTopic(`${dev}/_status`, (m) => field(m, 'state') === 'connected');
    expect(closeToNow(field(status, 'timestamp'))).toBe(true);
    expect(obj(status)).not.toHaveProperty('error');
    const gw = await sub.waitForTopic(`${uns}/_gateway/${GATEWAY_ID}`, (m) => field(m, 'online') === true);
    expect(obj(gw)).toMatchObject({ online: true, version: VERSION });
    expect(closeToNow(field(gw, 'timestamp'))).toBe(true);
  });

  it('at QoS 0 publishes straight out, never through the disk spool', async () => {
    const { port } = await startSimulator();
    const uns = nextUns();
    const dev = `${uns}/line1/plc1`;
    const sub = await subscriber(`${uns}/#`);
    const { runtime, db } = await startRuntime(configDoc(uns, [device({ port })], { qos: 0 }));
    const first = await sub.waitForTopic(`${dev}/clock`, isGood);
    await sub.waitFor((m) => m.topic === `${dev}/clock` && isGood(m), { since: first.index + 1 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM spool').get()).toEqual({ n: 0 });
    const north = runtime.gateway.status().north[0] as unknown as { counters: Record<string, number> };
    expect(north.counters.published).toBeGreaterThan(0);
    // Values read before the connection was up are dropped (QoS 0 is never buffered on disk).
    expect(north.counters.buffered).toBe(0);
  });

  it('retains values, device status and gateway status for a subscriber that connects later', async () => {
    const { port } = await startSimulator();
    const uns = nextUns();
    const dev = `${uns}/line1/plc1`;
    const first = await subscriber(`${uns}/#`);
    await startRuntime(configDoc(uns, [device({ port })]));
    // Wait until everything has been published once.
    for (const tag of ['big', 'motor/speed', 'pump', 'info/name', 'setpoint', 'temperature', 'clock']) {
      await first.waitForTopic(`${dev}/${tag}`, isGood);
    }
    await first.waitForTopic(`${dev}/_status`, (m) => field(m, 'state') === 'connected');

    const later = await subscriber(`${uns}/#`);
    const retained = (m: Received) => m.retain;
    const big = await later.waitForTopic(`${dev}/big`, retained);
    expect(big.text).toContain(`"value":${INT64_TEXT},`);
    expect(obj(big)).toMatchObject({ quality: 'good' });
    expect(obj(await later.waitForTopic(`${dev}/motor/speed`, retained))).toMatchObject({
      value: DEMO_INITIAL.speed,
      quality: 'good',
    });
    expect(obj(await later.waitForTopic(`${dev}/info/name`, retained))).toMatchObject({ value: 'TAGWIRE-SIM' });
    expect(obj(await later.waitForTopic(`${dev}/_status`, retained))).toMatchObject({ state: 'connected' });
    expect(obj(await later.waitForTopic(`${uns}/_gateway/${GATEWAY_ID}`, retained))).toMatchObject({
      online: true,
      version: VERSION,
    });
  });

  it('publishes {"online": false} (retained) on a clean stop', async () => {
    const { port } = await startSimulator();
    const uns = nextUns();
    const gwTopic = `${uns}/_gateway/${GATEWAY_ID}`;
    const sub = await subscriber(`${uns}/#`);
    const { runtime } = await startRuntime(configDoc(uns, [device({ port })]));
    await sub.waitForTopic(gwTopic, (m) => field(m, 'online') === true);
    const mark = sub.mark();

    await runtime.stop();
    const offline = await sub.waitForTopic(gwTopic, () => true, { since: mark });
    expect(obj(offline)).toMatchObject({ online: false });

    const later = await subscriber(gwTopic);
    const retained = await later.waitForTopic(gwTopic);
    expect(retained.retain).toBe(true);
    expect(obj(retained)).toMatchObject({ online: false });
  });
});

describe('MQTT north app (format group)', () => {
  it('publishes {device topic}/_group/{group} with values and errors', async () => {
    const { sim, port } = await startSimulator();
    const uns = nextUns();
    const dev = `${uns}/line1/plc1`;
    const groupTopic = `${dev}/_group/fast`;
    const sub = await subscriber(`${uns}/#`);
    await startRuntime(
      configDoc(uns, [device({ port, intervalMs: 100, timeoutMs: 100 })], {
        format: 'group',
      }),
    );

    const good = await sub.waitForTopic(groupTopic, (m) => Object.keys(field(m, 'values') ?? {}).length > 0);
    expect(good.text).toContain(`"big":${INT64_TEXT}`);
    expect(closeToNow(field(good, 'timestamp'))).toBe(true);
    expect(obj(good).errors).toEqual({});
    expect(obj(good).values).toMatchObject({
      big: Number(INT64_TEXT),
      'motor/speed': DEMO_INITIAL.speed,
      pump: true,
      setpoint: 22.5,
      'info/name': 'TAGWIRE-SIM',
    });
    expect(Object.keys(obj(good).values as object).sort()).toEqual(
      ['big', 'clock', 'info/name', 'motor/speed', 'pump', 'setpoint', 'temperature'].sort(),
    );
    // No per-tag topics in this format.
    expect(sub.filter((m) => m.topic === `${dev}/big` || m.topic === `${dev}/clock`)).toEqual([]);

    // A device that stops answering: one group message with every tag in `errors`.
    const mark = sub.mark();
    sim.silentUnits.add(1);
    const bad = await sub.waitForTopic(groupTopic, (m) => Object.keys(field(m, 'errors') ?? {}).length > 0, {
      since: mark,
    });
    expect(obj(bad).values).toEqual({});
    expect(obj(bad).errors).toEqual({
      big: 'timeout',
      clock: 'timeout',
      'info/name': 'timeout',
      'motor/speed': 'timeout',
      pump: 'timeout',
      setpoint: 'timeout',
      temperature: 'timeout',
    });
  });
});

describe('writes through {tag}/_set', () => {
  async function writablePlant(mqttSettings: Record<string, unknown> = {}) {
    const s = await startSimulator();
    const uns = nextUns();
    const dev = `${uns}/line1/plc1`;
    const sub = await subscriber(`${uns}/#`, mqttSettings.protocolVersion === 5 ? 5 : 4);
    const running = await startRuntime(configDoc(uns, [device({ port: s.port })], mqttSettings));
    await sub.waitForTopic(`${dev}/motor/speed`, isGood);
    await sub.waitForTopic(`${dev}/_status`, (m) => field(m, 'state') === 'connected');
    return { ...s, ...running, uns, dev, sub };
  }

  it('writes a plain JSON value, answers {"ok": true} and publishes the read-back value', async () => {
    const { sim, dev, sub } = await writablePlant();
    const mark = sub.mark();
    await sub.publish(`${dev}/motor/speed/_set`, '1234');

    const result = await sub.waitForTopic(`${dev}/motor/speed/_set/result`, () => true, { since: mark });
    expect(obj(result)).toMatchObject({ ok: true });
    expect(obj(result)).not.toHaveProperty('id');
    expect(closeToNow(field(result, 'timestamp'))).toBe(true);
    expect(result.retain).toBe(false);
    expect(sim.model.getRegister(1, 'hr', 2)).toBe(1234);
    const readBack = await sub.waitForTopic(`${dev}/motor/speed`, (m) => field(m, 'value') === 1234, { since: mark });
    expect(obj(readBack)).toMatchObject({ value: 1234, quality: 'good' });
  });

  it('echoes the id of {"value": 7, "id": "abc"} and writes a coil', async () => {
    const { sim, dev, sub } = await writablePlant();
    const mark = sub.mark();
    await sub.publish(`${dev}/motor/speed/_set`, '{"value": 7, "id": "abc"}');
    const result = await sub.waitForTopic(`${dev}/motor/speed/_set/result`, () => true, { since: mark });
    expect(obj(result)).toMatchObject({ id: 'abc', ok: true });
    expect(sim.model.getRegister(1, 'hr', 2)).toBe(7);
    await sub.waitForTopic(`${dev}/motor/speed`, (m) => field(m, 'value') === 7, { since: mark });

    await sub.publish(`${dev}/pump/_set`, '{"value": false, "id": 17}');
    const pumpResult = await sub.waitForTopic(`${dev}/pump/_set/result`, () => true, { since: mark });
    expect(obj(pumpResult)).toMatchObject({ id: 17, ok: true });
    expect(sim.model.getBit(1, 'coil', 0)).toBe(false);
    await sub.waitForTopic(`${dev}/pump`, (m) => field(m, 'value') === false, { since: mark });
  });

  it.each([
    { payload: '"abc"', code: 'invalid-value', what: 'a string for a uint16' },
    { payload: 'true', code: 'invalid-value', what: 'a boolean for a uint16' },
    { payload: '70000', code: 'out-of-range', what: '70000 for a uint16' },
    { payload: '-1', code: 'out-of-range', what: '-1 for a uint16' },
    { payload: 'speed up please', code: 'invalid-value', what: 'a payload that is not JSON' },
    { payload: '{"id": "x1"}', code: 'invalid-value', what: 'an object without "value"' },
  ])('refuses $what with ok:false and writes nothing', async ({ payload, code }) => {
    const { sim, dev, sub } = await writablePlant();
    const mark = sub.mark();
    await sub.publish(`${dev}/motor/speed/_set`, payload);
    const result = await sub.waitForTopic(`${dev}/motor/speed/_set/result`, () => true, { since: mark });
    // `error` is the stable code (SPEC §4); `message` explains it to a human.
    expect(obj(result)).toMatchObject({ ok: false, error: code });
    expect(typeof field(result, 'message')).toBe('string');
    expect((field(result, 'message') as string).length).toBeGreaterThan(0);
    expect(closeToNow(field(result, 'timestamp'))).toBe(true);
    expect(sim.model.getRegister(1, 'hr', 2)).toBe(DEMO_INITIAL.speed);
  });

  it('refuses a fraction for an integer tag, never rounds it (SPEC §3.1)', async () => {
    const { sim, dev, sub } = await writablePlant();
    const mark = sub.mark();
    await sub.publish(`${dev}/motor/speed/_set`, '{"value": 12.5, "id": "half"}');
    const result = await sub.waitForTopic(`${dev}/motor/speed/_set/result`, () => true, { since: mark });
    expect(obj(result)).toMatchObject({
      id: 'half',
      ok: false,
      error: 'invalid-value',
      message: 'motor/speed is uint16: 12.5 is not a whole number',
    });
    expect(sim.model.getRegister(1, 'hr', 2)).toBe(DEMO_INITIAL.speed);
  });

  it('does not act on a retained _set left on the broker (it would replay on every start)', async () => {
    const s = await startSimulator();
    const uns = nextUns();
    const dev = `${uns}/line1/plc1`;
    const setTopic = `${dev}/motor/speed/_set`;
    const sub = await subscriber(`${uns}/#`);
    // Someone published a write with the retain flag before the gateway started.
    await sub.publish(setTopic, '{"value": 999, "id": "stale"}', { qos: 1, retain: true });
    cleanups.push(() => sub.publish(setTopic, '', { qos: 1, retain: true }));
    await startRuntime(configDoc(uns, [device({ port: s.port })]));
    await sub.waitForTopic(`${dev}/_status`, (m) => field(m, 'state') === 'connected');

    // A fresh write after it is answered; by then the retained one had been delivered.
    const mark = sub.mark();
    await sub.publish(setTopic, '{"value": 1501, "id": "fresh"}');
    await sub.waitForTopic(`${dev}/motor/speed/_set/result`, (m) => field(m, 'id') === 'fresh', { since: mark });
    expect(sub.filter((m) => m.topic === `${dev}/motor/speed/_set/result`).map((m) => field(m, 'id'))).toEqual([
      'fresh',
    ]);
    expect(sub.filter((m) => m.topic === `${dev}/motor/speed` && field(m, 'value') === 999)).toEqual([]);
    expect(s.sim.model.getRegister(1, 'hr', 2)).toBe(1501);
  });

  it('keeps the id in a refusal', async () => {
    const { sim, dev, sub } = await writablePlant();
    const mark = sub.mark();
    await sub.publish(`${dev}/motor/speed/_set`, '{"value": 70000, "id": "too-big"}');
    const result = await sub.waitForTopic(`${dev}/motor/speed/_set/result`, () => true, { since: mark });
    expect(obj(result)).toMatchObject({ id: 'too-big', ok: false, error: 'out-of-range' });
    expect(sim.model.getRegister(1, 'hr', 2)).toBe(DEMO_INITIAL.speed);
  });

  it('ignores a _set for a tag the device does not have: no result, nothing written', async () => {
    const { sim, dev, sub } = await writablePlant();
    const mark = sub.mark();
    await sub.publish(`${dev}/motor/torque/_set`, '{"value": 5, "id": "unknown"}');
    await sub.publish(`${dev}/nosuchtag/_set`, '{"value": 5, "id": "unknown"}');
    await sub.publish(`${dev}/motor/speed/_set`, '{"value": 1502, "id": "after"}');
    const after = await sub.waitForTopic(`${dev}/motor/speed/_set/result`, () => true, { since: mark });
    expect(obj(after)).toMatchObject({ id: 'after', ok: true });
    expect(sub.filter((m) => m.topic.endsWith('/_set/result') && field(m, 'id') === 'unknown')).toEqual([]);
    expect(sim.model.getRegister(1, 'hr', 2)).toBe(1502);
  });

  it('nested devices whose requests one filter each would match: every request is one write and one result', async () => {
    const line = await startSimulator();
    const motor = await startSimulator();
    const uns = nextUns();
    const sub = await subscriber(`${uns}/#`);
    // `line1` has tag `motor/speed`, `line1/motor` has tag `torque`: one filter for each device's
    // two-level requests would both match `line1/motor/torque/_set`.
    await startRuntime(
      configDoc(uns, [
        device({ name: 'linePlc', uns: 'line1', port: line.port }),
        device({
          name: 'motorDrive',
          uns: 'line1/motor',
          port: motor.port,
          tags: [
            { name: 'torque', address: 'hr:2', type: 'uint16', access: 'readwrite' },
            { name: 'pump', address: 'coil:0', type: 'bool', access: 'readwrite' },
          ],
        }),
      ]),
    );
    await sub.waitForTopic(`${uns}/line1/motor/pump`, isGood);
    await sub.waitForTopic(`${uns}/line1/pump`, isGood);
    const mark = sub.mark();
    await sub.publish(`${uns}/line1/motor/torque/_set`, '{"value": 1601, "id": "torque"}');
    await sub.publish(`${uns}/line1/motor/speed/_set`, '{"value": 1602, "id": "speed"}');
    await sub.publish(`${uns}/line1/motor/pump/_set`, '{"value": false, "id": "motor-pump"}');
    await sub.waitForTopic(`${uns}/line1/motor/pump/_set/result`, (m) => field(m, 'id') === 'motor-pump', {
      since: mark,
    });
    await sub.waitForTopic(`${uns}/line1/motor/speed/_set/result`, (m) => field(m, 'id') === 'speed', {
      since: mark,
    });
    const results = sub.filter((m) => m.topic.endsWith('/_set/result')).map((m) => [m.topic, field(m, 'id')]);
    expect(results.sort()).toEqual([
      [`${uns}/line1/motor/pump/_set/result`, 'motor-pump'],
      [`${uns}/line1/motor/speed/_set/result`, 'speed'],
      [`${uns}/line1/motor/torque/_set/result`, 'torque'],
    ]);
    expect(motor.sim.model.getRegister(1, 'hr', 2)).toBe(1601);
    expect(line.sim.model.getRegister(1, 'hr', 2)).toBe(1602);
    expect(motor.sim.model.getBit(1, 'coil', 0)).toBe(false);
    expect(line.sim.model.getBit(1, 'coil', 0)).toBe(true);
  });

  it('never writes a read-only tag', async () => {
    const { sim, dev, sub } = await writablePlant();
    const mark = sub.mark();
    await sub.publish(`${dev}/setpoint/_set`, '99.5');
    await sub.publish(`${dev}/temperature/_set`, '99.5');
    // A write published after them by the same client: once it is answered, the gateway
    // has seen (or never subscribed to) the two before it.
    await sub.publish(`${dev}/motor/speed/_set`, '{"value": 1501, "id": "after"}');
    const after = await sub.waitForTopic(`${dev}/motor/speed/_set/result`, () => true, { since: mark });
    expect(obj(after)).toMatchObject({ id: 'after', ok: true });
    expect(sim.model.getFloat32(1, 'hr', 0)).toBe(22.5);
    // The setpoint was only ever published as 22.5.
    const published = sub.filter((m) => m.topic === `${dev}/setpoint`).map((m) => field(m, 'value'));
    expect(published.length).toBeGreaterThan(0);
    expect(new Set(published)).toEqual(new Set([22.5]));
  });

  // SPEC §3.1: "a write to a read-only tag … is refused with a clear error". Today the north
  // app subscribes only to the `_set` topics of writable tags (northbound/mqtt/app.ts,
  // refreshSetTopics), so this request gets no answer at all: a product gap, see the report.
  it.each([
    { tag: 'setpoint', what: 'a holding register configured access: read' },
    { tag: 'temperature', what: 'an input register' },
  ])('answers a _set on a read-only tag ($what) with ok:false, error read-only', async ({ tag }) => {
    const { dev, sub } = await writablePlant();
    const mark = sub.mark();
    await sub.publish(`${dev}/${tag}/_set`, '{"value": 99.5, "id": "ro"}');
    const result = await sub.waitForTopic(`${dev}/${tag}/_set/result`, () => true, { since: mark });
    expect(obj(result)).toMatchObject({ id: 'ro', ok: false, error: 'read-only' });
    expect(typeof field(result, 'message')).toBe('string');
  });

  it('honours MQTT 5 response topic and correlation data', async () => {
    const { sim, dev, sub } = await writablePlant({ protocolVersion: 5 });
    const responseTopic = `replies/${dev}/req-1`;
    const requester = await subscriber(responseTopic, 5);
    const mark = sub.mark();

    await requester.publish(`${dev}/motor/speed/_set`, '{"value": 4321, "id": "m5"}', {
      qos: 1,
      properties: { responseTopic, correlationData: Buffer.from('corr-0001') },
    });
    const response = await requester.waitForTopic(responseTopic);
    expect(obj(response)).toMatchObject({ id: 'm5', ok: true });
    expect(Buffer.from(response.packet.properties?.correlationData ?? []).toString()).toBe('corr-0001');
    expect(sim.model.getRegister(1, 'hr', 2)).toBe(4321);

    // A refusal goes the same way.
    await requester.publish(`${dev}/motor/speed/_set`, '70000', {
      qos: 1,
      properties: { responseTopic, correlationData: Buffer.from('corr-0002') },
    });
    const refused = await requester.waitForTopic(responseTopic, () => true, { since: response.index + 1 });
    expect(obj(refused)).toMatchObject({ ok: false, error: 'out-of-range' });
    expect(Buffer.from(refused.packet.properties?.correlationData ?? []).toString()).toBe('corr-0002');
    expect(sim.model.getRegister(1, 'hr', 2)).toBe(4321);

    // "instead": nothing went to {tag}/_set/result for those two. A plain request after
    // them is answered there, and is the only answer there.
    await requester.publish(`${dev}/motor/speed/_set`, '{"value": 4322, "id": "plain"}');
    await sub.waitForTopic(`${dev}/motor/speed/_set/result`, () => true, { since: mark });
    expect(sub.filter((m) => m.topic === `${dev}/motor/speed/_set/result`, mark).map((m) => field(m, 'id'))).toEqual([
      'plain',
    ]);
  });
});

describe('device failures', () => {
  it('publishes bad/timeout once, reports disconnected after 3 timed-out reads, and recovers', async () => {
    const { sim, port } = await startSimulator();
    const uns = nextUns();
    const dev = `${uns}/line1/plc1`;
    const sub = await subscriber(`${uns}/#`);
    await startRuntime(configDoc(uns, [device({ port, intervalMs: 100, timeoutMs: 100 })]));
    await sub.waitForTopic(`${dev}/_status`, (m) => field(m, 'state') === 'connected');
    await sub.waitForTopic(`${dev}/big`, isGood);
    const tags = ['clock', 'big', 'motor/speed', 'pump', 'temperature', 'setpoint', 'info/name'];
    for (const tag of tags) await sub.waitForTopic(`${dev}/${tag}`, isGood);

    const mark = sub.mark();
    const requestsBefore = sim.requests;
    sim.silentUnits.add(1);
    const bad = await sub.waitForTopic(`${dev}/big`, (m) => field(m, 'quality') === 'bad', { since: mark });
    expect(obj(bad)).toEqual({ value: null, timestamp: expect.any(Number), quality: 'bad', error: 'timeout' });
    expect(closeToNow(field(bad, 'timestamp'))).toBe(true);

    const down = await sub.waitForTopic(`${dev}/_status`, (m) => field(m, 'state') === 'disconnected', {
      since: mark,
    });
    expect(obj(down)).toMatchObject({ state: 'disconnected', error: 'timeout' });
    // Three reads of three blocks (ir, hr, coil) at least were sent and not answered.
    expect(sim.requests - requestsBefore).toBeGreaterThanOrEqual(3);

    const recoverMark = sub.mark();
    sim.silentUnits.delete(1);
    const up = await sub.waitForTopic(`${dev}/_status`, (m) => field(m, 'state') === 'connected', {
      since: recoverMark,
    });
    expect(obj(up)).not.toHaveProperty('error');
    for (const tag of tags) {
      await sub.waitForTopic(`${dev}/${tag}`, isGood, { since: recoverMark });
    }
    const bigAgain = await sub.waitForTopic(`${dev}/big`, isGood, { since: recoverMark });
    expect(bigAgain.text).toContain(`"value":${INT64_TEXT},`);

    // Bad was published exactly once per tag over the whole silent period (≥ 3 reads).
    for (const tag of tags) {
      const bads = sub.filter((m) => m.topic === `${dev}/${tag}` && field(m, 'quality') === 'bad', mark);
      expect(
        bads.map((m) => field(m, 'error')),
        tag,
      ).toEqual(['timeout']);
    }
    // While the unit was silent the device was never reported connected: disconnected with
    // error timeout first, then (retrying) connecting/disconnected, still with error timeout;
    // connected, without an error, only once it answered again.
    const statuses = sub.filter((m) => m.topic === `${dev}/_status`, mark).map((m) => obj(m));
    expect(statuses[0]).toMatchObject({ state: 'disconnected', error: 'timeout' });
    expect(statuses.at(-1)).toEqual({ state: 'connected', timestamp: expect.any(Number) });
    for (const st of statuses.slice(0, -1)) {
      expect(['disconnected', 'connecting']).toContain(st.state);
      expect(st.error).toBe('timeout');
    }
  });

  it('reports a device on a closed port as disconnected/connection-refused while another keeps publishing', async () => {
    const { port } = await startSimulator();
    const closedPort = await freePort();
    const uns = nextUns();
    const good = `${uns}/line1/plc1`;
    const ghost = `${uns}/line1/ghost`;
    const sub = await subscriber(`${uns}/#`);
    await startRuntime(
      configDoc(uns, [
        device({ port }),
        device({ name: 'ghost', port: closedPort, tags: [{ name: 'speed', address: 'hr:2', type: 'uint16' }] }),
      ]),
    );

    const refused = await sub.waitForTopic(`${ghost}/_status`, (m) => field(m, 'state') === 'disconnected');
    expect(obj(refused)).toMatchObject({ state: 'disconnected', error: 'connection-refused' });
    expect(closeToNow(field(refused, 'timestamp'))).toBe(true);

    // The healthy device is connected and keeps publishing after the other failed.
    await sub.waitForTopic(`${good}/_status`, (m) => field(m, 'state') === 'connected');
    const after = sub.mark();
    const clock = await sub.waitForTopic(`${good}/clock`, isGood, { since: after });
    expect(closeToNow(field(clock, 'value'))).toBe(true);
    // A device that never connected has no value to report as good.
    expect(sub.filter((m) => m.topic === `${ghost}/speed` && isGood(m))).toEqual([]);
  });
});

describe('configuration changes', () => {
  it('applyConfig restarts only the changed device; the other keeps its driver and status', async () => {
    const { sim, port } = await startSimulator();
    const uns = nextUns();
    const a = `${uns}/line1/plc1`;
    const b = `${uns}/line1/plc2`;
    const sub = await subscriber(`${uns}/#`);
    const deviceA = device({ port, name: 'plc1', unitId: 1 });
    const deviceB = device({ port, name: 'plc2', unitId: 2 });
    const { runtime } = await startRuntime(configDoc(uns, [deviceA, deviceB]));

    const aConnected = await sub.waitForTopic(`${a}/_status`, (m) => field(m, 'state') === 'connected');
    await sub.waitForTopic(`${b}/_status`, (m) => field(m, 'state') === 'connected');
    await sub.waitForTopic(`${a}/clock`, isGood);
    await sub.waitForTopic(`${b}/clock`, isGood);
    const readsBefore = deviceCounters(runtime, 'plc1').reads;
    expect(readsBefore).toBeGreaterThan(0);
    // Both units share one TCP connection (same host:port).
    expect(sim.connections).toBe(1);

    const mark = sub.mark();
    const changedB = device({
      port,
      name: 'plc2',
      unitId: 2,
      tags: [...plantTags(), { name: 'extra', address: 'hr:3', type: 'int16' }],
    });
    const restarted = await runtime.applyConfig(configDoc(uns, [deviceA, changedB]));
    expect(restarted).toEqual({ devices: ['plc2'], north: [] });

    // B runs with its new configuration.
    const extra = await sub.waitForTopic(`${b}/extra`, isGood, { since: mark });
    expect(obj(extra)).toMatchObject({ value: DEMO_INITIAL.int16, quality: 'good' });
    await sub.waitForTopic(`${b}/_status`, (m) => field(m, 'state') === 'connected', { since: mark });
    // A kept publishing …
    await sub.waitForTopic(`${a}/clock`, isGood, { since: mark });
    // … with the same runner (its read counter was not reset) and the same connection.
    expect(deviceCounters(runtime, 'plc1').reads).toBeGreaterThan(readsBefore);
    expect(sim.connections).toBe(1);
    // A's status never went through `connecting`: anything republished is its unchanged state.
    for (const m of sub.filter((x) => x.topic === `${a}/_status`, mark)) {
      expect(obj(m)).toEqual(obj(aConnected));
    }
    // The stored configuration is the new one.
    expect(runtime.config.devices[1]?.groups[0]?.tags.map((t) => t.name)).toContain('extra');
  });
});

function deviceCounters(runtime: Runtime, name: string): { reads: number } {
  const status = runtime.gateway.status().devices as Array<{ name: string; counters: { reads: number } }>;
  const d = status.find((x) => x.name === name);
  if (!d) throw new Error(`no device ${name} in status`);
  return d.counters;
}
