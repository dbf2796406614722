/**
 * The `sparkplug-b` north app end to end: the demo PLC simulator on a real TCP port, the real
 * runtime (in process, and as the built CLI for the kill test), a real mosquitto, and a
 * test-side Sparkplug host that decodes every message with Tahu's sparkplug-payload.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { builtinRegistry } from '../../app/builtin-plugins.js';
import type { Config } from '../../core/config/schema.js';
import { validateConfig } from '../../core/config/validate.js';
import { silentLogger } from '../../core/log.js';
import { Runtime } from '../../core/runtime.js';
import { openDb } from '../../core/store/db.js';
import { createDemoModel, DEMO_INITIAL } from '../../simulators/demo-plc.js';
import { ModbusTcpSimulator } from '../../simulators/modbus-tcp-server.js';
import { freePort, type Mosquitto, startMosquitto } from '../helpers/mosquitto.js';
import { field, MqttCollector } from '../helpers/mqtt-collector.js';
import { startDotRewritingBroker, startMqtt311OnlyBroker } from '../helpers/rabbitmq-like-brokers.js';
import { aliasNames, metricNamed, SparkplugHost, type SpMessage, seqViolations } from '../helpers/sparkplug-host.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const NODE = 'edge-1';
const registry = builtinRegistry();
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

let broker: Mosquitto;
const cleanups: Array<() => Promise<void> | void> = [];
let testNo = 0;

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

/** A Sparkplug group per test, so that no message of one test satisfies another. */
function nextGroup(): string {
  testNo++;
  return `Plant${testNo}`;
}

async function startSimulator() {
  const demo = createDemoModel();
  demo.start();
  const sim = new ModbusTcpSimulator(demo.model, { host: '127.0.0.1', port: 0 });
  const { port } = await sim.listen();
  cleanups.push(async () => {
    demo.stop();
    await sim.close();
  });
  return { sim, port };
}

function plantTags(): Array<Record<string, unknown>> {
  return [
    { name: 'clock', address: 'ir:10', type: 'uint64', unit: 'ms' },
    { name: 'big', address: 'hr:6', type: 'int64' },
    {
      name: 'motor/speed',
      address: 'hr:2',
      type: 'uint16',
      access: 'readwrite',
      unit: 'rpm',
      description: 'Main drive speed',
    },
    { name: 'pump', address: 'coil:0', type: 'bool', access: 'readwrite' },
    { name: 'temperature', address: 'ir:0', type: 'float32', unit: '°C' },
    { name: 'setpoint', address: 'hr:0', type: 'float32' },
    { name: 'ramp', address: 'ir:5', type: 'int16' },
    { name: 'info/name', address: 'hr:10', type: 'string', length: 20 },
  ];
}

interface DeviceOptions {
  name?: string;
  port: number;
  unitId?: number;
  timeoutMs?: number;
  groups?: Array<Record<string, unknown>>;
}

function device(o: DeviceOptions): Record<string, unknown> {
  return {
    name: o.name ?? 'plc1',
    driver: 'modbus-tcp',
    settings: { host: '127.0.0.1', port: o.port, unitId: o.unitId ?? 1, timeoutMs: o.timeoutMs ?? 500, retries: 0 },
    groups: o.groups ?? [{ name: 'fast', intervalMs: 100, tags: plantTags() }],
  };
}

function configDoc(
  group: string,
  devices: Array<Record<string, unknown>>,
  settings: Record<string, unknown> = {},
  extraNorth: Array<Record<string, unknown>> = [],
): Record<string, unknown> {
  return {
    gateway: { id: NODE, uns: group, broker: { enabled: false } },
    devices,
    north: [
      { name: 'spb', plugin: 'sparkplug-b', settings: { url: broker.url, groupId: group, ...settings } },
      ...extraNorth,
    ],
  };
}

function validated(doc: Record<string, unknown>): Config {
  const result = validateConfig(doc, registry);
  if (!result.ok) throw new Error(`test config is invalid:\n${result.errors.join('\n')}`);
  return result.config;
}

async function startRuntime(doc: Record<string, unknown>): Promise<Runtime> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tagwire-sparkplug-'));
  const db = openDb(dataDir);
  const runtime = new Runtime({ db, dataDir, registry, log: silentLogger(), version: VERSION });
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  cleanups.push(() => {
    db.close();
  });
  cleanups.push(() => runtime.stop());
  await runtime.start(validated(doc));
  return runtime;
}

async function sparkplugHost(): Promise<SparkplugHost> {
  const host = await SparkplugHost.connect(broker.url);
  cleanups.push(() => host.close());
  return host;
}

function appStatus(runtime: Runtime): { state: string; error?: string; counters: Record<string, number> } {
  const north = runtime.gateway.status().north as unknown as Array<{
    name: string;
    state: string;
    counters: Record<string, number>;
  }>;
  const app = north.find((n) => n.name === 'spb');
  if (!app) throw new Error('no north app "spb"');
  return app;
}

/** A message of this test's node: `type`, and (for device messages) `device`. */
const of =
  (group: string, type: string, deviceId?: string) =>
  (m: SpMessage): boolean =>
    m.group === group && m.node === NODE && m.type === type && (deviceId === undefined || m.device === deviceId);

const nodeMessages = (host: SparkplugHost, group: string) => host.filter((m) => m.group === group && m.node === NODE);

async function until(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const closeToNow = (t: number | undefined) => t !== undefined && Math.abs(t - Date.now()) < 10_000;

/** A TCP link to the broker that the test can cut (both sockets dropped, new ones refused) and restore. */
class CuttableLink {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private up = true;

  constructor(private readonly upstreamPort: number) {
    this.server = createServer((client) => {
      if (!this.up) {
        client.destroy();
        return;
      }
      const upstream = connect(this.upstreamPort, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('error', () => s.destroy());
        s.on('close', () => {
          this.sockets.delete(s);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  cut(): void {
    this.up = false;
    for (const s of this.sockets) s.destroy();
  }

  restore(): void {
    this.up = true;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

describe('Sparkplug B edge node', () => {
  it('NBIRTH and DBIRTH carry bdSeq, rebirth control, every metric with alias, datatype, value and properties; DDATA uses aliases and seq continues', async () => {
    const { port } = await startSimulator();
    const group = nextGroup();
    const host = await sparkplugHost();
    // The UNS JSON app runs side by side on the same gateway.
    const uns = await MqttCollector.connect(broker.url, `${group}/#`);
    cleanups.push(() => uns.close());
    await startRuntime(
      configDoc(group, [device({ port })], {}, [
        { name: 'uns', plugin: 'mqtt', settings: { url: broker.url, qos: 1, retain: false } },
      ]),
    );

    const nbirth = await host.waitFor(of(group, 'NBIRTH'));
    expect(nbirth.seq).toBe(0);
    expect(nbirth.qos).toBe(0);
    expect(nbirth.retain).toBe(false);
    expect(closeToNow(nbirth.timestamp)).toBe(true);
    expect(metricNamed(nbirth, 'bdSeq')).toMatchObject({ type: 'Int64', value: 0n });
    expect(metricNamed(nbirth, 'Node Control/Rebirth')).toMatchObject({ type: 'Boolean', value: false });
    expect(metricNamed(nbirth, 'Properties/Version')).toMatchObject({ type: 'String', value: VERSION });

    const dbirth = await host.waitFor(of(group, 'DBIRTH', 'plc1'));
    expect(dbirth.seq).toBe(1);
    expect(dbirth.index).toBeGreaterThan(nbirth.index);
    expect(dbirth.metrics.map((m) => m.name).sort()).toEqual(
      ['big', 'clock', 'info/name', 'motor/speed', 'pump', 'ramp', 'setpoint', 'temperature'].sort(),
    );
    // Aliases: unique across the node and its devices.
    const aliases = [...nbirth.metrics, ...dbirth.metrics].map((m) => m.alias);
    expect(aliases.every((a) => typeof a === 'number')).toBe(true);
    expect(new Set(aliases).size).toBe(aliases.length);
    for (const m of dbirth.metrics) {
      expect(closeToNow(m.timestamp), `${m.name} timestamp`).toBe(true);
      expect(m.properties.Quality, `${m.name} quality`).toEqual({ type: 'Int32', value: 192 });
    }
    expect(metricNamed(dbirth, 'big')).toMatchObject({ type: 'Int64', value: DEMO_INITIAL.int64 });
    expect(metricNamed(dbirth, 'motor/speed')).toMatchObject({ type: 'UInt16', value: DEMO_INITIAL.speed });
    expect(metricNamed(dbirth, 'motor/speed').properties).toMatchObject({
      engUnit: { type: 'String', value: 'rpm' },
      description: { type: 'String', value: 'Main drive speed' },
      readOnly: { type: 'Boolean', value: false },
    });
    expect(metricNamed(dbirth, 'pump')).toMatchObject({ type: 'Boolean', value: true });
    expect(metricNamed(dbirth, 'setpoint')).toMatchObject({ type: 'Float', value: 22.5 });
    expect(metricNamed(dbirth, 'setpoint').properties.readOnly).toEqual({ type: 'Boolean', value: true });
    expect(metricNamed(dbirth, 'info/name')).toMatchObject({ type: 'String', value: DEMO_INITIAL.name });
    expect(metricNamed(dbirth, 'ramp').type).toBe('Int16');
    const temperature = metricNamed(dbirth, 'temperature');
    expect(temperature.type).toBe('Float');
    expect(temperature.value as number).toBeGreaterThanOrEqual(20);
    expect(temperature.value as number).toBeLessThanOrEqual(25);
    expect(temperature.properties.engUnit).toEqual({ type: 'String', value: '°C' });
    const clock = metricNamed(dbirth, 'clock');
    expect(clock.type).toBe('UInt64');
    expect(typeof clock.value).toBe('bigint');
    expect(closeToNow(Number(clock.value))).toBe(true);

    // By exception: the PLC clock and the ramp move, so DDATA follows, with aliases only.
    const names = aliasNames(dbirth);
    const ddata = await host.waitFor((m) => of(group, 'DDATA', 'plc1')(m) && m.index > dbirth.index);
    await host.waitFor((m) => of(group, 'DDATA', 'plc1')(m) && m.index > ddata.index);
    for (const m of host.filter(of(group, 'DDATA', 'plc1'))) {
      expect(m.qos).toBe(1);
      for (const metric of m.metrics) {
        expect(metric.name).toBeUndefined();
        expect(names.has(metric.alias as number)).toBe(true);
        expect(closeToNow(metric.timestamp)).toBe(true);
        expect(metric.isHistorical).toBeUndefined();
      }
    }
    expect(ddata.metrics.some((m) => names.get(m.alias as number) === 'clock')).toBe(true);
    expect(seqViolations(nodeMessages(host, group), group, NODE)).toEqual([]);

    // And the UNS JSON app publishes the same device.
    const big = await uns.waitFor((m) => m.topic === `${group}/plc1/big` && field(m, 'quality') === 'good');
    expect(big.text).toContain(`"value":${DEMO_INITIAL.int64}`);
  });

  it('wraps seq 255 → 0 and keeps it continuous across hundreds of messages', async () => {
    const { port } = await startSimulator();
    const group = nextGroup();
    const host = await sparkplugHost();
    const fast = (name: string, address: string) => ({
      name,
      intervalMs: 10,
      publish: 'always',
      tags: [{ name, address, type: 'uint16' }],
    });
    const runtime = await startRuntime(
      configDoc(group, [device({ port, groups: [fast('counter', 'ir:4'), fast('status', 'hr:20')] })]),
    );
    await host.waitFor(of(group, 'NBIRTH'));
    await until(() => nodeMessages(host, group).length > 400, 20_000, '400 messages from the node');
    const messages = nodeMessages(host, group);
    expect(seqViolations(messages, group, NODE)).toEqual([]);
    const wrap = messages.findIndex((m, i) => m.seq === 255 && messages[i + 1]?.seq === 0);
    expect(wrap).toBeGreaterThan(0);
    expect(messages.filter((m) => m.type === 'NBIRTH')).toHaveLength(1);
    // `published` counts data when the broker acknowledged it, which may trail the host a little.
    await until(() => (appStatus(runtime).counters.published ?? 0) > 400, 5000, 'published > 400');
  }, 30_000);

  it('answers NCMD Node Control/Rebirth with NBIRTH (seq 0, same bdSeq) and every DBIRTH, aliases unchanged', async () => {
    const { port } = await startSimulator();
    const group = nextGroup();
    const host = await sparkplugHost();
    const runtime = await startRuntime(configDoc(group, [device({ port })]));
    const nbirth = await host.waitFor(of(group, 'NBIRTH'));
    const dbirth = await host.waitFor(of(group, 'DBIRTH', 'plc1'));
    await host.waitFor((m) => of(group, 'DDATA', 'plc1')(m) && m.index > dbirth.index);

    const mark = host.mark();
    await host.nodeCommand(group, NODE, [{ name: 'Node Control/Rebirth', type: 'Boolean', value: true }]);
    const again = await host.waitFor(of(group, 'NBIRTH'), { since: mark });
    expect(again.seq).toBe(0);
    expect(metricNamed(again, 'bdSeq').value).toBe(metricNamed(nbirth, 'bdSeq').value);
    const redbirth = await host.waitFor(of(group, 'DBIRTH', 'plc1'), { since: mark });
    expect(redbirth.seq).toBe(1);
    expect(aliasNames(redbirth)).toEqual(aliasNames(dbirth));
    expect(aliasNames(again)).toEqual(aliasNames(nbirth));
    // By alias too.
    const mark2 = host.mark();
    const rebirthAlias = metricNamed(nbirth, 'Node Control/Rebirth').alias as number;
    await host.nodeCommand(group, NODE, [{ alias: rebirthAlias, type: 'Boolean', value: true }]);
    await host.waitFor(of(group, 'DBIRTH', 'plc1'), { since: mark2 });
    await host.waitFor((m) => of(group, 'DDATA', 'plc1')(m), { since: mark2 });
    expect(seqViolations(nodeMessages(host, group), group, NODE)).toEqual([]);
    expect(appStatus(runtime).counters.rebirths).toBe(2);
  });

  it('writes DCMD metrics (by alias and by name) to the PLC with the checks of any write', async () => {
    const { sim, port } = await startSimulator();
    const group = nextGroup();
    const host = await sparkplugHost();
    const runtime = await startRuntime(configDoc(group, [device({ port })]));
    const dbirth = await host.waitFor(of(group, 'DBIRTH', 'plc1'));
    const speedAlias = metricNamed(dbirth, 'motor/speed').alias as number;

    const mark = host.mark();
    await host.deviceCommand(group, NODE, 'plc1', [{ alias: speedAlias, type: 'UInt16', value: 1234 }]);
    await until(() => sim.model.getRegister(1, 'hr', 2) === 1234, 5000, 'hr:2 = 1234');
    // The read-back value comes back by exception.
    await host.waitFor(
      (m) => of(group, 'DDATA', 'plc1')(m) && m.metrics.some((x) => x.alias === speedAlias && x.value === 1234),
      { since: mark },
    );

    await host.deviceCommand(group, NODE, 'plc1', [{ name: 'pump', type: 'Boolean', value: false }]);
    await until(() => sim.model.getBit(1, 'coil', 0) === false, 5000, 'coil:0 off');

    // Refused: a read-only tag, a value out of range, an unknown metric. Nothing is written.
    await host.deviceCommand(group, NODE, 'plc1', [
      { name: 'setpoint', type: 'Float', value: 99.5 },
      { name: 'motor/speed', type: 'Int32', value: 70000 },
      { name: 'no/such/tag', type: 'Int32', value: 1 },
    ]);
    // A write after them: when it has landed, the three before it were handled.
    await host.deviceCommand(group, NODE, 'plc1', [{ name: 'motor/speed', type: 'UInt16', value: 1501 }]);
    await until(() => sim.model.getRegister(1, 'hr', 2) === 1501, 5000, 'hr:2 = 1501');
    expect(sim.model.getFloat32(1, 'hr', 0)).toBe(22.5);
    // The last write is counted once its read-back is done, a moment after the register changed.
    await until(() => appStatus(runtime).counters.writes === 3, 5000, 'three writes counted');
    expect(appStatus(runtime).counters.writeErrors).toBe(3);
  });

  it('sends DDEATH when the device stops answering and DBIRTH when it is back', async () => {
    const { sim, port } = await startSimulator();
    const group = nextGroup();
    const host = await sparkplugHost();
    await startRuntime(configDoc(group, [device({ port, timeoutMs: 150 })]));
    await host.waitFor(of(group, 'DBIRTH', 'plc1'));

    const mark = host.mark();
    sim.silentUnits.add(1);
    const ddeath = await host.waitFor(of(group, 'DDEATH', 'plc1'), { since: mark });
    expect(ddeath.metrics).toEqual([]);
    expect(closeToNow(ddeath.timestamp)).toBe(true);
    // The TCP link stays up, so the driver "reconnects" and times out again, over and over: no
    // DBIRTH for a device that answers nothing, and no data for a dead device.
    await new Promise((r) => setTimeout(r, 1500));
    expect(host.filter(of(group, 'DDATA', 'plc1'), ddeath.index + 1)).toEqual([]);
    expect(host.filter(of(group, 'DBIRTH', 'plc1'), ddeath.index + 1)).toEqual([]);

    sim.silentUnits.delete(1);
    const reborn = await host.waitFor(of(group, 'DBIRTH', 'plc1'), { since: ddeath.index + 1, timeoutMs: 15_000 });
    expect(metricNamed(reborn, 'motor/speed')).toMatchObject({ value: DEMO_INITIAL.speed });
    expect(metricNamed(reborn, 'motor/speed').properties.Quality?.value).toBe(192);
    expect(host.filter(of(group, 'NBIRTH'))).toHaveLength(1);
    expect(seqViolations(nodeMessages(host, group), group, NODE)).toEqual([]);
  }, 30_000);

  it('on a configuration change sends DBIRTH for added and changed devices, keeping the aliases of existing metrics', async () => {
    const { port } = await startSimulator();
    const group = nextGroup();
    const host = await sparkplugHost();
    const base = plantTags();
    const runtime = await startRuntime(configDoc(group, [device({ port })]));
    const dbirth = await host.waitFor(of(group, 'DBIRTH', 'plc1'));

    const mark = host.mark();
    const changed = device({
      port,
      groups: [{ name: 'fast', intervalMs: 100, tags: [...base, { name: 'int32', address: 'hr:4', type: 'int32' }] }],
    });
    const added = device({ name: 'plc2', port, unitId: 2 });
    await runtime.applyConfig(configDoc(group, [changed, added]));

    const ddeath = await host.waitFor(of(group, 'DDEATH', 'plc1'), { since: mark });
    const reborn = await host.waitFor(of(group, 'DBIRTH', 'plc1'), { since: ddeath.index });
    expect(metricNamed(reborn, 'int32')).toMatchObject({ type: 'Int32', value: DEMO_INITIAL.int32 });
    const before = aliasNames(dbirth);
    const after = aliasNames(reborn);
    for (const [alias, name] of before) expect(after.get(alias)).toBe(name);
    const plc2 = await host.waitFor(of(group, 'DBIRTH', 'plc2'), { since: mark });
    const plc2Aliases = plc2.metrics.map((m) => m.alias as number);
    expect(plc2Aliases.every((a) => !after.has(a))).toBe(true);
    // The node stays born: no NBIRTH for a device change.
    expect(host.filter(of(group, 'NBIRTH'), mark)).toEqual([]);
    expect(seqViolations(nodeMessages(host, group), group, NODE)).toEqual([]);
  });

  it('publishes NDEATH with the bdSeq of the NBIRTH on a clean stop', async () => {
    const { port } = await startSimulator();
    const group = nextGroup();
    const host = await sparkplugHost();
    const runtime = await startRuntime(configDoc(group, [device({ port })]));
    const nbirth = await host.waitFor(of(group, 'NBIRTH'));
    await host.waitFor(of(group, 'DBIRTH', 'plc1'));
    await runtime.stop();
    const ndeath = await host.waitFor(of(group, 'NDEATH'));
    expect(ndeath.seq).toBeUndefined();
    expect(metricNamed(ndeath, 'bdSeq').value).toBe(metricNamed(nbirth, 'bdSeq').value);
    // A clean DISCONNECT follows it: the broker does not publish the will as a second NDEATH.
    await new Promise((r) => setTimeout(r, 500));
    expect(host.filter(of(group, 'NDEATH'))).toHaveLength(1);
  });

  it('after losing the broker: the will NDEATH, a new bdSeq, births, then what was read meanwhile as history', async () => {
    const { port } = await startSimulator();
    const group = nextGroup();
    const host = await sparkplugHost();
    // The gateway reaches the broker through a link the test can cut; the host stays connected.
    const link = new CuttableLink(broker.port);
    const linkPort = await link.listen();
    cleanups.push(() => link.close());
    const runtime = await startRuntime({
      ...configDoc(group, [device({ port })]),
      north: [
        { name: 'spb', plugin: 'sparkplug-b', settings: { url: `mqtt://127.0.0.1:${linkPort}`, groupId: group } },
      ],
    });
    const nbirth = await host.waitFor(of(group, 'NBIRTH'));
    await host.waitFor(of(group, 'DBIRTH', 'plc1'));

    const mark = host.mark();
    link.cut();
    const cutAt = Date.now();
    const ndeath = await host.waitFor(of(group, 'NDEATH'), { since: mark });
    expect(metricNamed(ndeath, 'bdSeq').value).toBe(metricNamed(nbirth, 'bdSeq').value);
    await until(() => (appStatus(runtime).counters.buffered ?? 0) > 0, 5000, 'data spooled');
    await new Promise((r) => setTimeout(r, 1000));
    link.restore();

    const nbirth2 = await host.waitFor(of(group, 'NBIRTH'), { since: mark, timeoutMs: 20_000 });
    expect(metricNamed(nbirth2, 'bdSeq').value as bigint).toBeGreaterThan(metricNamed(nbirth, 'bdSeq').value as bigint);
    const dbirth = await host.waitFor(of(group, 'DBIRTH', 'plc1'), { since: mark });
    const history = await host.waitFor((m) => of(group, 'DDATA', 'plc1')(m) && m.metrics.some((x) => x.isHistorical), {
      since: mark,
    });
    expect(history.index).toBeGreaterThan(dbirth.index);
    expect(history.metrics.every((x) => x.isHistorical && (x.timestamp as number) >= cutAt - 1000)).toBe(true);
    await until(() => appStatus(runtime).counters.buffered === 0, 10_000, 'spool drained');
    expect(appStatus(runtime).counters.reconnects).toBeGreaterThan(0);
    expect(seqViolations(nodeMessages(host, group), group, NODE)).toEqual([]);
  }, 40_000);
});

describe('Sparkplug B with a primary host', () => {
  it('births only once the host is online; while it is offline data is spooled and then sent as history', async () => {
    const { port } = await startSimulator();
    const group = nextGroup();
    const hostId = `scada-${testNo}`;
    const host = await sparkplugHost();
    cleanups.push(() => host.clearRetained(`spBv1.0/STATE/${hostId}`));
    const runtime = await startRuntime(configDoc(group, [device({ port })], { primaryHostId: hostId }));

    // Connected, but no births before the host is online.
    await until(
      () => appStatus(runtime).counters.bdSeq === 0 && appStatus(runtime).error !== undefined,
      5000,
      'waiting',
    );
    await new Promise((r) => setTimeout(r, 800));
    expect(nodeMessages(host, group)).toEqual([]);
    expect(appStatus(runtime)).toMatchObject({ state: 'connecting' });
    expect(appStatus(runtime).error).toContain(hostId);

    await host.setState(hostId, true);
    const nbirth = await host.waitFor(of(group, 'NBIRTH'));
    expect(metricNamed(nbirth, 'bdSeq').value).toBe(0n);
    const dbirth = await host.waitFor(of(group, 'DBIRTH', 'plc1'));
    await host.waitFor((m) => of(group, 'DDATA', 'plc1')(m) && m.index > dbirth.index);
    expect(appStatus(runtime).state).toBe('connected');

    // The host goes offline: NDEATH (bdSeq 0), then a new connection waits for it.
    const offlineMark = host.mark();
    const offlineAt = Date.now();
    await host.setState(hostId, false);
    const ndeath = await host.waitFor(of(group, 'NDEATH'), { since: offlineMark });
    expect(metricNamed(ndeath, 'bdSeq').value).toBe(0n);
    await until(() => appStatus(runtime).counters.bdSeq === 1, 5000, 'reconnected with bdSeq 1');
    await new Promise((r) => setTimeout(r, 1000));
    expect(host.filter(of(group, 'DDATA'), ndeath.index + 1)).toEqual([]);
    expect(appStatus(runtime).counters.buffered).toBeGreaterThan(0);

    const onlineMark = host.mark();
    const onlineAt = Date.now();
    await host.setState(hostId, true);
    const nbirth2 = await host.waitFor(of(group, 'NBIRTH'), { since: onlineMark });
    expect(metricNamed(nbirth2, 'bdSeq').value).toBe(1n);
    const dbirth2 = await host.waitFor(of(group, 'DBIRTH', 'plc1'), { since: onlineMark });
    const historical = await host.waitFor(
      (m) => of(group, 'DDATA', 'plc1')(m) && m.metrics.some((x) => x.isHistorical === true),
      { since: onlineMark },
    );
    expect(historical.index).toBeGreaterThan(dbirth2.index);
    for (const metric of historical.metrics) {
      expect(metric.isHistorical).toBe(true);
      // Read while the host was away.
      expect(metric.timestamp as number).toBeGreaterThanOrEqual(offlineAt - 500);
      expect(metric.timestamp as number).toBeLessThan(onlineAt + 500);
    }
    // Then live data again.
    await host.waitFor((m) => of(group, 'DDATA', 'plc1')(m) && m.metrics.every((x) => !x.isHistorical), {
      since: historical.index + 1,
    });
    await until(() => appStatus(runtime).counters.buffered === 0, 5000, 'spool empty');
    expect(seqViolations(nodeMessages(host, group), group, NODE)).toEqual([]);
  }, 30_000);
});

describe('Sparkplug B gateway process', () => {
  const CLI = join(ROOT, 'dist/app/cli.js');
  const procs: ChildProcess[] = [];

  afterEach(async () => {
    for (const p of procs.splice(0)) {
      if (p.exitCode === null && p.signalCode === null) {
        p.kill('SIGKILL');
        await new Promise((r) => p.once('exit', r));
      }
    }
  });

  async function spawnGateway(configFile: string, dataDir: string): Promise<ChildProcess> {
    const child = spawn(
      process.execPath,
      [CLI, 'start', '--config', configFile, '--data', dataDir, '--http-port', String(await freePort())],
      {
        cwd: ROOT,
        env: { ...process.env, TAGWIRE_LOG_FORMAT: 'json', TAGWIRE_ADMIN_PASSWORD: 'sparkplug-test-Secret-1' },
        stdio: 'ignore',
      },
    );
    procs.push(child);
    return child;
  }

  async function kill(child: ChildProcess): Promise<void> {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  it('the NDEATH will carries the bdSeq of the last NBIRTH; bdSeq counts on across restarts', async () => {
    const { port } = await startSimulator();
    const group = nextGroup();
    const host = await sparkplugHost();
    const dir = mkdtempSync(join(tmpdir(), 'tagwire-sparkplug-proc-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const configFile = join(dir, 'tagwire.yaml');
    writeFileSync(
      configFile,
      `gateway: { id: ${NODE}, uns: "", http: { host: 127.0.0.1 } }
devices:
  - name: plc1
    driver: modbus-tcp
    settings: { host: 127.0.0.1, port: ${port}, unitId: 1, timeoutMs: 500 }
    groups:
      - name: fast
        intervalMs: 200
        tags:
          - { name: big, address: "hr:6", type: int64 }
          - { name: clock, address: "ir:10", type: uint64 }
north:
  - name: spb
    plugin: sparkplug-b
    settings: { url: "${broker.url}", groupId: "${group}", keepalive: 5 }
`,
    );
    const data = join(dir, 'data');

    for (const expected of [0n, 1n]) {
      const mark = host.mark();
      const gw = await spawnGateway(configFile, data);
      const nbirth = await host.waitFor(of(group, 'NBIRTH'), { since: mark, timeoutMs: 20_000 });
      expect(metricNamed(nbirth, 'bdSeq').value).toBe(expected);
      const dbirth = await host.waitFor(of(group, 'DBIRTH', 'plc1'), { since: mark });
      expect(metricNamed(dbirth, 'big').value).toBe(DEMO_INITIAL.int64);

      const killMark = host.mark();
      await kill(gw);
      // No goodbye was sent: the broker publishes the will when the socket closes.
      const ndeath = await host.waitFor(of(group, 'NDEATH'), { since: killMark, timeoutMs: 15_000 });
      expect(ndeath.seq).toBeUndefined();
      expect(ndeath.qos).toBe(1);
      expect(ndeath.metrics).toHaveLength(1);
      expect(metricNamed(ndeath, 'bdSeq').value).toBe(metricNamed(nbirth, 'bdSeq').value);
      expect(seqViolations(nodeMessages(host, group), group, NODE)).toEqual([]);
    }
  }, 90_000);
});

describe('behind a broker that rewrites "." as "/" (RabbitMQ by default)', () => {
  it('sees the primary host STATE, answers NCMD rebirth and writes DCMD arriving as spBv1/0/…', async () => {
    const rabbit = await startDotRewritingBroker();
    cleanups.push(() => rabbit.stop());
    const { sim, port } = await startSimulator();
    const group = nextGroup();
    const hostId = `scada-${testNo}`;
    const host = await SparkplugHost.connect(rabbit.url);
    cleanups.push(() => host.close());
    const runtime = await startRuntime(
      configDoc(group, [device({ port })], { url: rabbit.url, primaryHostId: hostId }),
    );
    await until(() => appStatus(runtime).error?.includes(hostId) === true, 5000, 'waiting for the host');

    await host.setState(hostId, true);
    const nbirth = await host.waitFor(of(group, 'NBIRTH'));
    expect(nbirth.topic).toBe(`spBv1/0/${group}/NBIRTH/${NODE}`);
    await host.waitFor(of(group, 'DBIRTH', 'plc1'));

    const mark = host.mark();
    await host.nodeCommand(group, NODE, [{ name: 'Node Control/Rebirth', type: 'Boolean', value: true }]);
    await host.waitFor(of(group, 'NBIRTH'), { since: mark });
    await host.deviceCommand(group, NODE, 'plc1', [{ name: 'motor/speed', type: 'UInt16', value: 4321 }]);
    await until(() => sim.model.getRegister(1, 'hr', 2) === 4321, 5000, 'hr:2 = 4321');
    expect(appStatus(runtime).counters.rebirths).toBe(1);
  });

  it('MQTT 5 against a 3.1.1-only broker that closes without CONNACK: the status says so', async () => {
    const only311 = await startMqtt311OnlyBroker();
    cleanups.push(() => only311.stop());
    const { port } = await startSimulator();
    const group = nextGroup();
    const runtime = await startRuntime(configDoc(group, [device({ port })], { url: only311.url, protocolVersion: 5 }));
    await until(() => appStatus(runtime).error !== undefined, 10_000, 'an error');
    expect(appStatus(runtime)).toMatchObject({
      state: 'disconnected',
      error: expect.stringContaining('does it support MQTT 5? try protocolVersion 4'),
    });
  });
});
