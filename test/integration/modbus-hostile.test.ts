import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { builtinRegistry } from '../../app/builtin-plugins.js';
import type { GroupReading } from '../../core/bus.js';
import { validateConfig } from '../../core/config/validate.js';
import { Gateway } from '../../core/gateway.js';
import { silentLogger } from '../../core/log.js';
import { runModbusSimulator } from '../../simulators/run-modbus.js';
import { FaultRelay } from '../helpers/fault-relay.js';

let sim: { port: number; close(): Promise<void> };
let relay: FaultRelay;
let relayPort: number;

// Registers of the demo PLC that never change: any other good value is a wrong value.
const EXPECTED: Record<string, unknown> = {
  speed: 1500,
  small: -5,
  medium: -123456,
  big: 1234567890123456789n,
  name: 'TAGWIRE-SIM',
  running: true,
};

beforeAll(async () => {
  sim = await runModbusSimulator({ host: '127.0.0.1', port: 0 });
  relay = new FaultRelay(sim.port);
  relayPort = await relay.listen();
});

afterAll(async () => {
  await relay.close();
  await sim.close();
});

describe('hostile Modbus TCP answers', () => {
  it('never publishes a wrong value, never crashes, stays bounded, and recovers when the faults stop', {
    timeout: 40_000,
  }, async () => {
    const TIMEOUT_MS = 100;
    const INTERVAL_MS = 10;
    const config = validateConfig(
      {
        gateway: { id: 'hostile' },
        devices: [
          {
            name: 'plc',
            driver: 'modbus-tcp',
            settings: { host: '127.0.0.1', port: relayPort, timeoutMs: TIMEOUT_MS, retries: 0, maxGap: 0 },
            groups: [
              {
                name: 'a',
                intervalMs: INTERVAL_MS,
                publish: 'always',
                tags: [
                  { name: 'speed', address: 'hr:2' },
                  { name: 'small', address: 'hr:3', type: 'int16' },
                ],
              },
              {
                name: 'b',
                intervalMs: INTERVAL_MS,
                publish: 'always',
                tags: [
                  { name: 'medium', address: 'hr:4', type: 'int32' },
                  { name: 'big', address: 'hr:6', type: 'int64' },
                ],
              },
              {
                name: 'c',
                intervalMs: INTERVAL_MS,
                publish: 'always',
                tags: [
                  { name: 'name', address: 'hr:10', type: 'string', length: 20 },
                  { name: 'running', address: 'hr:20.0' },
                ],
              },
            ],
          },
        ],
      },
      builtinRegistry(),
    );
    if (!config.ok) throw new Error(config.errors.join('\n'));
    const gateway = new Gateway({
      registry: builtinRegistry(),
      log: silentLogger(),
      dataDir: '/nonexistent',
      version: 't',
    });
    const wrong: string[] = [];
    let good = 0;
    let bad = 0;
    let lastGoodAt = 0;
    gateway.bus.subscribe({
      reading: (r: GroupReading) => {
        for (const item of r.items) {
          if (item.value.quality !== 'good') {
            bad++;
            continue;
          }
          good++;
          lastGoodAt = performance.now();
          if (item.value.value !== EXPECTED[item.tag.name]) wrong.push(`${item.tag.name}=${String(item.value.value)}`);
        }
      },
    });
    await gateway.start(config.config);
    try {
      await vi.waitFor(() => expect(good).toBeGreaterThan(10), { timeout: 5000, interval: 10 });
      const heapBefore = process.memoryUsage().heapUsed;
      const answersBefore = relay.answers;
      relay.faultRate = 0.05;
      await new Promise((r) => setTimeout(r, 12_000));
      relay.faultRate = 0;
      const faultsStoppedAt = performance.now();
      const answers = relay.answers - answersBefore;

      await vi.waitFor(() => expect(lastGoodAt).toBeGreaterThan(faultsStoppedAt), { timeout: 5000, interval: 5 });
      const recoveryMs = lastGoodAt - faultsStoppedAt;
      const heapGrowthMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
      const injected = Object.fromEntries(relay.injected);
      console.log(
        `hostile: ${answers} answers, faults ${JSON.stringify(injected)}, ${good} good / ${bad} bad values, ` +
          `recovery ${recoveryMs.toFixed(0)} ms, heap ${heapGrowthMb.toFixed(1)} MB`,
      );

      expect(wrong).toEqual([]);
      expect(answers).toBeGreaterThan(500);
      expect(relay.injected.size).toBe(8);
      expect(bad).toBeGreaterThan(0);
      // One timeout plus one interval, plus the first reconnect attempt (0.5 s ± 20 %) if the last fault reset the link.
      expect(recoveryMs).toBeLessThan(TIMEOUT_MS + INTERVAL_MS + 700);
      expect(heapGrowthMb).toBeLessThan(64);
    } finally {
      await gateway.stop();
    }
  });
});
