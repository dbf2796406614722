/**
 * Subscribe mode and writes: after a write's read-back is published, the next scheduled read
 * must not publish the value from before the write (with its older source timestamp) again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bus } from '../../core/bus.js';
import type { DeviceConfig } from '../../core/config/schema.js';
import { validateConfig } from '../../core/config/validate.js';
import { DeviceRunner } from '../../core/device-runner.js';
import { silentLogger } from '../../core/log.js';
import { createRegistry } from '../../core/registry.js';
import type { TagValue } from '../../core/values.js';
import { opcuaDriver } from '../../drivers/opcua/index.js';
import { OpcuaSimulator } from '../../drivers/simulator/opcua-server.js';
import { freePort } from '../helpers/mosquitto.js';

const SLOW_MS = 60_000;
const WRITES = 20;

let dir: string;
let sim: OpcuaSimulator;
let endpointUrl: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tagwire-opcua-order-'));
  sim = new OpcuaSimulator({ port: await freePort(), pkiDir: join(dir, 'server-pki') });
  ({ endpointUrl } = await sim.start());
}, SLOW_MS);

afterAll(async () => {
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
}, SLOW_MS);

function device(mode: 'subscribe' | 'poll'): DeviceConfig {
  const result = validateConfig(
    {
      devices: [
        {
          name: 'ua',
          driver: 'opcua',
          settings: { endpointUrl, mode, timeoutMs: 3000 },
          // Sampling and publishing at 250 ms: the new value's notification comes after the
          // read-back, and a scheduled read usually falls in between.
          groups: [
            {
              name: 'g',
              intervalMs: 250,
              tags: [
                { name: 'sp', address: 'ns=1;s=Demo.Setpoint', access: 'readwrite' },
                { name: 'temp', address: 'ns=1;s=Demo.Dynamic.Temperature' },
              ],
            },
          ],
        },
      ],
    },
    createRegistry([opcuaDriver], []),
  );
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.config.devices[0] as DeviceConfig;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} not within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** Every value published for `sp`, in bus order. */
async function writeAndWatch(mode: 'subscribe' | 'poll'): Promise<{ published: TagValue[]; written: number[] }> {
  const bus = new Bus();
  const published: TagValue[] = [];
  bus.subscribe({
    reading: (r) => {
      for (const item of r.items) if (item.tag.name === 'sp' && item.publish) published.push(item.value);
    },
  });
  const runner = new DeviceRunner(device(mode), opcuaDriver, 'ua', bus, silentLogger(), join(dir, mode));
  const written: number[] = [];
  try {
    await runner.start();
    await waitFor(() => published.some((v) => v.quality === 'good'), 15_000, 'a first good setpoint');
    for (let i = 0; i < WRITES; i++) {
      const value = (mode === 'poll' ? 100 : 200) + i + 0.5;
      await runner.write('sp', value);
      written.push(value);
      // Varying gaps put the next scheduled read at different points after the read-back.
      await sleep(60 + ((i * 37) % 300));
    }
    // Long enough for every notification still on its way to arrive and be read.
    await sleep(1000);
  } finally {
    await runner.stop();
  }
  return { published, written };
}

/** The published values must move forward: no older timestamp, no value that was replaced. */
function expectForwardOnly(published: TagValue[], written: number[]): void {
  const good = published.filter((v) => v.quality === 'good');
  for (let k = 1; k < good.length; k++) {
    const [before, after] = [good[k - 1] as TagValue, good[k] as TagValue];
    expect(
      after.timestamp,
      `published #${k} (${after.value}) is older than #${k - 1} (${before.value})`,
    ).toBeGreaterThanOrEqual(before.timestamp);
  }
  const order = good.map((v) => v.value).filter((v) => written.includes(v as number));
  const distinct = order.filter((v, k) => k === 0 || v !== order[k - 1]);
  // Every write shows up once, in the order written, and nothing comes back after its successor.
  expect(distinct).toEqual(written);
}

describe('OPC UA writes and published order', () => {
  it(
    `subscribe mode: ${WRITES} writes, never an older value or timestamp after a newer one`,
    async () => {
      const { published, written } = await writeAndWatch('subscribe');
      expectForwardOnly(published, written);
    },
    SLOW_MS,
  );

  it(
    `poll mode: ${WRITES} writes, never an older value or timestamp after a newer one`,
    async () => {
      const { published, written } = await writeAndWatch('poll');
      expectForwardOnly(published, written);
    },
    SLOW_MS,
  );
});
