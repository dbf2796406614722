import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { builtinRegistry } from '../../app/builtin-plugins.js';
import { validateConfig } from '../../core/config/validate.js';
import { silentLogger } from '../../core/log.js';
import { Runtime } from '../../core/runtime.js';
import { saveConfig } from '../../core/store/config-store.js';
import { type Db, openDb } from '../../core/store/db.js';
import { SpoolStore } from '../../core/store/spool-store.js';
import { runModbusSimulator } from '../../simulators/run-modbus.js';
import { freePort, holdPort, type Mosquitto, startMosquitto } from '../helpers/mosquitto.js';

const TOPIC = 'outage/plc/clock';
const INTERVAL_MS = 50;

let dir: string;
let brokerPort: number;
let broker: Mosquitto | undefined;
let sim: { port: number; close(): Promise<void> };

/** A subscriber with a persistent session: the broker keeps its messages while it is away. */
async function subscriber(clientId: string): Promise<{ client: MqttClient; stamps: number[] }> {
  const stamps: number[] = [];
  const client = mqtt.connect(`mqtt://127.0.0.1:${brokerPort}`, {
    clientId,
    clean: false,
    reconnectPeriod: 200,
  });
  client.on('message', (topic, payload, packet) => {
    // Retained copies replayed on (re)subscribe are old news, not deliveries.
    if (topic === TOPIC && !packet.retain)
      stamps.push((JSON.parse(payload.toString()) as { timestamp: number }).timestamp);
  });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  await client.subscribeAsync(TOPIC, { qos: 1 });
  return { client, stamps };
}

function gatewayConfig(): Record<string, unknown> {
  return {
    gateway: { id: 'outage', uns: 'outage' },
    devices: [
      {
        name: 'plc',
        driver: 'modbus-tcp',
        settings: { host: '127.0.0.1', port: sim.port },
        groups: [
          {
            name: 'g',
            intervalMs: INTERVAL_MS,
            publish: 'always',
            tags: [{ name: 'clock', address: 'ir:10', type: 'uint64' }],
          },
        ],
      },
    ],
    north: [
      {
        name: 'broker',
        plugin: 'mqtt',
        settings: { url: `mqtt://127.0.0.1:${brokerPort}`, qos: 1, retain: false, keepalive: 5 },
      },
    ],
  };
}

/** Messages that arrived in order: each timestamp at least the one before (QoS 1 may repeat, never reorder). */
function expectInOrder(stamps: number[]): void {
  for (let i = 1; i < stamps.length; i++) {
    expect(stamps[i], `message ${i} out of order`).toBeGreaterThanOrEqual(stamps[i - 1] as number);
  }
}

/** A gateway in this process with its own data directory, not yet started. */
function inProcessGateway(): {
  db: Db;
  config: Extract<ReturnType<typeof validateConfig>, { ok: true }>;
  runtime: Runtime;
} {
  const data = mkdtempSync(join(dir, 'gw-'));
  const db: Db = openDb(data);
  const config = validateConfig(gatewayConfig(), builtinRegistry());
  if (!config.ok) throw new Error(config.errors.join('\n'));
  const runtime = new Runtime({ db, dataDir: data, registry: builtinRegistry(), log: silentLogger(), version: 'test' });
  return { db, config, runtime };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tagwire-outage-'));
  brokerPort = await freePort();
  sim = await runModbusSimulator({ host: '127.0.0.1', port: 0 });
});

afterEach(async () => {
  await broker?.stop();
  broker = undefined;
});

afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('store-and-forward through a broker outage', () => {
  it('writes nothing to disk while the broker acknowledges promptly, everything once it is gone', {
    timeout: 60_000,
  }, async () => {
    broker = await startMosquitto(brokerPort);
    const sub = await subscriber('outage-sub-0');
    const { db, config, runtime } = inProcessGateway();
    // Observed, not replaced: the real store still does the work.
    const spy = vi.spyOn(SpoolStore.prototype, 'write');
    const messagesWritten = () => spy.mock.calls.reduce((n, [messages]) => n + messages.length, 0);
    try {
      await runtime.start(config.config);
      // Values read before the first connection was up went to disk (the broker was not reachable
      // yet), and the ones after them followed until that backlog was sent: count from when nothing
      // waits any more.
      const buffered = () =>
        (runtime.gateway.status().north[0] as { counters: { buffered: number } }).counters.buffered;
      await vi.waitFor(
        () => {
          expect(sub.stamps.length).toBeGreaterThan(0);
          expect(buffered()).toBe(0);
        },
        { timeout: 10_000, interval: 20 },
      );
      const writtenBefore = messagesWritten();
      const deliveredBefore = sub.stamps.length;
      await vi.waitFor(() => expect(sub.stamps.length).toBeGreaterThan(deliveredBefore + 40), {
        timeout: 10_000,
        interval: 20,
      });
      expect(messagesWritten()).toBe(writtenBefore);

      await broker.stop();
      const hold = await holdPort(brokerPort);
      const before = sub.stamps.length;
      await new Promise((r) => setTimeout(r, 1500));
      const spooled = runtime.gateway.status().north[0] as { counters: { buffered: number } };
      expect(spooled.counters.buffered).toBeGreaterThan(10);
      expect(new SpoolStore(db, 'broker', { maxMessages: 1e6, maxBytes: 1e9, maxAgeSeconds: 0 }).stats().messages).toBe(
        spooled.counters.buffered,
      );
      await hold.close();
      broker = await startMosquitto(brokerPort);
      await vi.waitFor(() => expect(sub.stamps.length).toBeGreaterThan(before + spooled.counters.buffered), {
        timeout: 30_000,
        interval: 50,
      });
      expectInOrder(sub.stamps);
    } finally {
      spy.mockRestore();
      await runtime.stop();
      db.close();
      sub.client.end(true);
    }
  });

  it('delivers every value published during a 3 s outage, in order, after the broker returns', {
    timeout: 150_000,
  }, async () => {
    const persistence = mkdtempSync(join(dir, 'mosq-'));
    broker = await startMosquitto(brokerPort, { persistenceDir: persistence });
    const sub = await subscriber('outage-sub-1');
    const { db, config, runtime } = inProcessGateway();
    saveConfig(db, config.config);
    const published: number[] = [];
    runtime.gateway.bus.subscribe({
      reading: (r) => {
        for (const i of r.items) if (i.publish) published.push(i.value.timestamp);
      },
    });
    try {
      await runtime.start(config.config);
      await vi.waitFor(() => expect(sub.stamps.length).toBeGreaterThan(10), { timeout: 5000, interval: 20 });

      await broker.stop();
      const hold = await holdPort(brokerPort);
      const outageStart = published.length;
      await new Promise((r) => setTimeout(r, 3000));
      const duringOutage = published.length - outageStart;
      expect(duringOutage).toBeGreaterThan(30);
      const spooled = runtime.gateway.status().north[0] as { counters: { buffered: number } };
      expect(spooled.counters.buffered).toBeGreaterThan(30);

      await hold.close();
      broker = await startMosquitto(brokerPort, { persistenceDir: persistence });
      const lastBeforeCheck = published.length;
      await vi.waitFor(
        () => {
          const got = new Set(sub.stamps);
          const missing = published.slice(0, lastBeforeCheck).filter((t) => !got.has(t));
          expect(missing, `${missing.length} of ${lastBeforeCheck} values missing`).toEqual([]);
        },
        { timeout: 90_000, interval: 100 },
      );
      expectInOrder(sub.stamps);
      const duplicates = sub.stamps.length - new Set(sub.stamps).size;
      console.log(
        `outage 3 s: ${duringOutage} values spooled, ${lastBeforeCheck} delivered, ${duplicates} QoS 1 duplicates`,
      );
    } finally {
      await runtime.stop();
      db.close();
      sub.client.end(true);
    }
  });

  it('loses nothing that was spooled when the gateway is killed (SIGKILL) during the outage', {
    timeout: 180_000,
  }, async () => {
    const persistence = mkdtempSync(join(dir, 'mosq-'));
    broker = await startMosquitto(brokerPort, { persistenceDir: persistence });
    const sub = await subscriber('outage-sub-2');
    const data = mkdtempSync(join(dir, 'gw-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify(gatewayConfig()));
    const env = { ...process.env, TAGWIRE_LOG_FORMAT: 'json', TAGWIRE_ADMIN_PASSWORD: 'outage-test-pw' };
    const startGateway = (args: string[]): ChildProcess =>
      spawn('node', ['dist/app/cli.js', 'start', '--data', data, '--http-port', '0', ...args], {
        env,
        stdio: 'ignore',
      });
    let gw = startGateway(['--config', file]);
    try {
      await vi.waitFor(() => expect(sub.stamps.length).toBeGreaterThan(5), { timeout: 30_000, interval: 20 });
      await broker.stop();
      const hold = await holdPort(brokerPort);
      await new Promise((r) => setTimeout(r, 1500));
      const exited = new Promise((r) => gw.once('exit', r));
      gw.kill('SIGKILL');
      await exited;

      // What the killed gateway had on disk, read straight from its database.
      const spoolDb = new Database(join(data, 'tagwire.db'), { readonly: true });
      const rows = spoolDb.prepare('SELECT payload FROM spool WHERE topic = ? ORDER BY id').all(TOPIC) as Array<{
        payload: Buffer;
      }>;
      spoolDb.close();
      const spooled = rows.map((r) => (JSON.parse(r.payload.toString()) as { timestamp: number }).timestamp);
      expect(spooled.length).toBeGreaterThan(10);

      await hold.close();
      broker = await startMosquitto(brokerPort, { persistenceDir: persistence });
      gw = startGateway([]);
      await vi.waitFor(
        () => {
          const got = new Set(sub.stamps);
          expect(spooled.filter((t) => !got.has(t))).toEqual([]);
        },
        { timeout: 90_000, interval: 100 },
      );
      expectInOrder(sub.stamps);
    } finally {
      const exited = new Promise((r) => gw.once('exit', r));
      if (gw.exitCode === null) gw.kill('SIGTERM');
      await exited;
      sub.client.end(true);
    }
  });
});
