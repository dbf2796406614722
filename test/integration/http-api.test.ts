import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Runtime } from '../../core/runtime.js';
import { runModbusSimulator } from '../../simulators/run-modbus.js';
import { simulatedPlc, startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

let gw: TestGateway;
let runtime: Runtime;
let app: FastifyInstance;
let sim: { port: number; close(): Promise<void> };
let token: string;

function config(speedInterval = 100): Record<string, unknown> {
  return {
    gateway: { id: 'gw-test', uns: 'plant' },
    north: [
      {
        name: 'cloud',
        plugin: 'mqtt',
        enabled: false,
        settings: { url: 'mqtts://broker.invalid:8883', username: 'gw', password: 'broker-secret-123' },
      },
    ],
    devices: [
      simulatedPlc(sim.port, [
        {
          name: 'g',
          intervalMs: speedInterval,
          tags: [
            { name: 'motor/speed', address: 'hr:2', access: 'readwrite' },
            { name: 'big', address: 'hr:6', type: 'int64' },
          ],
        },
      ]),
    ],
  };
}

beforeAll(async () => {
  sim = await runModbusSimulator({ host: '127.0.0.1', port: 0 });
  gw = await startTestGateway(config(), { users: { admin: ['correct horse battery', 'admin'] } });
  ({ app, runtime } = gw);
});

afterAll(async () => {
  await gw.close();
  await sim.close();
});

const auth = () => ({ authorization: `Bearer ${token}` });

describe('HTTP API', () => {
  it('answers /healthz without login and refuses the API without one', async () => {
    const health = await app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ status: 'ok', version: '0.0.0-test' });
    const config = await app.inject({ method: 'GET', url: '/api/v1/config' });
    expect(config.statusCode).toBe(401);
    expect(config.json().error.code).toBe('unauthorized');
  });

  it('needs a login for percent-encoded API paths too', async () => {
    for (const url of ['/%61pi/v1/config', '/api/v1/%63onfig', '/api//v1/config', '/api/v1/config/']) {
      const res = await app.inject({ method: 'GET', url });
      expect([401, 404], url).toContain(res.statusCode);
      expect(res.body, url).not.toContain('"devices"');
    }
  });

  it('logs in with the right password, sets an httpOnly cookie, and rate-limits failures', async () => {
    const wrong = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'admin', password: 'nope' },
      remoteAddress: '10.9.9.9',
    });
    expect(wrong.statusCode).toBe(401);
    for (let i = 0; i < 4; i++) {
      await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'admin', password: `nope${i}` },
        remoteAddress: '10.9.9.9',
      });
    }
    const limited = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'admin', password: 'correct horse battery' },
      remoteAddress: '10.9.9.9',
    });
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBeDefined();

    const ok = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'admin', password: 'correct horse battery' },
    });
    expect(ok.statusCode).toBe(200);
    token = ok.json().token;
    expect(token.length).toBeGreaterThan(20);
    expect(String(ok.headers['set-cookie'])).toMatch(/tagwire_session=.+; HttpOnly; SameSite=Strict/);
  });

  it('refuses a cookie-authenticated change from another origin (CSRF)', async () => {
    const cookie = `tagwire_session=${token}`;
    const cross = await app.inject({
      method: 'PUT',
      url: '/api/v1/config',
      headers: { cookie, origin: 'http://evil.example' },
      payload: config(),
    });
    expect(cross.statusCode).toBe(403);
    const read = await app.inject({ method: 'GET', url: '/api/v1/config', headers: { cookie } });
    expect(read.statusCode).toBe(200);
  });

  it('returns the configuration with defaults, and refuses an invalid one whole with every error', async () => {
    const before = (await app.inject({ method: 'GET', url: '/api/v1/config', headers: auth() })).json();
    expect(before.devices[0].settings).toMatchObject({ port: sim.port, unitId: 1, byteOrder: 'ABCD' });
    const bad = config();
    const dev = (bad.devices as Array<Record<string, unknown>>)[0] as Record<string, unknown>;
    dev.color = 'red';
    (dev.groups as Array<Record<string, unknown>>)[0]!.intervalMs = 1;
    const res = await app.inject({ method: 'PUT', url: '/api/v1/config', headers: auth(), payload: bad });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('invalid-config');
    expect(res.json().error.details).toEqual(
      expect.arrayContaining(['devices[0].color: unknown key', 'devices[0].groups[0].intervalMs: must be >= 10']),
    );
    const after = (await app.inject({ method: 'GET', url: '/api/v1/config', headers: auth() })).json();
    expect(after).toEqual(before);
  });

  it('serves live values with exact 64-bit integers, and writes a tag whose name has a slash', async () => {
    await vi.waitFor(
      async () => {
        const res = await app.inject({ method: 'GET', url: '/api/v1/values', headers: auth() });
        expect(res.body).toContain('"value":1234567890123456789');
      },
      { timeout: 5000, interval: 50 },
    );
    const write = await app.inject({
      method: 'POST',
      url: '/api/v1/devices/plc/tags/motor/speed/write',
      headers: auth(),
      payload: { value: 1234 },
    });
    expect(write.statusCode).toBe(200);
    const values = (await app.inject({ method: 'GET', url: '/api/v1/values', headers: auth() })).json() as Array<{
      tag: string;
      value: unknown;
      topic: string;
    }>;
    expect(values.find((v) => v.tag === 'motor/speed')).toMatchObject({ value: 1234, topic: 'plant/plc/motor/speed' });

    const tooBig = await app.inject({
      method: 'POST',
      url: '/api/v1/devices/plc/tags/motor/speed/write',
      headers: auth(),
      payload: { value: 70000 },
    });
    expect(tooBig.statusCode).toBe(400);
    expect(tooBig.json().error.code).toBe('out-of-range');
    const readOnly = await app.inject({
      method: 'POST',
      url: '/api/v1/devices/plc/tags/big/write',
      headers: auth(),
      payload: { value: 1 },
    });
    expect(readOnly.json().error.code).toBe('read-only');
  });

  it('applies a changed configuration as a diff through PUT', async () => {
    const res = await app.inject({ method: 'PUT', url: '/api/v1/config', headers: auth(), payload: config(200) });
    expect(res.statusCode).toBe(200);
    expect(res.json().restarted).toEqual({ devices: ['plc'], north: [] });
    const same = await app.inject({ method: 'PUT', url: '/api/v1/config', headers: auth(), payload: config(200) });
    expect(same.json().restarted).toEqual({ devices: [], north: [] });
    const status = (await app.inject({ method: 'GET', url: '/api/v1/status', headers: auth() })).json();
    expect(status.devices[0]).toMatchObject({ name: 'plc', driver: 'modbus-tcp' });
  });

  it('serves the settings schemas the UI builds its forms from', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/schema', headers: auth() });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(Object.keys(body.drivers)).toEqual(expect.arrayContaining(['modbus-tcp', 'modbus-rtu', 'modbus-rtu-tcp']));
    expect(body.drivers['modbus-tcp'].settings.properties.port.default).toBe(502);
    expect(body.north.mqtt.settings.properties.qos.default).toBe(1);
  });

  it('streams published values and states as Server-Sent Events', async () => {
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const controller = new AbortController();
    const res = await fetch(`${address}/api/v1/events`, {
      headers: { authorization: `Bearer ${token}` },
      signal: controller.signal,
    });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    let text = '';
    // A write publishes the tag again, so a value event is due right away.
    await runtime.gateway.write('plc', 'motor/speed', 4321);
    while (!text.includes('"value":4321')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    controller.abort();
    expect(text).toMatch(
      /event: value\ndata: \{"device":"plc","group":"g","tag":"motor\/speed","topic":"plant\/plc\/motor\/speed","value":4321,/,
    );
  });

  it('reads one address once for trying a tag, and says plainly when a driver cannot browse', async () => {
    const read = await app.inject({
      method: 'GET',
      url: '/api/v1/devices/plc/read?address=hr:6&type=int64',
      headers: auth(),
    });
    expect(read.statusCode).toBe(200);
    expect(read.body).toContain('"value":1234567890123456789');
    const bad = await app.inject({ method: 'GET', url: '/api/v1/devices/plc/read?address=hr:70000', headers: auth() });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('hr:70000');
    const browse = await app.inject({ method: 'GET', url: '/api/v1/devices/plc/browse', headers: auth() });
    expect(browse.statusCode).toBe(400);
    expect(browse.json().error.code).toBe('not-supported');
    const unknown = await app.inject({ method: 'GET', url: '/api/v1/devices/nope/read?address=hr:1', headers: auth() });
    expect(unknown.statusCode).toBe(404);
  });

  it('never returns secrets, and keeps them when the placeholder is sent back', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/config', headers: auth() });
    expect(res.body).not.toContain('broker-secret-123');
    const doc = res.json();
    expect(doc.north[0].settings.password).toBe('********');
    const put = await app.inject({ method: 'PUT', url: '/api/v1/config', headers: auth(), payload: doc });
    expect(put.statusCode).toBe(200);
    expect(runtime.config.north[0]!.settings.password).toBe('broker-secret-123');

    doc.north[0].name = 'renamed';
    const orphan = await app.inject({ method: 'PUT', url: '/api/v1/config', headers: auth(), payload: doc });
    expect(orphan.statusCode).toBe(400);
    expect(orphan.json().error.details[0]).toMatch(
      /^north\[0\]\.settings\.password: "\*{8}" stands for a stored secret/,
    );
  });

  it('decode lab: shows the raw registers at an address in every type and byte order', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/devices/plc/decode?address=40001', headers: auth() });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.address).toBe('hr:0');
    expect(body.registers.slice(0, 2)).toEqual([0x41b4, 0x0000]);
    const find = (type: string, byteOrder: string) =>
      body.decodes.find((d: { type: string; byteOrder: string }) => d.type === type && d.byteOrder === byteOrder)
        ?.value;
    expect(find('float32', 'ABCD')).toBe(22.5);
    expect(find('uint16', 'ABCD')).toBe(0x41b4);
    expect(find('uint16', 'BADC')).toBe(0xb441);
    expect(body.decodes).toHaveLength(8 * 4);
    const bit = await app.inject({ method: 'GET', url: '/api/v1/devices/plc/decode?address=coil:1', headers: auth() });
    expect(bit.json().error.code).toBe('not-supported');
  });
});
