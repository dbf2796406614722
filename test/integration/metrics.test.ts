/**
 * /metrics after a known workload: a Runtime with the simulated Modbus PLC (one device that
 * reads an unmapped register, one too slow for its interval, one that cannot connect), an MQTT
 * north app on a real mosquitto and one whose broker is down. Scraped over HTTP with a token.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { builtinRegistry } from '../../app/builtin-plugins.js';
import { validateConfig } from '../../core/config/validate.js';
import { silentLogger } from '../../core/log.js';
import { Runtime } from '../../core/runtime.js';
import { type Db, openDb } from '../../core/store/db.js';
import { setPassword } from '../../core/store/users.js';
import { createDemoModel, type DemoPlc } from '../../simulators/demo-plc.js';
import { ModbusTcpSimulator } from '../../simulators/modbus-tcp-server.js';
import { build } from '../../web/server/app.js';
import { freePort, type Mosquitto, startMosquitto } from '../helpers/mosquitto.js';

let dir: string;
let db: Db;
let runtime: Runtime;
let app: FastifyInstance;
let broker: Mosquitto;
let token: string;
const plcs: Array<{ demo: DemoPlc; sim: ModbusTcpSimulator; port: number }> = [];

async function startPlc(responseDelayMs = 0): Promise<number> {
  const demo = createDemoModel();
  demo.start();
  const sim = new ModbusTcpSimulator(demo.model, { host: '127.0.0.1', port: 0 });
  sim.responseDelayMs = responseDelayMs;
  const { port } = await sim.listen();
  plcs.push({ demo, sim, port });
  return port;
}

/** `name{labels} value` lines of the exposition, as a map (comments dropped). */
function parse(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{.*\})?) (\S+)$/.exec(line);
    if (!match) throw new Error(`not Prometheus text: ${line}`);
    samples.set(match[1] as string, Number(match[2]));
  }
  return samples;
}

/** The value of `name` with exactly these labels (prom-client writes them in declaration order). */
function sample(samples: Map<string, number>, name: string, labels: Record<string, string> = {}): number | undefined {
  const body = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  return samples.get(body ? `${name}{${body}}` : name);
}

async function scrape(headers: Record<string, string> = { authorization: `Bearer ${token}` }) {
  return app.inject({ method: 'GET', url: '/metrics', headers });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tagwire-metrics-'));
  db = openDb(dir);
  await setPassword(db, 'admin', 'correct horse battery', 'admin');
  broker = await startMosquitto();
  const plcPort = await startPlc();
  const slowPort = await startPlc(60);
  const deadPort = await freePort();
  const downBroker = await freePort();
  const result = validateConfig(
    {
      gateway: { id: 'gw-metrics', uns: 'metrics' },
      devices: [
        {
          name: 'plc',
          driver: 'modbus-tcp',
          settings: { host: '127.0.0.1', port: plcPort, maxGap: 0 },
          groups: [
            {
              name: 'g',
              intervalMs: 100,
              publish: 'always',
              tags: [
                { name: 'speed', address: 'hr:2' },
                // Not mapped in the simulator: every read answers exception 2 for this tag.
                { name: 'hole', address: 'hr:1150' },
              ],
            },
          ],
        },
        {
          name: 'slow',
          driver: 'modbus-tcp',
          settings: { host: '127.0.0.1', port: slowPort },
          // Answers take 60 ms, the interval is 20 ms: reads overrun.
          groups: [{ name: 'fast', intervalMs: 20, tags: [{ name: 'counter', address: 'ir:4' }] }],
        },
        {
          name: 'dead',
          driver: 'modbus-tcp',
          settings: { host: '127.0.0.1', port: deadPort, timeoutMs: 200 },
          groups: [{ name: 'g', intervalMs: 1000, tags: [{ name: 'x', address: 'hr:0' }] }],
        },
      ],
      north: [
        { name: 'cloud', plugin: 'mqtt', devices: ['plc'], settings: { url: broker.url, qos: 1 } },
        {
          name: 'offline',
          plugin: 'mqtt',
          devices: ['plc'],
          settings: { url: `mqtt://127.0.0.1:${downBroker}`, qos: 1 },
        },
      ],
    },
    builtinRegistry(),
  );
  if (!result.ok) throw new Error(result.errors.join('\n'));
  runtime = new Runtime({
    db,
    dataDir: dir,
    registry: builtinRegistry(),
    log: silentLogger(),
    version: '9.9.9-test',
  });
  await runtime.start(result.config);
  app = await build({ runtime, db, log: silentLogger(), version: '9.9.9-test' });
  const login = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username: 'admin', password: 'correct horse battery' },
  });
  token = login.json().token;
});

afterAll(async () => {
  await app?.close();
  await runtime?.stop();
  for (const p of plcs) {
    p.demo.stop();
    await p.sim.close();
  }
  await broker?.stop();
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('GET /metrics', () => {
  it('needs a token by default', async () => {
    const res = await scrape({});
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('unauthorized');
  });

  it('reports device, link, north and process metrics with values that fit the workload', async () => {
    let s = new Map<string, number>();
    await vi.waitFor(
      async () => {
        const res = await scrape();
        expect(res.statusCode).toBe(200);
        s = parse(res.body);
        expect(sample(s, 'tagwire_device_reads_total', { device: 'plc' })).toBeGreaterThanOrEqual(5);
        expect(sample(s, 'tagwire_device_poll_overruns_total', { device: 'slow' })).toBeGreaterThan(0);
        expect(sample(s, 'tagwire_north_messages_published_total', { app: 'cloud', plugin: 'mqtt' })).toBeGreaterThan(
          0,
        );
        expect(sample(s, 'tagwire_north_buffered_messages', { app: 'offline', plugin: 'mqtt' })).toBeGreaterThan(0);
      },
      { timeout: 15_000, interval: 200 },
    );
    const res = await scrape();
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    s = parse(res.body);

    // Device: every read of plc has exactly one bad tag, the unmapped register.
    const reads = sample(s, 'tagwire_device_reads_total', { device: 'plc' }) as number;
    expect(sample(s, 'tagwire_device_read_errors_total', { device: 'plc', code: 'modbus-exception-2' })).toBe(reads);
    expect(sample(s, 'tagwire_device_read_duration_seconds_count', { device: 'plc' })).toBe(reads);
    const sum = sample(s, 'tagwire_device_read_duration_seconds_sum', { device: 'plc' }) as number;
    expect(sum / reads).toBeGreaterThan(0);
    expect(sum / reads).toBeLessThan(1);
    expect(sample(s, 'tagwire_device_read_duration_seconds_bucket', { le: '+Inf', device: 'plc' })).toBe(reads);
    expect(sample(s, 'tagwire_device_connected', { device: 'plc' })).toBe(1);
    expect(sample(s, 'tagwire_device_connected', { device: 'dead' })).toBe(0);
    expect(sample(s, 'tagwire_device_reconnects_total', { device: 'dead' })).toBeGreaterThanOrEqual(1);
    // The slow device's reads take at least the 60 ms the simulator holds each answer.
    const slowReads = sample(s, 'tagwire_device_read_duration_seconds_count', { device: 'slow' }) as number;
    const slowSum = sample(s, 'tagwire_device_read_duration_seconds_sum', { device: 'slow' }) as number;
    expect(slowSum / slowReads).toBeGreaterThanOrEqual(0.055);

    // Links: one per host:port; plc and slow each have their own.
    const plcLink = { link: `tcp:127.0.0.1:${plcs[0]?.port}` };
    const slowLink = { link: `tcp:127.0.0.1:${plcs[1]?.port}` };
    expect(sample(s, 'tagwire_link_requests_total', plcLink)).toBeGreaterThanOrEqual(reads);
    expect(sample(s, 'tagwire_link_timeouts_total', plcLink)).toBe(0);
    expect(sample(s, 'tagwire_link_crc_errors_total', plcLink)).toBe(0);
    const busy = sample(s, 'tagwire_link_utilisation_ratio', slowLink) as number;
    // Back-to-back 60 ms answers on a 20 ms schedule keep the line busy most of the time.
    expect(busy).toBeGreaterThan(0.5);
    expect(busy).toBeLessThanOrEqual(1);
    expect(sample(s, 'tagwire_link_utilisation_ratio', plcLink)).toBeLessThan(busy);
    expect(sample(s, 'tagwire_link_busy_seconds_total', slowLink)).toBeGreaterThan(0);

    // North apps.
    const cloud = { app: 'cloud', plugin: 'mqtt' };
    const offline = { app: 'offline', plugin: 'mqtt' };
    expect(sample(s, 'tagwire_north_connected', cloud)).toBe(1);
    expect(sample(s, 'tagwire_north_connected', offline)).toBe(0);
    expect(sample(s, 'tagwire_north_bytes_total', cloud)).toBeGreaterThan(0);
    // State messages from before the first connect count as dropped; values never are.
    expect(sample(s, 'tagwire_north_dropped_total', cloud)).toBeLessThan(5);
    expect(sample(s, 'tagwire_north_reconnects_total', offline)).toBeGreaterThanOrEqual(1);
    expect(sample(s, 'tagwire_north_buffered_bytes', offline)).toBeGreaterThan(0);
    expect(sample(s, 'tagwire_north_oldest_buffered_age_seconds', offline)).toBeGreaterThan(0);

    // Process and event loop.
    expect(sample(s, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sample(s, 'nodejs_eventloop_lag_p99_seconds')).toBeGreaterThanOrEqual(0);
    const p99 = sample(s, 'tagwire_eventloop_delay_p99_seconds') as number;
    expect(p99).toBeGreaterThanOrEqual(0);
    expect(p99).toBeLessThan(1);
    expect(sample(s, 'tagwire_info', { version: '9.9.9-test' })).toBe(1);
  });

  it('is reachable without a token with TAGWIRE_METRICS_PUBLIC=1, and only then', async () => {
    vi.stubEnv('TAGWIRE_METRICS_PUBLIC', '1');
    const open = await build({ runtime, db, log: silentLogger(), version: '9.9.9-test' });
    vi.unstubAllEnvs();
    try {
      const res = await open.inject({ method: 'GET', url: '/metrics' });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('tagwire_device_reads_total');
      // The rest of the API still needs a login.
      expect((await open.inject({ method: 'GET', url: '/api/v1/status' })).statusCode).toBe(401);
    } finally {
      await open.close();
    }
  });
  it('is served without login on the address of TAGWIRE_METRICS_LISTEN only, and a bad address is refused', async () => {
    const port = await freePort();
    vi.stubEnv('TAGWIRE_METRICS_LISTEN', `127.0.0.1:${port}`);
    const withListener = await build({ runtime, db, log: silentLogger(), version: '9.9.9-test' });
    vi.unstubAllEnvs();
    try {
      await withListener.listen({ host: '127.0.0.1', port: 0 });
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain');
      expect(await res.text()).toContain('tagwire_device_reads_total');
      expect((await fetch(`http://127.0.0.1:${port}/api/v1/status`)).status).toBe(404);
      // The API's own /metrics still needs a login.
      expect((await withListener.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    } finally {
      await withListener.close();
    }
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();

    // An address already in use: the API still starts, /metrics stays on it.
    const blocker = await build({ runtime, db, log: silentLogger(), version: '9.9.9-test' });
    await blocker.listen({ host: '127.0.0.1', port });
    vi.stubEnv('TAGWIRE_METRICS_LISTEN', `127.0.0.1:${port}`);
    const busy = await build({ runtime, db, log: silentLogger(), version: '9.9.9-test' });
    vi.unstubAllEnvs();
    try {
      await busy.listen({ host: '127.0.0.1', port: 0 });
      expect((await busy.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    } finally {
      await busy.close();
      await blocker.close();
    }

    vi.stubEnv('TAGWIRE_METRICS_LISTEN', 'everywhere');
    await expect(build({ runtime, db, log: silentLogger(), version: '9.9.9-test' })).rejects.toThrow(
      /TAGWIRE_METRICS_LISTEN must be HOST:PORT/,
    );
    vi.unstubAllEnvs();
  });
});
