/**
 * The MQTT north app against brokers and neighbours it shares them with: several north apps
 * on one broker (one write per request), retained requests while connected (MQTT 5
 * Retain-As-Published), device status on a clean stop, a 3.1.1-only broker offered MQTT 5,
 * a broker that rewrites `.` in topics (RabbitMQ), and two clients with one client id. Real
 * peers throughout: the simulated Modbus PLC, a real mosquitto, aedes for the rewriting
 * broker, and a small TCP server that refuses MQTT 5 CONNECTs as RabbitMQ does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { builtinRegistry } from '../../app/builtin-plugins.js';
import { validateConfig } from '../../core/config/validate.js';
import { Runtime } from '../../core/runtime.js';
import { openDb } from '../../core/store/db.js';
import { createDemoModel } from '../../simulators/demo-plc.js';
import { ModbusTcpSimulator } from '../../simulators/modbus-tcp-server.js';
import { type Mosquitto, startMosquitto } from '../helpers/mosquitto.js';
import { field, MqttCollector, type Received } from '../helpers/mqtt-collector.js';
import { startDotRewritingBroker, startMqtt311OnlyBroker } from '../helpers/rabbitmq-like-brokers.js';

const GATEWAY_ID = 'edge-1';
const registry = builtinRegistry();

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
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      await cleanup();
    } catch {
      // keep cleaning up the rest
    }
  }
});

function nextUns(): string {
  plantNo++;
  return `brokers/plant${plantNo}`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

/** The demo PLC on a real port, and a count of protocol writes to holding register 2. */
async function startPlc() {
  const demo = createDemoModel();
  demo.start();
  const sim = new ModbusTcpSimulator(demo.model, { host: '127.0.0.1', port: 0 });
  const { port } = await sim.listen();
  let speedWrites = 0;
  sim.model.onWrite((_unit, area, address) => {
    if (area === 'hr' && address === 2) speedWrites++;
  });
  cleanups.push(async () => {
    demo.stop();
    await sim.close();
  });
  return { sim, port, speedWrites: () => speedWrites };
}

function plc(port: number, o: { uns?: string; tagName?: string } = {}): Record<string, unknown> {
  return {
    name: 'plc1',
    driver: 'modbus-tcp',
    uns: o.uns ?? 'line1/plc1',
    settings: { host: '127.0.0.1', port, timeoutMs: 500, retries: 0 },
    groups: [
      {
        name: 'fast',
        intervalMs: 200,
        tags: [{ name: o.tagName ?? 'motor/speed', address: 'hr:2', type: 'uint16', access: 'readwrite' }],
      },
    ],
  };
}

function mqttApp(name: string, url: string, settings: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, plugin: 'mqtt', devices: ['*'], settings: { url, qos: 1, retain: true, ...settings } };
}

interface LogLine {
  level: number;
  msg: string;
  north?: string;
  topic?: string;
}

/** A runtime in process whose log lines are kept. */
async function startRuntime(uns: string, devices: unknown[], north: unknown[]) {
  const result = validateConfig(
    { gateway: { id: GATEWAY_ID, uns, broker: { enabled: false } }, devices, north },
    registry,
  );
  if (!result.ok) throw new Error(`test config is invalid:\n${result.errors.join('\n')}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'tagwire-mqtt-brokers-'));
  const db = openDb(dataDir);
  const lines: LogLine[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as LogLine) });
  const runtime = new Runtime({ db, dataDir, registry, log, version: '0.0.0-test' });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await runtime.stop();
  };
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  cleanups.push(() => {
    db.close();
  });
  cleanups.push(stop);
  await runtime.start(result.config);
  const northStatus = (name: string) =>
    (runtime.gateway.status().north as Array<{ name: string; state: string; error?: string }>).find(
      (n) => n.name === name,
    );
  return { runtime, lines, stop, northStatus };
}

async function subscriber(url: string, topics: string | string[], protocolVersion: 4 | 5 = 4) {
  const c = await MqttCollector.connect(url, topics, { protocolVersion });
  cleanups.push(() => c.close());
  return c;
}

const isConnected = (m: Received) => field(m, 'state') === 'connected';

describe('several north apps on one broker', () => {
  /** Sends requests one after another and waits for each one's result, then a while for any duplicate. */
  async function writeSeveral(sub: MqttCollector, dev: string, count: number, options = {}): Promise<string[]> {
    const mark = sub.mark();
    for (let i = 1; i <= count; i++) {
      await sub.publish(`${dev}/motor/speed/_set`, `{"value": ${1000 + i}, "id": "r${i}"}`, { qos: 1, ...options });
      await sub.waitForTopic(`${dev}/motor/speed/_set/result`, (m) => field(m, 'id') === `r${i}`, { since: mark });
    }
    await sleep(1500);
    return sub.filter((m) => m.topic === `${dev}/motor/speed/_set/result`, mark).map((m) => String(field(m, 'id')));
  }

  it.each([
    { what: 'a uns and a group app', a: { format: 'uns' }, b: { format: 'group' } },
    { what: 'an MQTT 3.1.1 and an MQTT 5 app', a: { protocolVersion: 4 }, b: { protocolVersion: 5 } },
  ])('one _set seen by $what is one device write and one result', async ({ a, b }) => {
    const { port, speedWrites } = await startPlc();
    const uns = nextUns();
    const dev = `${uns}/line1/plc1`;
    const sub = await subscriber(broker.url, `${uns}/#`);
    const { northStatus } = await startRuntime(
      uns,
      [plc(port)],
      [mqttApp('alpha', broker.url, a), mqttApp('beta', broker.url.replace('127.0.0.1', 'localhost'), b)],
    );
    await sub.waitForTopic(`${dev}/_status`, isConnected);
    await until(
      () => northStatus('alpha')?.state === 'connected' && northStatus('beta')?.state === 'connected',
      10_000,
      'both north apps connected',
    );
    const before = speedWrites();

    const results = await writeSeveral(sub, dev, 5);

    expect(results).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
    expect(speedWrites() - before).toBe(5);
  });

  it('an MQTT 5 request with a response topic gets one answer there, when the 3.1.1 app is also subscribed', async () => {
    const { port, speedWrites } = await startPlc();
    const uns = nextUns();
    const dev = `${uns}/line1/plc1`;
    const requester = await subscriber(broker.url, [`${uns}/#`, `replies/${uns}`], 5);
    const { northStatus } = await startRuntime(
      uns,
      [plc(port)],
      // "aaa" sorts first by name: the MQTT 5 app is still the one that answers.
      [mqttApp('aaa', broker.url, { protocolVersion: 4 }), mqttApp('zzz', broker.url, { protocolVersion: 5 })],
    );
    await requester.waitForTopic(`${dev}/_status`, isConnected);
    await until(
      () => northStatus('aaa')?.state === 'connected' && northStatus('zzz')?.state === 'connected',
      10_000,
      'both north apps connected',
    );
    const before = speedWrites();
    const mark = requester.mark();
    await requester.publish(`${dev}/motor/speed/_set`, '{"value": 2222, "id": "rt"}', {
      qos: 1,
      properties: { responseTopic: `replies/${uns}`, correlationData: Buffer.from('c-1') },
    });
    const reply = await requester.waitForTopic(`replies/${uns}`, () => true, { since: mark });
    await sleep(1500);
    expect(field(reply, 'ok')).toBe(true);
    expect(reply.packet.properties?.correlationData?.toString()).toBe('c-1');
    expect(requester.filter((m) => m.topic === `replies/${uns}`, mark)).toHaveLength(1);
    expect(requester.filter((m) => m.topic.endsWith('/_set/result'), mark)).toEqual([]);
    expect(speedWrites() - before).toBe(1);
  });

  it('when the app that takes the writes stops, the other one takes them', async () => {
    const { port, speedWrites } = await startPlc();
    const uns = nextUns();
    const dev = `${uns}/line1/plc1`;
    const sub = await subscriber(broker.url, `${uns}/#`);
    const { runtime, northStatus } = await startRuntime(
      uns,
      [plc(port)],
      [mqttApp('alpha', broker.url), mqttApp('beta', broker.url)],
    );
    await sub.waitForTopic(`${dev}/_status`, isConnected);
    await until(() => northStatus('beta')?.state === 'connected', 10_000, 'beta connected');
    // alpha (first by name) takes the writes; disabling it hands them to beta.
    const doc = runtime.gateway.currentConfig;
    await runtime.gateway.apply({
      ...doc,
      north: doc.north.map((n) => (n.name === 'alpha' ? { ...n, enabled: false } : n)),
    });
    const before = speedWrites();
    expect(await writeSeveral(sub, dev, 2)).toEqual(['r1', 'r2']);
    expect(speedWrites() - before).toBe(2);
  });
});

describe('retained write requests', () => {
  it('with MQTT 5, a retained _set published while connected is not executed, and says so in the log', async () => {
    const { port, speedWrites } = await startPlc();
    const uns = nextUns();
    const dev = `${uns}/line1/plc1`;
    const setTopic = `${dev}/motor/speed/_set`;
    const sub = await subscriber(broker.url, `${uns}/#`, 5);
    const { lines } = await startRuntime(uns, [plc(port)], [mqttApp('plant', broker.url, { protocolVersion: 5 })]);
    await sub.waitForTopic(`${dev}/_status`, isConnected);
    await sub.waitForTopic(`${dev}/motor/speed`, (m) => field(m, 'quality') === 'good');
    const before = speedWrites();

    const mark = sub.mark();
    await sub.publish(setTopic, '{"value": 999, "id": "retained"}', { qos: 1, retain: true });
    cleanups.push(() => sub.publish(setTopic, '', { qos: 1, retain: true }));
    await until(
      () => lines.some((l) => l.msg.startsWith('ignored a retained write request') && l.topic === setTopic),
      5000,
      'the log line about the retained request',
    );
    // A plain request after it is executed and answered; the retained one never was.
    await sub.publish(setTopic, '{"value": 1501, "id": "plain"}');
    await sub.waitForTopic(`${dev}/motor/speed/_set/result`, (m) => field(m, 'id') === 'plain', { since: mark });
    expect(sub.filter((m) => m.topic === `${setTopic}/result`, mark).map((m) => field(m, 'id'))).toEqual(['plain']);
    expect(speedWrites() - before).toBe(1);
  });
});

describe('device status when the gateway stops', () => {
  it('a clean stop publishes every device as disconnected/gateway-stopped (retained), before the gateway goes offline', async () => {
    const { port } = await startPlc();
    const uns = nextUns();
    const dev = `${uns}/line1/plc1`;
    const live = await subscriber(broker.url, `${uns}/#`);
    const { stop } = await startRuntime(uns, [plc(port)], [mqttApp('plant', broker.url)]);
    await live.waitForTopic(`${dev}/_status`, isConnected);
    const mark = live.mark();

    await stop();

    const gatewayTopic = `${uns}/_gateway/${GATEWAY_ID}`;
    const offline = await live.waitForTopic(gatewayTopic, (m) => field(m, 'online') === false, { since: mark });
    const deviceStopped = await live.waitForTopic(`${dev}/_status`, (m) => field(m, 'state') === 'disconnected', {
      since: mark,
    });
    expect(deviceStopped.index).toBeLessThan(offline.index);
    // A subscriber arriving after the stop reads the retained statuses.
    const later = await subscriber(broker.url, [`${dev}/_status`, gatewayTopic]);
    const retained = await later.waitForTopic(`${dev}/_status`);
    expect(retained.retain).toBe(true);
    expect(retained.json).toMatchObject({ state: 'disconnected', error: 'gateway-stopped' });
    expect(field(await later.waitForTopic(gatewayTopic), 'online')).toBe(false);
  });
});

describe('brokers that differ from mosquitto', () => {
  it('MQTT 5 against a 3.1.1-only broker that closes without CONNACK: the status and the log say so', async () => {
    const only311 = await startMqtt311OnlyBroker();
    cleanups.push(() => only311.stop());
    const { port } = await startPlc();
    const uns = nextUns();
    const { lines, northStatus } = await startRuntime(
      uns,
      [plc(port)],
      [mqttApp('rabbit', only311.url, { protocolVersion: 5 })],
    );
    await until(() => only311.refused() >= 1 && northStatus('rabbit')?.error !== undefined, 10_000, 'an error');
    const status = northStatus('rabbit');
    expect(status?.state).toBe('disconnected');
    expect(status?.error).toContain('the broker closed the connection before accepting it');
    expect(status?.error).toContain('try protocolVersion 4');
    expect(lines.filter((l) => l.msg.includes('try protocolVersion 4') && l.level === 40)).toHaveLength(1);
  });

  it('a broker that rewrites "." as "/" (RabbitMQ): _set to a tag with dots in its path is still written and answered', async () => {
    const rabbit = await startDotRewritingBroker();
    cleanups.push(() => rabbit.stop());
    const { sim, port } = await startPlc();
    const uns = nextUns();
    const sub = await subscriber(rabbit.url, `${uns}/#`);
    await startRuntime(
      uns,
      [plc(port, { uns: 'line.1/plc1', tagName: 'motor.speed' })],
      [mqttApp('rabbit', rabbit.url)],
    );
    // What the broker delivers: every "." of `line.1/plc1/motor.speed` is a level now.
    const dev = `${uns}/line/1/plc1`;
    await sub.waitForTopic(`${dev}/motor/speed`, (m) => field(m, 'quality') === 'good');
    const mark = sub.mark();
    await sub.publish(`${uns}/line.1/plc1/motor.speed/_set`, '{"value": 4444, "id": "dots"}');
    const result = await sub.waitForTopic(`${dev}/motor/speed/_set/result`, () => true, { since: mark });
    expect(result.json).toMatchObject({ id: 'dots', ok: true });
    expect(sim.model.getRegister(1, 'hr', 2)).toBe(4444);
  });

  it('two clients with the same client id taking turns: after a few short sessions the status and the log say so', async () => {
    const { port } = await startPlc();
    const uns = nextUns();
    const clientId = `shared-id-${uns.replace(/\W/g, '-')}`;
    const first = await startRuntime(uns, [plc(port)], [mqttApp('one', broker.url, { clientId })]);
    const second = await startRuntime(uns, [plc(port)], [mqttApp('two', broker.url, { clientId })]);
    const warned = (lines: LogLine[]) =>
      lines.some((l) => l.msg.includes('another client may be using the same client id'));
    await until(() => warned(first.lines) || warned(second.lines), 30_000, 'the client id warning');
    const statuses = [first.northStatus('one'), second.northStatus('two')];
    expect(statuses.some((s) => s?.error?.includes(`same client id "${clientId}"`))).toBe(true);
    // Said once per app while it lasts, not at every one of the reconnects that follow.
    await sleep(4000);
    for (const lines of [first.lines, second.lines]) {
      expect(lines.filter((l) => l.msg.includes('same client id')).length).toBeLessThanOrEqual(1);
    }
  }, 40_000);
});
