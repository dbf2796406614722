import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpcuaSimulator } from '../../simulators/opcua-server.js';
import { freePort, type Mosquitto, startMosquitto } from '../helpers/mosquitto.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

// A broker that accepts only these logins: a north app connects only with the right secret.
const PLANT_PASSWORD = 'Plant-Secret-31';
const FIELD_PASSWORD = 'Field-Url-Secret-7';
const OVEN_PASSWORD = 'Oven-Secret-5';

/** A TCP listener standing for another host: keeps every byte a client sends it. */
interface Listener {
  url(scheme: string): string;
  connections: number;
  received(): string;
  close(): Promise<void>;
}

async function startListener(): Promise<Listener> {
  const chunks: Buffer[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: (scheme) => `${scheme}://127.0.0.1:${port}`,
    get connections() {
      return connections;
    },
    received: () => Buffer.concat(chunks).toString('latin1'),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

let broker: Mosquitto;
let sim: OpcuaSimulator;
let pkiDir: string;
let gw: TestGateway;
let admin: Record<string, string>;
let viewer: Record<string, string>;

async function api(method: string, path: string, headers: Record<string, string>, body?: unknown) {
  const res = await fetch(`${gw.base}${path}`, {
    method,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) };
}

async function northState(name: string): Promise<string | undefined> {
  const status = (await api('GET', '/api/v1/status', admin)).json() as {
    north: Array<{ name: string; state: string }>;
  };
  return status.north.find((n) => n.name === name)?.state;
}

beforeAll(async () => {
  broker = await startMosquitto(undefined, { users: { plant: PLANT_PASSWORD, field: FIELD_PASSWORD } });
  pkiDir = mkdtempSync(join(tmpdir(), 'tagwire-secrets-pki-'));
  sim = new OpcuaSimulator({
    port: await freePort(),
    pkiDir,
    users: [{ username: 'op', password: OVEN_PASSWORD }],
  });
  await sim.start();
  gw = await startTestGateway(
    {
      gateway: { id: 'secrets' },
      devices: [
        {
          name: 'oven',
          driver: 'opcua',
          settings: { endpointUrl: sim.endpointUrl, username: 'op', password: OVEN_PASSWORD, mode: 'poll' },
          groups: [
            { name: 'main', intervalMs: 500, tags: [{ name: 'counter', address: 'ns=1;s=Demo.Dynamic.Counter' }] },
          ],
        },
      ],
      north: [
        {
          name: 'plant',
          plugin: 'mqtt',
          settings: { url: broker.url, username: 'plant', password: PLANT_PASSWORD },
        },
        {
          name: 'field',
          plugin: 'mqtt',
          settings: { url: `mqtt://field:${FIELD_PASSWORD}@127.0.0.1:${broker.port}` },
        },
      ],
    },
    {
      users: { admin: ['admin-password-1', 'admin'], watcher: ['viewer-password-1', 'viewer'] },
      listen: true,
      recordFirstStart: true,
    },
  );
  admin = await gw.login('admin', 'admin-password-1');
  viewer = await gw.login('watcher', 'viewer-password-1');
  // Both north apps are let in by a broker that refuses anonymous clients: their secrets work.
  await waitFor('both north apps connected', async () => {
    return (await northState('plant')) === 'connected' && (await northState('field')) === 'connected';
  });
}, 60_000);

afterAll(async () => {
  await gw?.close();
  await sim?.stop();
  await broker?.stop();
  if (pkiDir) rmSync(pkiDir, { recursive: true, force: true });
});

describe('credentials inside URLs', () => {
  it('are hidden from a viewer in the configuration, the north apps, the history and the YAML export', async () => {
    const shownUrl = `mqtt://********@127.0.0.1:${broker.port}`;
    const field = await api('GET', '/api/v1/north/field', viewer);
    expect(field.status).toBe(200);
    expect(field.json().settings.url).toBe(shownUrl);
    const config = await api('GET', '/api/v1/config', viewer);
    expect(config.json().north[1].settings.url).toBe(shownUrl);

    const history = await api('GET', '/api/v1/config/history', viewer);
    const ids = (history.json() as Array<{ id: number }>).map((e) => e.id);
    expect(ids.length).toBeGreaterThan(0);
    const pages = [
      config,
      field,
      history,
      await api('GET', '/api/v1/config?format=yaml', viewer),
      await api('GET', '/api/v1/north', viewer),
      ...(await Promise.all(ids.map((id) => api('GET', `/api/v1/config/history/${id}`, viewer)))),
      ...(await Promise.all(ids.map((id) => api('GET', `/api/v1/config/history/${id}?format=yaml`, viewer)))),
    ];
    for (const page of pages) {
      expect(page.status).toBe(200);
      expect(page.text).not.toContain(FIELD_PASSWORD);
      expect(page.text).not.toContain('field:');
    }
    expect(pages[3]?.text).toContain(shownUrl);
  });

  it('are kept when the hidden URL comes back unchanged: the broker still lets the app in', async () => {
    const field = (await api('GET', '/api/v1/north/field', admin)).json();
    field.settings.qos = 0;
    const put = await api('PUT', '/api/v1/north/field', admin, field);
    expect(put.status, put.text).toBe(200);
    expect(put.json().restarted.north).toEqual(['field']);
    expect(gw.runtime.config.north[1]?.settings.url).toBe(`mqtt://field:${FIELD_PASSWORD}@127.0.0.1:${broker.port}`);
    await waitFor('field connected again', async () => (await northState('field')) === 'connected');
  });
});

describe('stored secrets and a changed endpoint', () => {
  let other: Listener;

  beforeAll(async () => {
    other = await startListener();
  });

  afterAll(async () => {
    await other.close();
  });

  it('refuses a north app whose url changed while its password came back as ********; nothing changes', async () => {
    const historyBefore = (await api('GET', '/api/v1/config/history', admin)).json().length;
    const plant = (await api('GET', '/api/v1/north/plant', admin)).json();
    expect(plant.settings.password).toBe('********');
    plant.settings.url = other.url('mqtt');

    const put = await api('PUT', '/api/v1/north/plant', admin, plant);
    expect(put.status, put.text).toBe(400);
    expect(put.json().error.code).toBe('invalid-config');
    expect(put.json().error.details).toEqual([
      'north[0].settings.password: enter the password again: the endpoint changed (url), and a stored secret is only sent to the endpoint it was entered for',
    ]);

    // The same through the whole configuration.
    const config = (await api('GET', '/api/v1/config', admin)).json();
    config.north[0].settings.url = other.url('mqtt');
    const whole = await api('PUT', '/api/v1/config', admin, config);
    expect(whole.status, whole.text).toBe(400);
    expect(whole.json().error.details[0]).toMatch(/^north\[0\]\.settings\.password: enter the password again/);

    // And through the YAML file the Settings page downloads and uploads.
    const yaml = (await api('GET', '/api/v1/config?format=yaml', admin)).text;
    expect(yaml).toContain(broker.url);
    const upload = await fetch(`${gw.base}/api/v1/config`, {
      method: 'PUT',
      headers: { ...admin, 'content-type': 'application/yaml' },
      body: yaml.replace(broker.url, other.url('mqtt')),
    });
    const uploaded = await upload.text();
    expect(upload.status, uploaded).toBe(400);
    expect(JSON.parse(uploaded).error.details[0]).toMatch(/^north\[0\]\.settings\.password: enter the password again/);

    expect(gw.runtime.config.north[0]?.settings.url).toBe(broker.url);
    expect((await api('GET', '/api/v1/config/history', admin)).json()).toHaveLength(historyBefore);
    // The other host never heard from the gateway (a restarted app connects at once).
    await sleep(1500);
    expect(other.connections).toBe(0);
    expect(await northState('plant')).toBe('connected');
  });

  it('accepts the new url with the password typed again, and sends only that one there', async () => {
    const plant = (await api('GET', '/api/v1/north/plant', admin)).json();
    plant.settings.url = other.url('mqtt');
    plant.settings.password = 'Typed-Again-9';
    const put = await api('PUT', '/api/v1/north/plant', admin, plant);
    expect(put.status, put.text).toBe(200);
    await waitFor('the MQTT CONNECT at the new host', () => other.received().includes('Typed-Again-9'));
    expect(other.received()).not.toContain(PLANT_PASSWORD);
  });

  it('refuses a URL whose credentials came back as ******** once its host changed', async () => {
    const field = (await api('GET', '/api/v1/north/field', admin)).json();
    field.settings.url = field.settings.url.replace(`127.0.0.1:${broker.port}`, other.url('mqtt').slice(7));
    expect(field.settings.url).toMatch(/^mqtt:\/\/\*{8}@127\.0\.0\.1:\d+$/);
    const put = await api('PUT', '/api/v1/north/field', admin, field);
    expect(put.status, put.text).toBe(400);
    expect(put.json().error.details).toEqual([
      'north[1].settings.url: enter the user and password in the URL again: the endpoint changed (url), and a stored secret is only sent to the endpoint it was entered for',
    ]);
    expect(gw.runtime.config.north[1]?.settings.url).toBe(`mqtt://field:${FIELD_PASSWORD}@127.0.0.1:${broker.port}`);
  });

  it('refuses an OPC UA device whose endpointUrl changed with its password as ********; typed again, it is taken', async () => {
    const oven = (await api('GET', '/api/v1/devices/oven', admin)).json();
    expect(oven.settings.password).toBe('********');
    oven.settings.endpointUrl = other.url('opc.tcp');
    const put = await api('PUT', '/api/v1/devices/oven', admin, oven);
    expect(put.status, put.text).toBe(400);
    expect(put.json().error.details).toEqual([
      'devices[0].settings.password: enter the password again: the endpoint changed (endpointUrl), and a stored secret is only sent to the endpoint it was entered for',
    ]);
    expect(gw.runtime.config.devices[0]?.settings.endpointUrl).toBe(sim.endpointUrl);

    const moved = sim.endpointUrl.replace('127.0.0.1', 'localhost');
    oven.settings.endpointUrl = moved;
    oven.settings.password = OVEN_PASSWORD;
    const typed = await api('PUT', '/api/v1/devices/oven', admin, oven);
    expect(typed.status, typed.text).toBe(200);
    expect(gw.runtime.config.devices[0]?.settings).toMatchObject({ endpointUrl: moved, password: OVEN_PASSWORD });
  });
});
