/**
 * Modbus TCP links of busy devices run in the I/O thread. Against the simulated PLC: which
 * device's link goes where; through the whole gateway, values and writes go through the thread,
 * and if it dies every device on it is told its link was lost, reconnects through a new thread
 * and reads again — nothing wrong is published meanwhile.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { builtinRegistry } from '../../app/builtin-plugins.js';
import type { GroupReading } from '../../core/bus.js';
import type { DeviceConfig, GroupConfig } from '../../core/config/schema.js';
import { validateConfig } from '../../core/config/validate.js';
import { silentLogger } from '../../core/log.js';
import type { Driver } from '../../core/plugin.js';
import { modbusTcpDriver } from '../../drivers/modbus/index.js';
import { linkPool } from '../../drivers/modbus/link.js';
import { modbusThread } from '../../drivers/modbus/thread-links.js';
import { createDemoModel, type DemoPlc } from '../../simulators/demo-plc.js';
import { ModbusTcpSimulator } from '../../simulators/modbus-tcp-server.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

let demo: DemoPlc;
let sim: ModbusTcpSimulator;
let gw: TestGateway;
const readings: GroupReading[] = [];

function plc(name: string, port: number, unitId: number): Record<string, unknown> {
  return {
    name,
    driver: 'modbus-tcp',
    settings: { host: '127.0.0.1', port, unitId, timeoutMs: 500, retries: 0 },
    groups: [
      {
        name: 'fast',
        intervalMs: 50,
        publish: 'always',
        tags: [
          { name: 'speed', address: 'hr:2', access: 'readwrite' },
          { name: 'scratch', address: 'hr:150' },
        ],
      },
    ],
  };
}

let port: number;
let acceptedBefore = 0;

beforeAll(async () => {
  demo = createDemoModel();
  sim = new ModbusTcpSimulator(demo.model, { host: '127.0.0.1', port: 0 });
  ({ port } = await sim.listen());
});

afterAll(async () => {
  await sim?.close();
});

/** A device of `blocks` separate one-register reads every `intervalMs`, driven directly. */
async function openDriver(
  name: string,
  simPort: number,
  blocks: number,
  intervalMs: number,
): Promise<{ driver: Driver; group: GroupConfig }> {
  return connectDevice({
    name,
    driver: 'modbus-tcp',
    settings: { host: '127.0.0.1', port: simPort, maxGap: 0 },
    groups: [
      {
        name: 'g',
        intervalMs,
        tags: Array.from({ length: blocks }, (_, i) => ({ name: `t${i}`, address: `hr:${100 + 2 * i}` })),
      },
    ],
  });
}

/** A device reading `count` consecutive holding registers from `start`, one tag each. */
function openBlockDevice(
  name: string,
  simPort: number,
  start: number,
  count: number,
): Promise<{ driver: Driver; group: GroupConfig }> {
  return connectDevice({
    name,
    driver: 'modbus-tcp',
    settings: { host: '127.0.0.1', port: simPort },
    groups: [
      {
        name: 'g',
        intervalMs: 1000,
        tags: Array.from({ length: count }, (_, i) => ({ name: `r${i}`, address: `hr:${start + i}` })),
      },
    ],
  });
}

/** The device's Modbus TCP driver, validated as a configuration would be and connected, driven directly. */
async function connectDevice(raw: Record<string, unknown>): Promise<{ driver: Driver; group: GroupConfig }> {
  const checked = validateConfig({ devices: [raw] }, builtinRegistry());
  if (!checked.ok) throw new Error(checked.errors.join('\n'));
  const device = checked.config.devices[0] as DeviceConfig;
  const driver = modbusTcpDriver.create({
    device,
    settings: device.settings,
    log: silentLogger(),
    dataDir: '/nonexistent',
    connectionLost: () => undefined,
  });
  await driver.connect();
  return { driver, group: device.groups[0] as GroupConfig };
}

describe('where a Modbus TCP link runs', () => {
  it('in the main thread by default, however fast it polls', async () => {
    const fast = await openDriver('fast', port, 10, 10); // 1,000 requests/s
    try {
      expect([linkPool.has(`tcp:127.0.0.1:${port}`), modbusThread()?.has(`tcp:127.0.0.1:${port}`)]).toEqual([
        true,
        false,
      ]);
    } finally {
      await fast.driver.close();
    }
  });

  it('with TAGWIRE_MODBUS_THREAD=1: in the main thread for a device that plans few requests, in the I/O thread from 500/s; a second device joins the first', async () => {
    process.env.TAGWIRE_MODBUS_THREAD = '1';
    const acceptedHere = sim.accepted;
    const other = new ModbusTcpSimulator(demo.model, { host: '127.0.0.1', port: 0 });
    const { port: otherPort } = await other.listen();
    const registers = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? 11 * (i / 2 + 1) : 0));
    demo.model.setRegisters(1, 'hr', 100, registers);
    const here = `tcp:127.0.0.1:${port}`;
    const there = `tcp:127.0.0.1:${otherPort}`;
    const slow = await openDriver('slow', port, 4, 1000); // 4 requests/s
    const fast = await openDriver('fast', otherPort, 5, 10); // 500 requests/s
    const joining = await openDriver('joining', port, 10, 10); // 1,000/s, on the link the slow one opened
    try {
      expect([linkPool.has(here), modbusThread()?.has(here)]).toEqual([true, false]);
      expect([linkPool.has(there), modbusThread()?.has(there)]).toEqual([false, true]);
      // The same registers read the same, wherever the link runs.
      for (const { driver, group } of [slow, fast, joining]) {
        const values = await driver.read(group);
        expect(values.map((v) => v.value)).toEqual(group.tags.map((_, i) => 11 * (i + 1)));
      }
      expect(sim.accepted - acceptedHere).toBe(1);
      expect(other.accepted).toBe(1);
    } finally {
      for (const { driver } of [slow, fast, joining]) await driver.close();
      await other.close();
      delete process.env.TAGWIRE_MODBUS_THREAD;
    }
    // The last device gone: neither keeps the link.
    expect([linkPool.has(here), modbusThread()?.has(there)]).toEqual([false, false]);
  });

  it("reads on while the main thread takes the answers: round after round of reads far above the thread's backlog bound, every value right", async () => {
    process.env.TAGWIRE_MODBUS_THREAD = 'all';
    // Six devices of 2,000 registers each (16 blocks): 12,000 registers of answers per round,
    // above the 8,192 the thread lets wait for the main thread. Were the main thread's
    // "taken" messages lost, the thread would hold the second round's reads for ever.
    const devices: Array<{ driver: Driver; group: GroupConfig }> = [];
    try {
      for (let d = 0; d < 6; d++) {
        const base = 2000 + d * 2000;
        demo.model.map(1, 'hr', base, 2000);
        demo.model.setRegisters(
          1,
          'hr',
          base,
          Array.from({ length: 2000 }, (_, i) => (d * 7 + i) % 65536),
        );
        devices.push(await openBlockDevice(`wide${d}`, port, base, 2000));
      }
      for (let round = 0; round < 5; round++) {
        const answers = await Promise.all(devices.map(({ driver, group }) => driver.read(group)));
        answers.forEach((values, d) => {
          expect(values.map((v) => v.value)).toEqual(values.map((_, i) => (d * 7 + i) % 65536));
        });
      }
    } finally {
      for (const { driver } of devices) await driver.close();
      delete process.env.TAGWIRE_MODBUS_THREAD;
    }
  }, 20_000);
});

describe('the I/O thread under a whole gateway', () => {
  beforeAll(async () => {
    // Every Modbus TCP link in the thread, however little it polls.
    process.env.TAGWIRE_MODBUS_THREAD = 'all';
    acceptedBefore = sim.accepted;
    gw = await startTestGateway(
      { devices: [plc('line1', port, 1), plc('line2', port, 1)], north: [] },
      { beforeStart: (runtime) => runtime.gateway.bus.subscribe({ reading: (r) => void readings.push(r) }) },
    );
  });

  afterAll(async () => {
    await gw?.close();
    delete process.env.TAGWIRE_MODBUS_THREAD;
  });

  const goodSpeeds = (device: string) =>
    readings
      .filter((r) => r.device === device)
      .flatMap((r) => r.items)
      .filter((i) => i.tag.name === 'speed' && i.value.quality === 'good')
      .map((i) => i.value.value);

  it('is where the links run: reads and writes go through it', async () => {
    expect(modbusThread()).toBeDefined();
    await vi.waitFor(() => expect(goodSpeeds('line1').length).toBeGreaterThan(2), { timeout: 5000 });
    expect(goodSpeeds('line1').at(-1)).toBe(1500);
    await gw.runtime.gateway.device('line1').write('speed', 1234);
    expect(demo.model.getRegister(1, 'hr', 2)).toBe(1234);
    await vi.waitFor(() => expect(goodSpeeds('line2').at(-1)).toBe(1234), { timeout: 5000 });
    // One connection for both devices (same host and port).
    expect(sim.accepted - acceptedBefore).toBe(1);
  });

  it('reconnects every device through a new thread when the thread dies, publishing only disconnected meanwhile', async () => {
    const line1 = gw.runtime.gateway.device('line1');
    const line2 = gw.runtime.gateway.device('line2');
    const reconnects = line1.counters.reconnects + line2.counters.reconnects;
    const from = readings.length;
    await modbusThread()?.crashForTest();
    await vi.waitFor(
      () => {
        expect(line1.counters.reconnects + line2.counters.reconnects).toBeGreaterThanOrEqual(reconnects + 2);
        expect(line1.currentState.state).toBe('connected');
        expect(line2.currentState.state).toBe('connected');
      },
      { timeout: 10_000, interval: 50 },
    );
    const good = () => readings.slice(from).filter((r) => r.items.every((i) => i.value.quality === 'good'));
    await vi.waitFor(() => expect(new Set(good().map((r) => r.device))).toEqual(new Set(['line1', 'line2'])), {
      timeout: 5000,
    });
    // Every value after the crash is the register's value or a bad value saying the link went away.
    for (const r of readings.slice(from)) {
      for (const item of r.items) {
        if (item.value.quality === 'good') {
          expect(item.value.value).toBe(item.tag.name === 'speed' ? 1234 : 0);
        } else {
          expect(item.value.error).toBe('disconnected');
        }
      }
    }
    // Writes go through the new thread.
    await line2.write('speed', 4321);
    expect(demo.model.getRegister(1, 'hr', 2)).toBe(4321);
  });
});
