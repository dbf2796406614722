/**
 * Renaming a north app through the API keeps the messages it has not delivered yet: they are
 * handed to the new name, not left behind for whatever app takes the old one.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runModbusSimulator } from '../../simulators/run-modbus.js';
import { freePort } from '../helpers/mosquitto.js';
import { simulatedPlc, startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

let gw: TestGateway;
let sim: { port: number; close(): Promise<void> };

const spooled = (name: string) =>
  (gw.db.prepare('SELECT COUNT(*) AS n FROM spool WHERE app = ?').get(name) as { n: number }).n;

beforeAll(async () => {
  sim = await runModbusSimulator({ host: '127.0.0.1', port: 0 });
  // Nobody listens on the broker port: every message stays in the spool.
  const deadBroker = await freePort();
  gw = await startTestGateway(
    {
      gateway: { id: 'rename' },
      devices: [
        simulatedPlc(sim.port, [
          { name: 'g', intervalMs: 50, publish: 'always', tags: [{ name: 'speed', address: 'hr:2' }] },
        ]),
      ],
      north: [{ name: 'plant', plugin: 'mqtt', settings: { url: `mqtt://127.0.0.1:${deadBroker}`, qos: 1 } }],
    },
    { users: { admin: ['admin-password-1', 'admin'] } },
  );
});

afterAll(async () => {
  await gw?.close();
  await sim?.close();
});

describe('renaming a north app', () => {
  it('hands its undelivered messages to the new name', async () => {
    await vi.waitFor(() => expect(spooled('plant')).toBeGreaterThan(20), { timeout: 10_000, interval: 50 });
    const headers = await gw.login('admin', 'admin-password-1');
    const current = (await gw.app.inject({ method: 'GET', url: '/api/v1/north/plant', headers })).json();
    const before = spooled('plant');
    const res = await gw.app.inject({
      method: 'PUT',
      url: '/api/v1/north/plant',
      headers,
      payload: { ...current, name: 'plant-main' },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(spooled('plant')).toBe(0);
    expect(spooled('plant-main')).toBeGreaterThanOrEqual(before);
    const status = gw.runtime.gateway.status().north as Array<{ name: string; counters: { buffered?: number } }>;
    expect(status.find((n) => n.name === 'plant-main')?.counters.buffered ?? 0).toBeGreaterThanOrEqual(before);
  });
});
