/**
 * Modbus TCP links run in the I/O thread. Against the simulated PLC, through the whole gateway:
 * values and writes go through it, and if the thread dies every device on it is told its link
 * was lost, reconnects through a new thread and reads again — nothing wrong is published meanwhile.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { GroupReading } from '../../core/bus.js';
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

beforeAll(async () => {
  demo = createDemoModel();
  sim = new ModbusTcpSimulator(demo.model, { host: '127.0.0.1', port: 0 });
  const { port } = await sim.listen();
  gw = await startTestGateway(
    { devices: [plc('line1', port, 1), plc('line2', port, 1)], north: [] },
    { beforeStart: (runtime) => runtime.gateway.bus.subscribe({ reading: (r) => void readings.push(r) }) },
  );
});

afterAll(async () => {
  await gw?.close();
  await sim?.close();
});

const goodSpeeds = (device: string) =>
  readings
    .filter((r) => r.device === device)
    .flatMap((r) => r.items)
    .filter((i) => i.tag.name === 'speed' && i.value.quality === 'good')
    .map((i) => i.value.value);

describe('Modbus TCP I/O thread', () => {
  it('is where the links run: reads and writes go through it', async () => {
    expect(modbusThread()).toBeDefined();
    await vi.waitFor(() => expect(goodSpeeds('line1').length).toBeGreaterThan(2), { timeout: 5000 });
    expect(goodSpeeds('line1').at(-1)).toBe(1500);
    await gw.runtime.gateway.device('line1').write('speed', 1234);
    expect(demo.model.getRegister(1, 'hr', 2)).toBe(1234);
    await vi.waitFor(() => expect(goodSpeeds('line2').at(-1)).toBe(1234), { timeout: 5000 });
    // One connection for both devices (same host and port).
    expect(sim.accepted).toBe(1);
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
