/**
 * Renaming a north app through the API keeps the messages it has not delivered yet: they are
 * handed to the new name, not left behind for whatever app takes the old one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { builtinRegistry } from '../../core/builtin-plugins.js';
import { validateConfig } from '../../core/config/validate.js';
import { silentLogger } from '../../core/log.js';
import { Runtime } from '../../core/runtime.js';
import { saveConfig } from '../../core/store/config-store.js';
import { type Db, openDb } from '../../core/store/db.js';
import { setPassword } from '../../core/store/users.js';
import { runModbusSimulator } from '../../drivers/simulator/run-modbus.js';
import { build } from '../../web/server/app.js';
import { freePort } from '../helpers/mosquitto.js';

let dir: string;
let db: Db;
let runtime: Runtime;
let app: FastifyInstance;
let sim: { port: number; close(): Promise<void> };

const spooled = (name: string) =>
  (db.prepare('SELECT COUNT(*) AS n FROM spool WHERE app = ?').get(name) as { n: number }).n;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tagwire-rename-'));
  db = openDb(dir);
  await setPassword(db, 'admin', 'admin-password-1', 'admin');
  sim = await runModbusSimulator({ host: '127.0.0.1', port: 0 });
  // Nobody listens on the broker port: every message stays in the spool.
  const deadBroker = await freePort();
  const config = validateConfig(
    {
      gateway: { id: 'rename' },
      devices: [
        {
          name: 'plc',
          driver: 'modbus-tcp',
          settings: { host: '127.0.0.1', port: sim.port },
          groups: [{ name: 'g', intervalMs: 50, publish: 'always', tags: [{ name: 'speed', address: 'hr:2' }] }],
        },
      ],
      north: [{ name: 'plant', plugin: 'mqtt', settings: { url: `mqtt://127.0.0.1:${deadBroker}`, qos: 1 } }],
    },
    builtinRegistry(),
  );
  if (!config.ok) throw new Error(config.errors.join('\n'));
  saveConfig(db, config.config);
  runtime = new Runtime({
    db,
    dataDir: dir,
    registry: builtinRegistry(),
    log: silentLogger(),
    version: 'test',
    demoSimulator: false,
  });
  await runtime.start(config.config);
  app = await build({ runtime, db, log: silentLogger(), version: 'test' });
});

afterAll(async () => {
  await app?.close();
  await runtime?.stop();
  await sim?.close();
  db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('renaming a north app', () => {
  it('hands its undelivered messages to the new name', async () => {
    await vi.waitFor(() => expect(spooled('plant')).toBeGreaterThan(20), { timeout: 10_000, interval: 50 });
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'admin', password: 'admin-password-1' },
    });
    const headers = { authorization: `Bearer ${login.json().token}` };
    const current = (await app.inject({ method: 'GET', url: '/api/v1/north/plant', headers })).json();
    const before = spooled('plant');
    const res = await app.inject({
      method: 'PUT',
      url: '/api/v1/north/plant',
      headers,
      payload: { ...current, name: 'plant-main' },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(spooled('plant')).toBe(0);
    expect(spooled('plant-main')).toBeGreaterThanOrEqual(before);
    const status = runtime.gateway.status().north as Array<{ name: string; counters: { buffered?: number } }>;
    expect(status.find((n) => n.name === 'plant-main')?.counters.buffered ?? 0).toBeGreaterThanOrEqual(before);
  });
});
