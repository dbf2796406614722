/**
 * The configuration history says what each change did, compares configurations by meaning
 * (reordered keys are not changes), and a rollback is previewed against the configuration in
 * force now — against a real gateway reading the simulated Modbus PLC.
 */
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runModbusSimulator } from '../../simulators/run-modbus.js';
import { simulatedPlc, startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

// biome-ignore lint/suspicious/noExplicitAny: JSON read back from the API
type Json = Record<string, any>;

let gw: TestGateway;
let sim: { port: number; close(): Promise<void> };
let admin: Record<string, string>;

async function call(method: InjectOptions['method'], url: string, payload?: unknown, extra: Json = {}) {
  const headers = { ...admin, ...extra };
  if (payload === undefined) return gw.app.inject({ method, url, headers });
  return gw.app.inject({
    method,
    url,
    headers: { ...headers, 'content-type': 'application/json' },
    payload: JSON.stringify(payload),
  });
}

const history = async (): Promise<Json[]> => (await call('GET', '/api/v1/config/history')).json();
const current = async (): Promise<Json> => (await call('GET', '/api/v1/config')).json();

beforeAll(async () => {
  sim = await runModbusSimulator({ host: '127.0.0.1', port: 0 });
  gw = await startTestGateway(
    {
      gateway: { id: 'gw-history', uns: 'plant' },
      devices: [
        simulatedPlc(sim.port, [
          { name: 'fast', intervalMs: 200, tags: [{ name: 'ramp', address: 'hr:2', type: 'uint16' }] },
        ]),
      ],
    },
    { users: { admin: ['history admin password', 'admin'] }, recordFirstStart: true },
  );
  admin = await gw.login('admin', 'history admin password');
});

afterAll(async () => {
  await gw?.close();
  await sim?.close();
});

describe('configuration history in words', () => {
  it('describes every entry by what it did', async () => {
    expect((await history())[0]).toMatchObject({ source: 'first start', description: 'first start: 1 device' });

    // The web UI saves the whole document (and says it is the UI); a script does too.
    const edited = await current();
    edited.devices[0].groups[0].tags[0].unit = 'rpm';
    expect((await call('PUT', '/api/v1/config', edited, { 'x-tagwire-client': 'web-ui' })).statusCode).toBe(200);
    expect((await history())[0]).toMatchObject({
      source: 'ui',
      summary: 'edit tag plc/ramp',
      description: 'ui: edit tag plc/ramp',
    });

    const withApp = await current();
    withApp.north.push({ name: 'late', plugin: 'mqtt', settings: { url: 'mqtt://127.0.0.1:9' } });
    expect((await call('PUT', '/api/v1/config', withApp)).statusCode).toBe(200);
    expect((await history())[0]).toMatchObject({ source: 'api', description: 'api: add north app late' });

    const res = await call('POST', '/api/v1/devices/plc/groups/fast/tags', { name: 'level', address: 'hr:3' });
    expect(res.statusCode, res.body).toBeLessThan(300);
    expect((await history())[0]).toMatchObject({ summary: 'add tag plc/level' });
  });

  it('does not count reordered keys as changes', async () => {
    const doc = await current();
    // The same settings, keys in another order.
    const settings = doc.devices[0].settings;
    doc.devices[0].settings = Object.fromEntries(Object.entries(settings).reverse());
    expect((await call('PUT', '/api/v1/config', doc)).statusCode).toBe(200);
    const [entry] = await history();
    expect(entry).toMatchObject({ summary: 'no changes', description: 'api: no changes' });
    const diff = (await call('GET', `/api/v1/config/history/${entry?.id}/diff`)).json();
    expect(diff.before).toBe(diff.after);
    expect(diff.removed).toEqual([]);
  });

  it('previews a rollback against the configuration in force now, naming what it deletes', async () => {
    const entries = await history();
    const target = entries.find((e) => e.description === 'ui: edit tag plc/ramp') as Json;
    // Against the entry before it, #target only changed the unit of ramp …
    const own = (await call('GET', `/api/v1/config/history/${target.id}/diff`)).json();
    expect(own).toMatchObject({ against: 'previous', summary: 'edit tag plc/ramp', removed: [] });
    expect(own.after).toContain('unit: rpm');
    // … but going back to it now deletes what was added since.
    const preview = (await call('GET', `/api/v1/config/history/${target.id}/diff?against=current`)).json();
    expect(preview).toMatchObject({
      against: 'current',
      summary: 'delete tag plc/level, delete north app late',
      removed: ['tag plc/level', 'north app late'],
    });
    expect(preview.before).toContain('name: late');
    expect(preview.after).not.toContain('name: late');

    expect((await call('POST', `/api/v1/config/history/${target.id}/rollback`)).statusCode).toBe(200);
    expect((await history())[0]).toMatchObject({
      description: `rollback to #${target.id}: delete tag plc/level, delete north app late`,
    });
    expect(gw.runtime.config.north).toEqual([]);
  });

  it('refuses an unknown comparison or entry with a clear error', async () => {
    const [entry] = await history();
    const bad = await call('GET', `/api/v1/config/history/${entry?.id}/diff?against=yesterday`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toBe('against must be previous or current');
    expect((await call('GET', '/api/v1/config/history/99999/diff')).statusCode).toBe(404);
  });
});
