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
import { OpcuaSimulator } from '../../simulators/opcua-server.js';
import { freePort, startMosquitto } from '../helpers/mosquitto.js';
import { field, MqttCollector } from '../helpers/mqtt-collector.js';
import { startTestGateway } from '../helpers/test-gateway.js';

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

/** Sampling and publishing at 250 ms: the new value's notification comes after the read-back, and a scheduled read usually falls in between. */
function deviceDoc(mode: 'subscribe' | 'poll'): Record<string, unknown> {
  return {
    name: 'ua',
    driver: 'opcua',
    settings: { endpointUrl, mode, timeoutMs: 3000 },
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
  };
}

function device(mode: 'subscribe' | 'poll'): DeviceConfig {
  const result = validateConfig({ devices: [deviceDoc(mode)] }, createRegistry([opcuaDriver], []));
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

/** The same through MQTT: `_set` requests on mosquitto, values as a subscriber receives them. */
async function setOverMqttAndWatch(): Promise<{ published: TagValue[]; written: number[] }> {
  const broker = await startMosquitto();
  const sub = await MqttCollector.connect(broker.url, ['order/ua/sp', 'order/ua/sp/_set/result']);
  const gw = await startTestGateway({
    gateway: { id: 'order', uns: 'order' },
    devices: [deviceDoc('subscribe')],
    north: [{ name: 'broker', plugin: 'mqtt', settings: { url: broker.url, qos: 1, retain: false } }],
  });
  const written: number[] = [];
  try {
    await sub.waitForTopic('order/ua/sp', (m) => field(m, 'quality') === 'good', { timeoutMs: 15_000 });
    for (let i = 0; i < WRITES; i++) {
      const value = 300 + i + 0.5;
      const since = sub.mark();
      await sub.publish('order/ua/sp/_set', JSON.stringify({ value, id: `w${i}` }));
      const result = await sub.waitForTopic('order/ua/sp/_set/result', (m) => field(m, 'id') === `w${i}`, {
        since,
        timeoutMs: 10_000,
      });
      expect(result.json).toMatchObject({ ok: true });
      written.push(value);
      await sleep(60 + ((i * 37) % 300));
    }
    await sleep(1000);
  } finally {
    await gw.close();
    await sub.close();
    await broker.stop();
  }
  const published = sub.filter((m) => m.topic === 'order/ua/sp').map((m) => m.json as TagValue);
  return { published, written };
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
    `subscribe mode over MQTT: ${WRITES} _set requests, the subscriber never sees an older value again`,
    async () => {
      const { published, written } = await setOverMqttAndWatch();
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
