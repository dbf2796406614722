import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { builtinRegistry } from '../../app/builtin-plugins.js';
import type { GroupReading } from '../../core/bus.js';
import type { Config } from '../../core/config/schema.js';
import { validateConfig } from '../../core/config/validate.js';
import { Gateway } from '../../core/gateway.js';
import { silentLogger } from '../../core/log.js';
import { createDemoModel, type DemoPlc } from '../../simulators/demo-plc.js';
import { type RtuSerialServer, serveRtuOnSerial } from '../../simulators/modbus-rtu-serial.js';
import { ModbusRtuTcpSimulator } from '../../simulators/modbus-rtu-tcp-server.js';
import { type PtyPair, ptyPair } from '../helpers/pty.js';

const BAUD = 38400;
const INTERVAL_MS = 200;

let dir: string;
let links: [string, string];
let pty: PtyPair;
let demo: DemoPlc;
let server: RtuSerialServer;
let gateway: Gateway | undefined;

function rtuDevice(name: string, unitId: number, tags: Array<Record<string, unknown>>) {
  return {
    name,
    driver: 'modbus-rtu',
    settings: { port: links[0], baudRate: BAUD, unitId, timeoutMs: 150, retries: 0 },
    groups: [{ name: 'g', intervalMs: INTERVAL_MS, publish: 'always', tags }],
  };
}

function configOf(doc: Record<string, unknown>): Config {
  const result = validateConfig(doc, builtinRegistry());
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.config;
}

/** Starts a gateway on `config` and records every reading from the bus. */
async function startGateway(config: Config): Promise<{ gw: Gateway; readings: GroupReading[] }> {
  const gw = new Gateway({ registry: builtinRegistry(), log: silentLogger(), dataDir: dir, version: 'test' });
  const readings: GroupReading[] = [];
  gw.bus.subscribe({ reading: (r) => readings.push(r) });
  await gw.start(config);
  gateway = gw;
  return { gw, readings };
}

const threeUnits = () =>
  configOf({
    gateway: { id: 'rtu', uns: 'plant' },
    devices: [
      rtuDevice('unit1', 1, [
        { name: 'speed', address: 'hr:2' },
        { name: 'scratch', address: 'hr:100' },
      ]),
      rtuDevice('unit2', 2, [{ name: 'speed', address: 'hr:2' }]),
      rtuDevice('unit3', 3, [{ name: 'speed', address: 'hr:2' }]),
    ],
  });

function goodValues(readings: GroupReading[], device: string, tag: string): unknown[] {
  return readings
    .filter((r) => r.device === device)
    .flatMap((r) => r.items.filter((i) => i.tag.name === tag && i.value.quality === 'good').map((i) => i.value.value));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tagwire-rtu-'));
  links = [join(dir, 'ttyGateway'), join(dir, 'ttyPlc')];
  demo = createDemoModel();
  // A third unit on the same line, with a value of its own.
  demo.model.addUnit(3);
  demo.model.map(3, 'hr', 0, 10);
  demo.model.setRegister(3, 'hr', 2, 333);
  demo.model.setRegister(1, 'hr', 100, 4242);
  pty = await ptyPair(5000, links);
  server = await serveRtuOnSerial(demo.model, { path: links[1], baudRate: BAUD });
});

afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
  server.sim.silentUnits.clear();
  server.sim.responseDelayMs = 0;
});

afterAll(async () => {
  await server.close();
  await pty.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Modbus RTU on a serial line (socat pty pair)', () => {
  it('polls three units on one port and places their tags in the UNS', async () => {
    const { readings } = await startGateway(threeUnits());
    await vi.waitFor(
      () => {
        expect(goodValues(readings, 'unit1', 'speed')).toContain(1500);
        expect(goodValues(readings, 'unit1', 'scratch')).toContain(4242);
        expect(goodValues(readings, 'unit2', 'speed')).toContain(1500);
        expect(goodValues(readings, 'unit3', 'speed')).toContain(333);
      },
      { timeout: 5000, interval: 50 },
    );
    const topics = new Set(readings.flatMap((r) => r.items.map((i) => i.topic)));
    expect([...topics].sort()).toEqual([
      'plant/unit1/scratch',
      'plant/unit1/speed',
      'plant/unit2/speed',
      'plant/unit3/speed',
    ]);
  });

  it('keeps the other units on schedule while one unit is dead (tolerance: 70 % of the reads due)', async () => {
    server.sim.silentUnits.add(2);
    const { gw, readings } = await startGateway(threeUnits());
    // Let the dead unit be detected and backed off, then measure a window.
    await vi.waitFor(() => expect(gw.status().devices[1]).toMatchObject({ name: 'unit2', state: 'disconnected' }), {
      timeout: 5000,
      interval: 50,
    });
    const windowMs = 3000;
    const from = readings.length;
    await new Promise((r) => setTimeout(r, windowMs));
    const window = readings.slice(from);
    const due = windowMs / INTERVAL_MS;
    for (const device of ['unit1', 'unit3']) {
      const good = window.filter((r) => r.device === device && r.items.every((i) => i.value.quality === 'good'));
      expect(good.length, `${device}: ${good.length} good reads of ${due} due`).toBeGreaterThanOrEqual(
        Math.floor(due * 0.7),
      );
    }
    expect(gw.status().devices[1]).toMatchObject({ state: 'disconnected', error: 'timeout' });
  });

  it('never publishes a wrong value from corrupted, truncated, stray, misaddressed or late answers', async () => {
    const { gw, readings } = await startGateway(threeUnits());
    await vi.waitFor(() => expect(goodValues(readings, 'unit1', 'speed').length).toBeGreaterThan(2), {
      timeout: 5000,
      interval: 20,
    });
    const sim = server.sim;
    sim.corruptNextResponses(3);
    sim.truncateNextResponses(3);
    sim.strayBytesBeforeNext(7);
    sim.strayBytesBeforeNext(Uint8Array.from([0x01, 0x03, 0x02]));
    sim.wrongUnitNext(2);
    // Answers later than the 150 ms timeout: each must be dropped, never taken for the next request's answer.
    sim.responseDelayMs = 180;
    await new Promise((r) => setTimeout(r, 1200));
    sim.responseDelayMs = 0;
    const from = readings.length;
    await vi.waitFor(
      () => {
        expect(goodValues(readings.slice(from), 'unit1', 'speed').length).toBeGreaterThan(2);
        expect(goodValues(readings.slice(from), 'unit3', 'speed').length).toBeGreaterThan(2);
      },
      { timeout: 8000, interval: 50 },
    );
    expect(new Set(goodValues(readings, 'unit1', 'speed'))).toEqual(new Set([1500]));
    expect(new Set(goodValues(readings, 'unit1', 'scratch'))).toEqual(new Set([4242]));
    expect(new Set(goodValues(readings, 'unit2', 'speed'))).toEqual(new Set([1500]));
    expect(new Set(goodValues(readings, 'unit3', 'speed'))).toEqual(new Set([333]));
    const link = (gw.status().devices[0] as unknown as { link: { link: { crcErrors: number; timeouts: number } } }).link
      .link;
    expect(link.crcErrors + link.timeouts).toBeGreaterThan(0);
  });

  it('recovers by itself when the adapter is unplugged and plugged back in', async () => {
    const { gw, readings } = await startGateway(
      configOf({ gateway: { id: 'rtu' }, devices: [rtuDevice('unit1', 1, [{ name: 'speed', address: 'hr:2' }])] }),
    );
    await vi.waitFor(() => expect(goodValues(readings, 'unit1', 'speed').length).toBeGreaterThan(0), {
      timeout: 5000,
      interval: 20,
    });
    // Unplug: the pty pair disappears.
    await server.close();
    await pty.close();
    await vi.waitFor(() => expect(gw.status().devices[0]).toMatchObject({ state: 'disconnected' }), {
      timeout: 5000,
      interval: 20,
    });
    // Plug back in under the same device path.
    pty = await ptyPair(5000, links);
    server = await serveRtuOnSerial(demo.model, { path: links[1], baudRate: BAUD });
    const from = readings.length;
    await vi.waitFor(
      () => {
        expect(gw.status().devices[0]).toMatchObject({ state: 'connected' });
        expect(goodValues(readings.slice(from), 'unit1', 'speed')).toContain(1500);
      },
      { timeout: 15000, interval: 50 },
    );
  });
});

describe('Modbus RTU over TCP (serial device server)', () => {
  it('reads and writes units behind an RTU-over-TCP server', async () => {
    const tcp = new ModbusRtuTcpSimulator(demo.model, { host: '127.0.0.1', port: 0 });
    const { port } = await tcp.listen();
    try {
      const { gw, readings } = await startGateway(
        configOf({
          gateway: { id: 'rtutcp' },
          devices: [
            {
              name: 'behind-moxa',
              driver: 'modbus-rtu-tcp',
              settings: { host: '127.0.0.1', port, unitId: 3, timeoutMs: 300 },
              groups: [{ name: 'g', intervalMs: 100, tags: [{ name: 'speed', address: 'hr:2', access: 'readwrite' }] }],
            },
          ],
        }),
      );
      await vi.waitFor(() => expect(goodValues(readings, 'behind-moxa', 'speed')).toContain(333), {
        timeout: 5000,
        interval: 20,
      });
      await gw.write('behind-moxa', 'speed', 444);
      expect(demo.model.getRegister(3, 'hr', 2)).toBe(444);
      expect(goodValues(readings, 'behind-moxa', 'speed')).toContain(444);
    } finally {
      await gateway?.stop();
      gateway = undefined;
      await tcp.close();
      demo.model.setRegister(3, 'hr', 2, 333);
    }
  });
});
