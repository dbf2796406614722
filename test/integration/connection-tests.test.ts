/**
 * "Test connection" for unsaved device and north-app settings, and "Retry now" for a device
 * backing off — against the simulated Modbus PLC and a real mosquitto.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createDemoModel } from '../../simulators/demo-plc.js';
import { ModbusTcpSimulator } from '../../simulators/modbus-tcp-server.js';
import { freePort, startMosquitto } from '../helpers/mosquitto.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

const PASSWORD = 'connection test password';
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startPlc(port = 0): Promise<number> {
  const demo = createDemoModel();
  demo.start();
  const sim = new ModbusTcpSimulator(demo.model, { host: '127.0.0.1', port });
  const listening = await sim.listen();
  cleanups.push(async () => {
    demo.stop();
    await sim.close();
  });
  return listening.port;
}

async function gateway(devices: unknown[] = []): Promise<{ gw: TestGateway; auth: Record<string, string> }> {
  const gw = await startTestGateway(
    { gateway: { id: 'gw-test-connection' }, devices },
    { users: { admin: [PASSWORD, 'admin'] } },
  );
  cleanups.push(() => gw.close());
  return { gw, auth: await gw.login('admin', PASSWORD) };
}

describe('Test connection', { timeout: 30_000 }, () => {
  it('connects to the simulated PLC with unsaved settings and reads hr:0 (or the first tag)', async () => {
    const port = await startPlc();
    const { gw, auth } = await gateway();
    const res = await gw.app.inject({
      method: 'POST',
      url: '/api/v1/devices/test-connection',
      headers: auth,
      payload: { driver: 'modbus-tcp', settings: { host: '127.0.0.1', port } },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ ok: true, step: 'done', address: 'hr:0' });
    expect(typeof res.json().value).toBe('number');

    const withTag = await gw.app.inject({
      method: 'POST',
      url: '/api/v1/devices/test-connection',
      headers: auth,
      payload: {
        name: 'press2',
        driver: 'modbus-tcp',
        settings: { host: '127.0.0.1', port },
        groups: [{ name: 'g', intervalMs: 1000, tags: [{ name: 'speed', address: 'hr:2' }] }],
      },
    });
    expect(withTag.json()).toMatchObject({ ok: true, address: 'hr:2' });
    // Nothing was saved.
    expect(gw.runtime.config.devices).toHaveLength(0);
  });

  it('reports a refused connection and a missing register in words', async () => {
    const closed = await freePort();
    const { gw, auth } = await gateway();
    const refused = await gw.app.inject({
      method: 'POST',
      url: '/api/v1/devices/test-connection',
      headers: auth,
      payload: { driver: 'modbus-tcp', settings: { host: '127.0.0.1', port: closed } },
    });
    expect(refused.statusCode).toBe(200);
    expect(refused.json()).toMatchObject({
      ok: false,
      step: 'connect',
      error: { code: 'connection-refused', explanation: 'the device refused the connection' },
    });
    expect(refused.json().error.message).toContain(`127.0.0.1:${closed}`);

    // The demo PLC has no register at hr:60000: exception 2, explained.
    const port = await startPlc();
    const missing = await gw.app.inject({
      method: 'POST',
      url: '/api/v1/devices/test-connection',
      headers: auth,
      payload: {
        driver: 'modbus-tcp',
        settings: { host: '127.0.0.1', port },
        groups: [{ name: 'g', intervalMs: 1000, tags: [{ name: 'far', address: 'hr:60000' }] }],
      },
    });
    expect(missing.json()).toMatchObject({
      ok: false,
      step: 'read',
      address: 'hr:60000',
      error: { code: 'modbus-exception-2', explanation: 'illegal data address: the device has no register there' },
    });
  });

  it('refuses a host that is not a host name or IP address, naming the field', async () => {
    const { gw, auth } = await gateway();
    const res = await gw.app.inject({
      method: 'POST',
      url: '/api/v1/devices/test-connection',
      headers: auth,
      payload: { driver: 'modbus-tcp', settings: { host: '10.0.0.300', port: 502, unitId: 300 } },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toEqual(['settings.unitId: must be <= 255']);
    const host = await gw.app.inject({
      method: 'POST',
      url: '/api/v1/devices/test-connection',
      headers: auth,
      payload: { driver: 'modbus-tcp', settings: { host: '10.0.0.300', port: 502 } },
    });
    expect(host.json().error.details).toEqual([
      'settings.host: "10.0.0.300" is not a valid IP address: it needs 4 numbers, each 0–255, e.g. 192.168.1.10',
    ]);
  });

  it('waits for the broker’s CONNACK, and says when nothing listens', async () => {
    const broker = await startMosquitto();
    cleanups.push(() => broker.stop());
    const { gw, auth } = await gateway();
    const ok = await gw.app.inject({
      method: 'POST',
      url: '/api/v1/north/test-connection',
      headers: auth,
      payload: { name: 'uns', plugin: 'mqtt', settings: { url: broker.url } },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ ok: true, step: 'done' });

    const closed = await freePort();
    const refused = await gw.app.inject({
      method: 'POST',
      url: '/api/v1/north/test-connection',
      headers: auth,
      payload: { plugin: 'mqtt', settings: { url: `mqtt://127.0.0.1:${closed}` } },
    });
    expect(refused.json()).toMatchObject({ ok: false, error: { code: 'connection-refused' } });
    expect(refused.json().error.message).toContain('no broker listens on that host and port');

    const badHost = await gw.app.inject({
      method: 'POST',
      url: '/api/v1/north/test-connection',
      headers: auth,
      payload: { plugin: 'mqtt', settings: { url: 'mqtt://10.0.0.300:1883' } },
    });
    expect(badHost.statusCode).toBe(400);
    expect(badHost.json().error.details[0]).toMatch(/^settings\.url: "10\.0\.0\.300" is not a valid IP address/);
  });

  it('says when a broker refuses the login', async () => {
    const broker = await startMosquitto(undefined, { users: { plant: 'right' } });
    cleanups.push(() => broker.stop());
    const { gw, auth } = await gateway();
    const res = await gw.app.inject({
      method: 'POST',
      url: '/api/v1/north/test-connection',
      headers: auth,
      payload: { plugin: 'mqtt', settings: { url: broker.url, username: 'plant', password: 'wrong' } },
    });
    expect(res.json()).toMatchObject({ ok: false, error: { code: 'connection-refused' } });
    expect(res.json().error.message).toMatch(/the broker refused: .*(authori|password)/i);
  });
});

describe('Retry now', { timeout: 60_000 }, () => {
  it('shows when the next attempt is while backing off, and reconnects at once on request', async () => {
    const port = await freePort();
    const { gw, auth } = await gateway([
      {
        name: 'plc',
        driver: 'modbus-tcp',
        reconnectMaxMs: 60_000,
        settings: { host: '127.0.0.1', port, timeoutMs: 500, retries: 0 },
        groups: [{ name: 'g', intervalMs: 500, tags: [{ name: 'speed', address: 'hr:2' }] }],
      },
    ]);
    const status = async () =>
      (await gw.app.inject({ method: 'GET', url: '/api/v1/status', headers: auth })).json().devices[0] as {
        state: string;
        timestamp: number;
        nextRetryAt?: number;
      };
    // Wait until the backoff has grown to several seconds (500, 1000, 2000, 4000 ms …).
    let waiting = await status();
    const deadline = Date.now() + 20_000;
    while (!(waiting.nextRetryAt && waiting.nextRetryAt - Date.now() > 2500) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      waiting = await status();
    }
    expect(waiting.state).toBe('disconnected');
    const nextRetryAt = waiting.nextRetryAt as number;
    expect(nextRetryAt - Date.now()).toBeGreaterThan(2500);

    await startPlc(port);
    const retry = await gw.app.inject({ method: 'POST', url: '/api/v1/devices/plc/retry', headers: auth });
    expect(retry.statusCode).toBe(200);
    let now = await status();
    while (now.state !== 'connected' && Date.now() < nextRetryAt) {
      await new Promise((r) => setTimeout(r, 50));
      now = await status();
    }
    expect(now.state).toBe('connected');
    expect(now.timestamp).toBeLessThan(nextRetryAt);
    expect(now.nextRetryAt).toBeUndefined();

    // Connected: nothing to retry, said plainly.
    const again = await gw.app.inject({ method: 'POST', url: '/api/v1/devices/plc/retry', headers: auth });
    expect(again.statusCode).toBe(400);
    expect(again.json().error.message).toContain('not waiting to reconnect');
  });
});
