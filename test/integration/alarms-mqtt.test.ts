/**
 * Alarms end to end (SPEC §3.5): the simulated Modbus PLC's writable register driven over
 * MQTT `_set` across a limit and back, a real mosquitto subscriber watching the retained
 * `_alarm` topic, acknowledgements over MQTT and HTTP, on-delay and deadband on real time,
 * state kept across a restart on the same data directory, and the history.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AlarmHistoryEntry, AlarmStatus } from '../../core/alarms/alarm-types.js';
import { createDemoModel } from '../../simulators/demo-plc.js';
import { ModbusTcpSimulator } from '../../simulators/modbus-tcp-server.js';
import { type Mosquitto, startMosquitto } from '../helpers/mosquitto.js';
import { field, MqttCollector, type Received } from '../helpers/mqtt-collector.js';
import { simulatedPlc, startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

let broker: Mosquitto;
let sim: ModbusTcpSimulator;
let simPort: number;
let stopDemo: () => void;
const cleanups: Array<() => Promise<void> | void> = [];
let plantNo = 0;

const USERS = { op: ['operator-pass-1', 'operator'], eve: ['viewer-pass-1', 'viewer'] } as const;

beforeAll(async () => {
  broker = await startMosquitto();
  const demo = createDemoModel();
  demo.start();
  stopDemo = () => demo.stop();
  sim = new ModbusTcpSimulator(demo.model, { port: 0 });
  simPort = (await sim.listen()).port;
});

afterAll(async () => {
  stopDemo?.();
  await sim?.close();
  await broker?.stop();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      await cleanup();
    } catch {
      // keep cleaning up the rest
    }
  }
});

/** Each test its own topics and register, so retained messages and values of one never satisfy another. */
function plant(register: number, alarms: unknown[], port = simPort) {
  plantNo++;
  const uns = `acme/alarms${plantNo}`;
  const doc = {
    gateway: { id: 'gw1', uns },
    devices: [
      simulatedPlc(port, [
        {
          name: 'fast',
          intervalMs: 100,
          tags: [{ name: 'level', address: `hr:${register}`, type: 'uint16', access: 'readwrite', unit: '%', alarms }],
        },
      ]),
    ],
    north: [{ name: 'plant', plugin: 'mqtt', settings: { url: broker.url, qos: 1 } }],
  };
  const tagTopic = `${uns}/plc/level`;
  return { uns, doc, tagTopic, alarmTopic: `${tagTopic}/_alarm/high` };
}

async function gateway(doc: unknown, dataDir?: string): Promise<TestGateway> {
  const gw = await startTestGateway(doc, {
    users: { op: [...USERS.op], eve: [...USERS.eve] },
    ...(dataDir ? { dataDir } : {}),
  });
  cleanups.push(() => gw.close());
  return gw;
}

async function subscriber(topic: string): Promise<MqttCollector> {
  const c = await MqttCollector.connect(broker.url, topic);
  cleanups.push(() => c.close());
  return c;
}

const obj = (m: Received) => m.json as Record<string, unknown>;

/** Writes the register over MQTT `_set` and waits until its read-back value is published. */
async function setLevel(sub: MqttCollector, tagTopic: string, value: number): Promise<void> {
  const since = sub.mark();
  await sub.publish(`${tagTopic}/_set`, String(value));
  await sub.waitForTopic(tagTopic, (m) => field(m, 'value') === value, { since, timeoutMs: 10_000 });
}

function alarmState(state: string, acked: boolean) {
  return (m: Received) => field(m, 'state') === state && field(m, 'acked') === acked;
}

describe('alarms over MQTT and HTTP, on the simulated PLC', () => {
  it('raises on _set across the limit, keeps inside the deadband, takes acks from MQTT and HTTP, and records the history', async () => {
    const { doc, tagTopic, alarmTopic } = plant(100, [
      { name: 'high', above: 50, deadband: 5, severity: 'high', message: 'level {value} {unit}' },
    ]);
    const sub = await subscriber(`${tagTopic}/#`);
    const gw = await gateway(doc);
    const op = await gw.login('op', USERS.op[0]);
    const eve = await gw.login('eve', USERS.eve[0]);
    await setLevel(sub, tagTopic, 10);
    // Every alarm has its retained topic from the start.
    await sub.waitForTopic(alarmTopic, alarmState('normal', true), { timeoutMs: 10_000 });

    let since = sub.mark();
    await setLevel(sub, tagTopic, 60);
    const raised = await sub.waitForTopic(alarmTopic, alarmState('active', false), { since });
    expect(raised.retain).toBe(false); // live delivery; the broker keeps it retained
    expect(obj(raised)).toEqual({
      state: 'active',
      acked: false,
      severity: 'high',
      message: 'level 60 %',
      value: 60,
      timestamp: expect.any(Number),
      activeSince: expect.any(Number),
    });

    // 48 is below the limit but not by the deadband (clears at <= 45): still active, nothing published.
    since = sub.mark();
    await setLevel(sub, tagTopic, 48);
    await setLevel(sub, tagTopic, 47);
    expect(sub.filter((m) => m.topic === alarmTopic, since)).toEqual([]);

    // Acknowledged over MQTT, with the same rules as _set.
    since = sub.mark();
    await sub.publish(`${alarmTopic}/_ack`, JSON.stringify({ by: 'olga', comment: 'on it' }));
    const acked = await sub.waitForTopic(alarmTopic, alarmState('active', true), { since });
    expect(obj(acked)).toMatchObject({ value: 60, activeSince: obj(raised).activeSince });

    since = sub.mark();
    await setLevel(sub, tagTopic, 45);
    await sub.waitForTopic(alarmTopic, alarmState('normal', true), { since });

    // Raised again and back to normal before anyone acknowledged: listed until acknowledged.
    since = sub.mark();
    await setLevel(sub, tagTopic, 70);
    await sub.waitForTopic(alarmTopic, alarmState('active', false), { since });
    await setLevel(sub, tagTopic, 10);
    await sub.waitForTopic(alarmTopic, alarmState('normal', false), { since });

    const listed = await gw.app.inject({ method: 'GET', url: '/api/v1/alarms', headers: eve });
    expect(listed.statusCode).toBe(200);
    const alarms = listed.json() as AlarmStatus[];
    expect(alarms).toHaveLength(1);
    expect(alarms[0]).toMatchObject({ device: 'plc', tag: 'level', alarm: 'high', state: 'normal', acked: false });
    const id = alarms[0]?.id as string;

    const byViewer = await gw.app.inject({
      method: 'POST',
      url: `/api/v1/alarms/${id}/ack`,
      headers: eve,
      payload: {},
    });
    expect(byViewer.statusCode).toBe(403);
    const unknown = await gw.app.inject({ method: 'POST', url: '/api/v1/alarms/nope/ack', headers: op, payload: {} });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: { code: 'not-found' } });

    since = sub.mark();
    const ack = await gw.app.inject({
      method: 'POST',
      url: `/api/v1/alarms/${id}/ack`,
      headers: op,
      payload: { comment: 'valve reset' },
    });
    expect(ack.statusCode).toBe(200);
    expect(ack.json()).toMatchObject({ state: 'normal', acked: true, ackedBy: 'op', ackComment: 'valve reset' });
    await sub.waitForTopic(alarmTopic, alarmState('normal', true), { since });
    expect((await gw.app.inject({ method: 'GET', url: '/api/v1/alarms', headers: eve })).json()).toEqual([]);

    const history = (
      await gw.app.inject({ method: 'GET', url: '/api/v1/alarms/history?tag=level', headers: eve })
    ).json() as AlarmHistoryEntry[];
    expect(history.reverse().map((h) => [h.kind, h.user ?? '', h.comment ?? ''])).toEqual([
      ['active', '', ''],
      ['ack', 'olga', 'on it'],
      ['normal', '', ''],
      ['active', '', ''],
      ['normal', '', ''],
      ['ack', 'op', 'valve reset'],
    ]);
    expect(history.find((h) => h.user === 'olga')?.source).toBe('mqtt:plant');

    const csv = await gw.app.inject({ method: 'GET', url: '/api/v1/alarms/history?format=csv&kind=ack', headers: eve });
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain('valve reset');

    // Both acknowledgements are in the audit trail, and the refused one too.
    const audit = gw.runtime.audit.query({ kind: 'ack' });
    expect(audit.map((a) => [a.user, a.source, a.ok])).toEqual([
      ['op', 'http', true],
      ['op', 'http', false],
      ['olga', 'mqtt:plant', true],
    ]);
  });

  it('waits out the on-delay on real time before raising', async () => {
    const { doc, tagTopic, alarmTopic } = plant(101, [{ name: 'high', above: 50, delayMs: 1500 }]);
    const sub = await subscriber(`${tagTopic}/#`);
    await gateway(doc);
    await setLevel(sub, tagTopic, 0);
    await sub.waitForTopic(alarmTopic, alarmState('normal', true), { timeoutMs: 10_000 });
    const since = sub.mark();
    const written = Date.now();
    await setLevel(sub, tagTopic, 80);
    const raised = await sub.waitForTopic(alarmTopic, alarmState('active', false), { since, timeoutMs: 10_000 });
    expect(raised.receivedAt - written).toBeGreaterThanOrEqual(1500);
    expect(field(raised, 'activeSince') as number).toBeGreaterThanOrEqual(written + 1500);
    await setLevel(sub, tagTopic, 0);
  });

  it('keeps an active alarm across a restart on the same data directory and republishes its retained topic', async () => {
    const { doc, tagTopic, alarmTopic } = plant(102, [{ name: 'high', above: 50, severity: 'critical' }]);
    const dir = mkdtempSync(join(tmpdir(), 'tagwire-alarm-restart-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const sub = await subscriber(`${tagTopic}/#`);
    const first = await gateway(doc, dir);
    await setLevel(sub, tagTopic, 0);
    let since = sub.mark();
    await setLevel(sub, tagTopic, 90);
    const raised = await sub.waitForTopic(alarmTopic, alarmState('active', false), { since });
    await first.close();

    // Nobody has the retained state any more: only the restarted gateway can bring it back.
    await sub.publish(alarmTopic, '', { qos: 1, retain: true });
    since = sub.mark();
    const second = await gateway(doc, dir);
    const republished = await sub.waitForTopic(alarmTopic, (m) => m.text !== '', { since, timeoutMs: 10_000 });
    expect(obj(republished)).toMatchObject({
      state: 'active',
      acked: false,
      activeSince: field(raised, 'activeSince'),
    });
    // Still above the limit after the restart: the same activation, not a new one. (Once the
    // device is connected again: its first value after the restart says so.)
    await sub.waitForTopic(tagTopic, (m) => field(m, 'value') === 90, { since, timeoutMs: 10_000 });
    await setLevel(sub, tagTopic, 95);
    const history = second.runtime.gateway.alarms.history({ tag: 'level' });
    expect(history.map((h) => h.kind)).toEqual(['active']);
    expect(second.runtime.gateway.alarms.list({ standing: true })).toMatchObject([
      { state: 'active', acked: false, severity: 'critical' },
    ]);
    await setLevel(sub, tagTopic, 0);
  });

  it('keeps the state while the tag is bad and says so in the payload', async () => {
    const own = createDemoModel();
    const ownSim = new ModbusTcpSimulator(own.model, { port: 0 });
    const { port } = await ownSim.listen();
    cleanups.push(() => ownSim.close());
    own.model.setRegister(1, 'hr', 103, 90);
    const { doc, alarmTopic } = plant(103, [{ name: 'high', above: 50 }], port);
    const sub = await subscriber(`${alarmTopic}/#`);
    await gateway(doc);
    await sub.waitForTopic(alarmTopic, alarmState('active', false), { timeoutMs: 10_000 });
    const since = sub.mark();
    await ownSim.close(); // the PLC goes away: the tag turns bad
    const bad = await sub.waitForTopic(alarmTopic, (m) => field(m, 'quality') === 'bad', { since, timeoutMs: 20_000 });
    expect(obj(bad)).toMatchObject({ state: 'active', acked: false, value: 90, quality: 'bad' });
  });
});
