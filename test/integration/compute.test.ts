/**
 * Computed tags end to end (SPEC §3.4): a simulated Modbus PLC on a real TCP port, the real runtime
 * with the built-in drivers, a real mosquitto, and an MQTT subscriber checking the values exactly.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { builtinRegistry } from '../../app/builtin-plugins.js';
import { validateConfig } from '../../core/config/validate.js';
import { silentLogger } from '../../core/log.js';
import { Runtime } from '../../core/runtime.js';
import { openDb } from '../../core/store/db.js';
import { ModbusDataModel } from '../../simulators/modbus-model.js';
import { ModbusTcpSimulator } from '../../simulators/modbus-tcp-server.js';
import { type Mosquitto, startMosquitto } from '../helpers/mosquitto.js';
import { field, MqttCollector, type Received } from '../helpers/mqtt-collector.js';

const registry = builtinRegistry();
const INPUTS = 50;
const COUNTER64 = 9007199254740993n; // 2^53 + 1: not representable as a double

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

/** A PLC whose registers only change when the test says so. */
async function startPlc(): Promise<{ model: ModbusDataModel; port: number }> {
  const model = new ModbusDataModel();
  model.addUnit(1).map('hr', 0, 200);
  model.setRegister(1, 'hr', 0, 230); // voltage
  model.setRegister(1, 'hr', 1, 125); // current × 10
  model.setRegister(1, 'hr', 2, 0b101); // status bits
  model.setRegister(1, 'hr', 3, 0); // zero
  model.setInt16(1, 'hr', 4, 815); // temperature × 10
  model.setUint64(1, 'hr', 10, COUNTER64);
  for (let i = 0; i < INPUTS; i++) model.setRegister(1, 'hr', 100 + i, i);
  const sim = new ModbusTcpSimulator(model, { port: 0 });
  const { port } = await sim.listen();
  cleanups.push(() => sim.close());
  return { model, port };
}

function plcDevice(port: number, intervalMs = 100): Record<string, unknown> {
  return {
    name: 'plc',
    driver: 'modbus-tcp',
    settings: { host: '127.0.0.1', port, timeoutMs: 500, retries: 0 },
    groups: [
      {
        name: 'fast',
        intervalMs,
        tags: [
          { name: 'voltage', address: 'hr:0', unit: 'V' },
          { name: 'current', address: 'hr:1', scale: 0.1, unit: 'A' },
          { name: 'status', address: 'hr:2' },
          { name: 'zero', address: 'hr:3' },
          { name: 'temperature', address: 'hr:4', type: 'int16', scale: 0.1 },
          { name: 'counter', address: 'hr:10', type: 'uint64' },
          { name: 'missing', address: 'ir:500' },
          ...Array.from({ length: INPUTS }, (_, i) => ({ name: `in/${i}`, address: `hr:${100 + i}` })),
        ],
      },
    ],
  };
}

const SUM = Array.from({ length: INPUTS }, (_, i) => `{plc/in/${i}}`).join(' + ');

function kpiDevice(): Record<string, unknown> {
  return {
    name: 'kpi',
    driver: 'compute',
    uns: 'line3/kpi',
    groups: [
      {
        name: 'derived',
        tags: [
          { name: 'power_kw', expression: '{plc/voltage} * {plc/current} / 1000', unit: 'kW' },
          { name: 'temperature_f', expression: '{plc/temperature} * 9 / 5 + 32', unit: '°F' },
          { name: 'running', expression: 'bit({plc/status}, 0) and not bit({plc/status}, 1) and bit({plc/status}, 2)' },
          { name: 'counter_next', expression: '{plc/counter} + 1' },
          { name: 'sum', expression: SUM },
          { name: 'power_w', expression: '{kpi/power_kw} * 1000' },
          { name: 'broken', expression: '{plc/voltage} / {plc/zero}' },
          { name: 'uses_missing', expression: '{plc/missing} + 1' },
        ],
      },
    ],
  };
}

async function startGateway(uns: string, devices: Array<Record<string, unknown>>): Promise<Runtime> {
  const checked = validateConfig(
    {
      gateway: { id: 'edge-1', uns },
      devices,
      north: [{ name: 'plant', plugin: 'mqtt', settings: { url: broker.url, qos: 1, retain: false } }],
    },
    registry,
  );
  if (!checked.ok) throw new Error(checked.errors.join('\n'));
  const dataDir = mkdtempSync(join(tmpdir(), 'tagwire-compute-'));
  const db = openDb(dataDir);
  const runtime = new Runtime({ db, dataDir, registry, log: silentLogger(), version: '0.0.0-test' });
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  cleanups.push(() => {
    db.close();
  });
  cleanups.push(() => runtime.stop());
  await runtime.start(checked.config);
  return runtime;
}

async function subscribe(topic: string): Promise<MqttCollector> {
  const collector = await MqttCollector.connect(broker.url, topic);
  cleanups.push(() => collector.close());
  return collector;
}

const isGood = (m: Received) => field(m, 'quality') === 'good';

describe('compute device (SPEC §3.4)', () => {
  it('publishes computed tags from a Modbus PLC on MQTT, values exact', async () => {
    const { port } = await startPlc();
    const uns = `acme/compute${++plantNo}`;
    const sub = await subscribe(`${uns}/#`);
    await startGateway(uns, [plcDevice(port), kpiDevice()]);
    const kpi = `${uns}/line3/kpi`;

    const power = await sub.waitForTopic(`${kpi}/power_kw`, isGood);
    expect(power.json).toMatchObject({ value: 2.875, quality: 'good' });
    const voltage = await sub.waitForTopic(`${uns}/plc/voltage`, isGood);
    // The newest input's timestamp: the read that brought the inputs.
    expect(field(power, 'timestamp')).toBe(field(voltage, 'timestamp'));
    expect((await sub.waitForTopic(`${kpi}/temperature_f`, isGood)).json).toMatchObject({ value: 178.7 });
    expect((await sub.waitForTopic(`${kpi}/running`, isGood)).json).toMatchObject({ value: true });
    expect((await sub.waitForTopic(`${kpi}/power_w`, isGood)).json).toMatchObject({ value: 2875 });
    const counter = await sub.waitForTopic(`${kpi}/counter_next`, isGood);
    expect(counter.text).toMatch(/^\{"value":9007199254740994,"timestamp":\d+,"quality":"good"\}$/);
    expect((await sub.waitForTopic(`${kpi}/sum`, isGood)).json).toMatchObject({ value: (INPUTS * (INPUTS - 1)) / 2 });
  });

  it('isolates a failing expression and reports a bad input, while the others stay good', async () => {
    const { port } = await startPlc();
    const uns = `acme/compute${++plantNo}`;
    const sub = await subscribe(`${uns}/#`);
    await startGateway(uns, [plcDevice(port), kpiDevice()]);
    const kpi = `${uns}/line3/kpi`;
    const broken = await sub.waitForTopic(`${kpi}/broken`);
    expect(broken.json).toMatchObject({ value: null, quality: 'bad', error: 'expression-error' });
    const missing = await sub.waitForTopic(`${kpi}/uses_missing`);
    expect(missing.json).toMatchObject({ value: null, quality: 'bad', error: 'input-bad' });
    await sub.waitForTopic(`${kpi}/power_kw`, isGood);
  });

  it('evaluates a sum of 50 inputs once per read that changes all of them', async () => {
    const { model, port } = await startPlc();
    const uns = `acme/compute${++plantNo}`;
    const sub = await subscribe(`${uns}/line3/kpi/sum`);
    const runtime = await startGateway(uns, [plcDevice(port), kpiDevice()]);
    const before = (INPUTS * (INPUTS - 1)) / 2;
    await sub.waitFor((m) => field(m, 'value') === before);
    const evaluations = () => runtime.gateway.device('kpi').status().link?.evaluations as number;
    const mark = sub.mark();
    const evaluationsBefore = evaluations();
    // All 50 registers at once: one Modbus read brings all the changes in one batch.
    model.setRegisters(
      1,
      'hr',
      100,
      Array.from({ length: INPUTS }, (_, i) => i + 1),
    );
    await sub.waitFor((m) => field(m, 'value') === before + INPUTS, { since: mark });
    // A few more reads with nothing changed: nothing more is evaluated or published.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(sub.filter(() => true, mark).map((m) => field(m, 'value'))).toEqual([before + INPUTS]);
    // The sum and everything else that changed (nothing else uses hr:100..149) once.
    expect(evaluations() - evaluationsBefore).toBe(1);
  });

  it('publishes windowed aggregates once per real wall-clock window, with window metadata, even when unchanged', async () => {
    const { port } = await startPlc();
    const uns = `acme/compute${++plantNo}`;
    const sub = await subscribe(`${uns}/stats/#`);
    const stats = {
      name: 'stats',
      driver: 'compute',
      groups: [
        {
          name: 'windows',
          publish: 'change',
          tags: [
            { name: 'voltage_avg', aggregate: { function: 'avg', of: '{plc/voltage}', windowMs: 1000 } },
            { name: 'reads', aggregate: { function: 'count', of: '{plc/voltage}', windowMs: 1000 } },
            { name: 'power_max', aggregate: { function: 'max', of: '{plc/voltage} * {plc/current}', windowMs: 1000 } },
          ],
        },
      ],
    };
    await startGateway(uns, [plcDevice(port), stats]);
    const windowed = (m: Received) => typeof field(m, 'window') === 'object';
    // The first window after the start is partial; the next two are whole.
    await sub.waitFor((m) => m.topic.endsWith('/voltage_avg') && windowed(m), { timeoutMs: 5000 });
    const first = await sub.waitFor((m) => m.topic.endsWith('/voltage_avg') && windowed(m), { since: sub.mark() });
    const second = await sub.waitFor((m) => m.topic.endsWith('/voltage_avg') && windowed(m), { since: sub.mark() });
    for (const m of [first, second]) {
      const window = field(m, 'window') as { start: number; end: number; samples: number };
      expect(m.json).toMatchObject({ value: 230, quality: 'good', timestamp: window.end });
      expect(window.start % 1000).toBe(0);
      expect(window.end - window.start).toBe(1000);
      expect(window.samples).toBeGreaterThanOrEqual(3);
      expect(Object.keys(m.json as object)).toEqual(['value', 'timestamp', 'quality', 'window']);
    }
    expect((field(second, 'window') as { start: number }).start).toBe((field(first, 'window') as { end: number }).end);
    const reads = await sub.waitFor(
      (m) => m.topic.endsWith('/reads') && (field(m, 'window') as { end?: number })?.end === field(second, 'timestamp'),
    );
    expect(field(reads, 'value')).toBe((field(reads, 'window') as { samples: number }).samples);
    const power = await sub.waitFor((m) => m.topic.endsWith('/power_max') && windowed(m));
    expect(field(power, 'value')).toBe(2875);
  });

  it('evaluates interval groups on their schedule, stamped with the evaluation time, and chains from them', async () => {
    const { port } = await startPlc();
    const uns = `acme/compute${++plantNo}`;
    const sub = await subscribe(`${uns}/#`);
    const polled = {
      name: 'polled',
      driver: 'compute',
      groups: [
        {
          name: 'every300',
          trigger: 'interval',
          intervalMs: 300,
          publish: 'always',
          tags: [{ name: 'volts_x2', expression: '{plc/voltage} * 2' }],
        },
        { name: 'derived', tags: [{ name: 'volts_x4', expression: '{polled/volts_x2} * 2' }] },
      ],
    };
    // The PLC is read only every 5 s: interval evaluations in between keep its value but not its time.
    await startGateway(uns, [plcDevice(port, 5000), polled]);
    const x2 = (m: Received) => m.topic === `${uns}/polled/volts_x2` && isGood(m);
    const first = await sub.waitFor(x2);
    const later = await sub.waitFor((m) => x2(m) && m.index > first.index);
    const third = await sub.waitFor((m) => x2(m) && m.index > later.index);
    for (const m of [first, later, third]) expect(field(m, 'value')).toBe(460);
    const voltage = await sub.waitForTopic(`${uns}/plc/voltage`, isGood);
    expect(field(third, 'timestamp')).toBeGreaterThan(field(voltage, 'timestamp') as number);
    expect(field(third, 'timestamp')).toBeGreaterThan(field(later, 'timestamp') as number);
    expect((await sub.waitForTopic(`${uns}/polled/volts_x4`, isGood)).json).toMatchObject({ value: 920 });
  });

  it('does not use an input value of a device that restarted and has not read yet', async () => {
    const a = await startPlc();
    const b = await startPlc();
    // A device that takes the connection and never answers: a restarted input stays without a value.
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy();
          silent.close(() => resolve());
        }),
    );
    const silentPort = (silent.address() as { port: number }).port;
    const uns = `acme/compute${++plantNo}`;
    const sub = await subscribe(`${uns}/both/sum`);
    const second = (port: number) => ({
      ...plcDevice(port),
      name: 'plc2',
      settings: { host: '127.0.0.1', port, timeoutMs: 20_000, retries: 0 },
    });
    const both = {
      name: 'both',
      driver: 'compute',
      groups: [{ name: 'g', tags: [{ name: 'sum', expression: '{plc/voltage} + {plc2/voltage}' }] }],
    };
    const doc = (port: number) => ({
      gateway: { id: 'edge-1', uns },
      devices: [plcDevice(a.port), second(port), both],
      north: [{ name: 'plant', plugin: 'mqtt', settings: { url: broker.url, qos: 1, retain: false } }],
    });
    const runtime = await startGateway(uns, doc(b.port).devices);
    await sub.waitFor((m) => field(m, 'value') === 460);
    await runtime.applyConfig(doc(silentPort));
    const mark = sub.mark();
    a.model.setRegister(1, 'hr', 0, 240);
    // plc2 is connected but has not answered: its voltage is unknown, not the 230 of the device that was replaced.
    const next = await sub.waitFor(() => true, { since: mark });
    expect(next.json).toMatchObject({ value: null, quality: 'bad', error: 'input-bad' });
  });
});
