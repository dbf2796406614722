import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Runtime } from '../../core/runtime.js';
import type { Db } from '../../core/store/db.js';
import { setPassword } from '../../core/store/users.js';
import { runModbusSimulator } from '../../simulators/run-modbus.js';
import { simulatedPlc, startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

let gw: TestGateway;
let db: Db;
let runtime: Runtime;
let app: FastifyInstance;
let sim: { port: number; close(): Promise<void> };
let admin: Record<string, string>;
let operator: Record<string, string>;
let viewer: Record<string, string>;

// Answers are checked field by field; a loose type keeps the tests short.
// biome-ignore lint/suspicious/noExplicitAny: JSON read back from the API
type Json = Record<string, any>;

async function login(username: string, password: string): Promise<Record<string, string>> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
  expect(res.statusCode, res.body).toBe(200);
  return { authorization: `Bearer ${res.json().token}` };
}

/** A request as JSON (any JSON value, so that wrong bodies can be sent too). */
async function call(method: InjectOptions['method'], url: string, headers = admin, payload?: unknown) {
  if (payload === undefined) return app.inject({ method, url, headers });
  const json = { ...headers, 'content-type': 'application/json' };
  return app.inject({ method, url, headers: json, payload: JSON.stringify(payload) });
}

async function configText(): Promise<string> {
  return (await call('GET', '/api/v1/config')).body;
}

async function config(): Promise<Json> {
  return JSON.parse(await configText());
}

async function status(): Promise<Json> {
  return (await call('GET', '/api/v1/status')).json();
}

async function lastHistory(): Promise<Json> {
  return (await call('GET', '/api/v1/config/history')).json()[0];
}

/** Sends a bad request and checks that the configuration and its history are untouched. */
async function expectRefusedWhole(method: InjectOptions['method'], url: string, payload: unknown) {
  const before = await configText();
  const historyBefore = await lastHistory();
  const res = await call(method, url, admin, payload);
  expect(await configText()).toBe(before);
  expect(await lastHistory()).toEqual(historyBefore);
  return res;
}

function modbusDevice(name: string, extra: Json = {}): Json {
  return {
    name,
    driver: 'modbus-tcp',
    settings: { host: '127.0.0.1', port: sim.port },
    groups: [{ name: 'g', intervalMs: 100, tags: [{ name: 'level', address: 'hr:2' }] }],
    ...extra,
  };
}

beforeAll(async () => {
  sim = await runModbusSimulator({ host: '127.0.0.1', port: 0 });
  gw = await startTestGateway(
    {
      gateway: { id: 'api-res', uns: 'plant' },
      devices: [
        simulatedPlc(sim.port, [
          {
            name: 'fast',
            intervalMs: 100,
            tags: [
              { name: 'motor/speed', address: 'hr:2', access: 'readwrite', unit: 'rpm' },
              { name: 'temp', address: 'ir:0', type: 'float32' },
            ],
          },
          { name: 'slow', intervalMs: 1000, tags: [{ name: 'counter', address: 'ir:4' }] },
        ]),
        {
          name: 'ua',
          driver: 'opcua',
          enabled: false,
          settings: { endpointUrl: 'opc.tcp://127.0.0.1:1', username: 'op', password: 'ua-secret-123' },
        },
      ],
      north: [
        {
          name: 'cloud',
          plugin: 'mqtt',
          enabled: false,
          devices: ['plc', 'ua'],
          settings: { url: 'mqtt://broker.invalid:1883', username: 'gw', password: 'broker-secret-123' },
        },
      ],
    },
    {
      users: {
        admin: ['admin-password-1', 'admin'],
        op: ['operator-password', 'operator'],
        view: ['viewer-password', 'viewer'],
      },
    },
  );
  ({ app, runtime, db } = gw);
  admin = await login('admin', 'admin-password-1');
  operator = await login('op', 'operator-password');
  viewer = await login('view', 'viewer-password');
});

afterAll(async () => {
  await gw.close();
  await sim.close();
});

describe('logins, roles and CSRF on the resource endpoints', () => {
  const reads = [
    '/api/v1/devices',
    '/api/v1/devices/plc',
    '/api/v1/devices/plc/groups',
    '/api/v1/devices/plc/groups/fast',
    '/api/v1/devices/plc/tags',
    '/api/v1/devices/plc/groups/fast/tags/motor/speed',
    '/api/v1/north',
    '/api/v1/north/cloud',
  ];
  const writes: Array<[InjectOptions['method'], string]> = [
    ['POST', '/api/v1/devices'],
    ['PUT', '/api/v1/devices/plc'],
    ['PATCH', '/api/v1/devices/plc'],
    ['DELETE', '/api/v1/devices/plc'],
    ['POST', '/api/v1/devices/plc/groups'],
    ['PUT', '/api/v1/devices/plc/groups/fast'],
    ['DELETE', '/api/v1/devices/plc/groups/fast'],
    ['POST', '/api/v1/devices/plc/groups/fast/tags'],
    ['PUT', '/api/v1/devices/plc/groups/fast/tags/motor/speed'],
    ['DELETE', '/api/v1/devices/plc/groups/fast/tags/motor/speed'],
    ['POST', '/api/v1/north'],
    ['PUT', '/api/v1/north/cloud'],
    ['DELETE', '/api/v1/north/cloud'],
    ['PATCH', '/api/v1/users/view'],
  ];

  it('needs a login for every read and write', async () => {
    for (const url of reads) expect((await call('GET', url, {})).statusCode, url).toBe(401);
    for (const [method, url] of writes) {
      const res = await call(method, url, {}, { enabled: false });
      expect(res.statusCode, `${method} ${url}`).toBe(401);
      expect(res.json().error.code).toBe('unauthorized');
    }
  });

  it('lets viewers read, and refuses changes to viewers and operators', async () => {
    for (const url of reads) expect((await call('GET', url, viewer)).statusCode, url).toBe(200);
    const before = await configText();
    for (const who of [viewer, operator]) {
      for (const [method, url] of writes) {
        const res = await call(method, url, who, { enabled: false, role: 'admin' });
        expect(res.statusCode, `${method} ${url}`).toBe(403);
        expect(res.json().error.code).toBe('forbidden');
      }
    }
    expect(await configText()).toBe(before);
  });

  it('refuses a cookie-authenticated change without the own origin (CSRF), and reads with the cookie', async () => {
    const cookie = `tagwire_session=${admin.authorization!.slice('Bearer '.length)}`;
    const before = await configText();
    for (const [method, url] of writes) {
      for (const headers of [{ cookie }, { cookie, origin: 'http://evil.example' }] as Array<Record<string, string>>) {
        const res = await call(method, url, headers, { enabled: false });
        expect(res.statusCode, `${method} ${url}`).toBe(403);
        expect(res.json().error.code).toBe('csrf');
      }
    }
    expect(await configText()).toBe(before);
    expect((await call('GET', '/api/v1/devices/plc', { cookie })).statusCode).toBe(200);
    const sameOrigin = await call(
      'PATCH',
      '/api/v1/devices/ua',
      { cookie, host: 'gw.local:8080', origin: 'http://gw.local:8080' },
      {
        enabled: false,
      },
    );
    expect(sameOrigin.statusCode, sameOrigin.body).toBe(200);
  });
});

describe('devices', () => {
  it('lists the devices and shows one, secrets as ********', async () => {
    const res = await call('GET', '/api/v1/devices');
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('ua-secret-123');
    expect(res.json().map((d: Json) => d.name)).toEqual(['plc', 'ua']);
    const ua = (await call('GET', '/api/v1/devices/ua')).json();
    expect(ua.settings).toMatchObject({ username: 'op', password: '********', securityMode: 'None' });
    const plc = (await call('GET', '/api/v1/devices/plc')).json();
    expect(plc).toEqual((await config()).devices[0]);
  });

  it('adds a device that starts running, answers 201 with its defaults, and keeps the change in the history', async () => {
    const res = await call('POST', '/api/v1/devices', admin, modbusDevice('tank'));
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ name: 'tank', enabled: true, uns: 'tank', settings: { unitId: 1 } });
    expect((await config()).devices.map((d: Json) => d.name)).toEqual(['plc', 'ua', 'tank']);
    await vi.waitFor(
      async () => expect((await status()).devices.find((d: Json) => d.name === 'tank')?.state).toBe('connected'),
      { timeout: 5000, interval: 50 },
    );
    expect(await lastHistory()).toMatchObject({ user: 'admin', source: 'api: add device tank' });
  });

  it('refuses a second device of the same name with 409, changing nothing', async () => {
    const res = await expectRefusedWhole('POST', '/api/v1/devices', modbusDevice('tank'));
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('conflict');
  });

  it('refuses an invalid device with every error at once, changing nothing', async () => {
    const bad = modbusDevice('bad', { color: 'red' });
    bad.settings.port = 70000;
    bad.groups[0].intervalMs = 1;
    const res = await expectRefusedWhole('POST', '/api/v1/devices', bad);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('invalid-config');
    expect(res.json().error.details).toEqual(
      expect.arrayContaining([
        'devices[3].color: unknown key',
        'devices[3].groups[0].intervalMs: must be >= 10',
        expect.stringMatching(/^devices\[3\]\.settings\.port: /),
      ]),
    );
  });

  it('says plainly what to send when the body is not an object', async () => {
    for (const payload of [[modbusDevice('x')], 'tank']) {
      const res = await expectRefusedWhole('POST', '/api/v1/devices', payload);
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({
        code: 'invalid-request',
        message: expect.stringContaining('one device'),
      });
    }
    const put = await expectRefusedWhole('PUT', '/api/v1/devices/tank', [1]);
    expect(put.statusCode).toBe(400);
    const yaml = await app.inject({
      method: 'POST',
      url: '/api/v1/devices',
      headers: { ...admin, 'content-type': 'application/yaml' },
      payload: 'name: tank2\ndriver: modbus-tcp\n',
    });
    expect(yaml.statusCode).toBe(400);
    expect(yaml.json().error.code).toBe('invalid-request');
  });

  it('answers 404 unknown-device for a device that does not exist', async () => {
    for (const [method, payload] of [
      ['GET', undefined],
      ['PUT', modbusDevice('nope')],
      ['PATCH', { enabled: true }],
      ['DELETE', undefined],
    ] as const) {
      const res = await call(method, '/api/v1/devices/nope', admin, payload);
      expect(res.statusCode, method).toBe(404);
      expect(res.json().error.code).toBe('unknown-device');
    }
  });

  it('disables and enables a device with PATCH, and refuses anything else in the body', async () => {
    const off = await call('PATCH', '/api/v1/devices/tank', admin, { enabled: false });
    expect(off.json()).toEqual({ ok: true, restarted: { devices: ['tank'], north: [] } });
    expect((await status()).devices.find((d: Json) => d.name === 'tank').state).toBe('disabled');
    expect(await lastHistory()).toMatchObject({ source: 'api: disable device tank' });
    const bad = await expectRefusedWhole('PATCH', '/api/v1/devices/tank', { enabled: 'yes', name: 'x' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details).toEqual(['name: unknown key', 'enabled: must be true or false']);
    const on = await call('PATCH', '/api/v1/devices/tank', admin, { enabled: true });
    expect(on.statusCode).toBe(200);
    expect((await config()).devices[2].enabled).toBe(true);
  });

  it('replaces a device with PUT, applying only that device', async () => {
    const tank = (await call('GET', '/api/v1/devices/tank')).json();
    tank.groups[0].intervalMs = 250;
    const res = await call('PUT', '/api/v1/devices/tank', admin, tank);
    expect(res.json()).toEqual({ ok: true, restarted: { devices: ['tank'], north: [] } });
    expect((await config()).devices[2].groups[0].intervalMs).toBe(250);
    const same = await call('PUT', '/api/v1/devices/tank', admin, tank);
    expect(same.json().restarted).toEqual({ devices: [], north: [] });
  });

  it('renames a device with PUT: north apps follow, stored secrets stay, the old name is gone', async () => {
    const ua = (await call('GET', '/api/v1/devices/ua')).json();
    const res = await call('PUT', '/api/v1/devices/ua', admin, { ...ua, name: 'ua2', uns: 'ua2' });
    expect(res.statusCode, res.body).toBe(200);
    expect(runtime.config.devices[1]).toMatchObject({ name: 'ua2', settings: { password: 'ua-secret-123' } });
    expect((await config()).north[0].devices).toEqual(['plc', 'ua2']);
    const names = (await status()).devices.map((d: Json) => d.name);
    expect(names).toContain('ua2');
    expect(names).not.toContain('ua');
    expect(await lastHistory()).toMatchObject({ source: 'api: rename device ua to ua2' });
    expect((await call('GET', '/api/v1/devices/ua')).statusCode).toBe(404);

    const taken = await expectRefusedWhole('PUT', '/api/v1/devices/ua2', { ...ua, name: 'plc' });
    expect(taken.statusCode).toBe(409);
  });

  it('deletes a device: it stops, and north apps no longer list it', async () => {
    const res = await call('DELETE', '/api/v1/devices/ua2');
    expect(res.json()).toEqual({ ok: true, restarted: { devices: ['ua2'], north: ['cloud'] } });
    const doc = await config();
    expect(doc.devices.map((d: Json) => d.name)).toEqual(['plc', 'tank']);
    expect(doc.north[0].devices).toEqual(['plc']);
    expect((await status()).devices.map((d: Json) => d.name)).toEqual(['plc', 'tank']);
    expect(await lastHistory()).toMatchObject({ user: 'admin', source: 'api: delete device ua2' });
  });
});

describe('groups', () => {
  it('lists and shows groups, 404 unknown-group for a missing one', async () => {
    const list = (await call('GET', '/api/v1/devices/plc/groups')).json();
    expect(list.map((g: Json) => g.name)).toEqual(['fast', 'slow']);
    expect((await call('GET', '/api/v1/devices/plc/groups/slow')).json()).toMatchObject({
      name: 'slow',
      publish: 'change',
      tags: [{ name: 'counter' }],
    });
    for (const method of ['GET', 'PUT', 'DELETE'] as const) {
      const res = await call(method, '/api/v1/devices/plc/groups/nope', admin, method === 'PUT' ? {} : undefined);
      expect(res.statusCode, method).toBe(404);
      expect(res.json().error.code).toBe('unknown-group');
    }
    expect((await call('GET', '/api/v1/devices/nope/groups')).json().error.code).toBe('unknown-device');
  });

  it('adds a group whose tags are read, and refuses a duplicate with 409', async () => {
    const group = { name: 'extra', intervalMs: 100, tags: [{ name: 'extra/level', address: 'hr:3' }] };
    const res = await call('POST', '/api/v1/devices/tank/groups', admin, group);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ name: 'extra', publish: 'change', heartbeatMs: 60000 });
    await vi.waitFor(
      async () => {
        const values = (await call('GET', '/api/v1/values')).json();
        expect(values.find((v: Json) => v.device === 'tank' && v.tag === 'extra/level')?.quality).toBe('good');
      },
      { timeout: 5000, interval: 50 },
    );
    expect(await lastHistory()).toMatchObject({ source: 'api: add group extra to device tank' });
    const again = await expectRefusedWhole('POST', '/api/v1/devices/tank/groups', group);
    expect(again.statusCode).toBe(409);
  });

  it('changes a group with PUT and keeps its tags when the body has none', async () => {
    const res = await call('PUT', '/api/v1/devices/tank/groups/extra', admin, { intervalMs: 500, publish: 'always' });
    expect(res.statusCode, res.body).toBe(200);
    const group = (await call('GET', '/api/v1/devices/tank/groups/extra')).json();
    expect(group).toMatchObject({ name: 'extra', intervalMs: 500, publish: 'always', tags: [{ name: 'extra/level' }] });
    const status1 = (await status()).devices.find((d: Json) => d.name === 'tank');
    expect(status1.groups.find((g: Json) => g.name === 'extra')).toMatchObject({ intervalMs: 500, tags: 1 });

    const renamed = await call('PUT', '/api/v1/devices/tank/groups/extra', admin, { name: 'more', intervalMs: 500 });
    expect(renamed.statusCode).toBe(200);
    expect((await call('GET', '/api/v1/devices/tank/groups')).json().map((g: Json) => g.name)).toEqual(['g', 'more']);
    const taken = await expectRefusedWhole('PUT', '/api/v1/devices/tank/groups/more', { name: 'g' });
    expect(taken.statusCode).toBe(409);
  });

  it('refuses an invalid group with every error, changing nothing', async () => {
    const res = await expectRefusedWhole('PUT', '/api/v1/devices/tank/groups/more', {
      intervalMs: 1,
      publish: 'sometimes',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toEqual(
      expect.arrayContaining([
        'devices[1].groups[1].intervalMs: must be >= 10',
        'devices[1].groups[1].publish: must be one of change, always',
      ]),
    );
  });

  it('deletes a group and its tags', async () => {
    const res = await call('DELETE', '/api/v1/devices/tank/groups/more');
    expect(res.json()).toEqual({ ok: true, restarted: { devices: ['tank'], north: [] } });
    expect((await config()).devices[1].groups.map((g: Json) => g.name)).toEqual(['g']);
    expect((await status()).devices.find((d: Json) => d.name === 'tank').groups).toHaveLength(1);
  });
});

describe('changes sent at the same time', () => {
  it('applies both, one after the other, neither undoing the other', async () => {
    const group = (name: string) => ({ name, intervalMs: 1000 });
    const added = await Promise.all([
      call('POST', '/api/v1/devices/tank/groups', admin, group('a1')),
      call('POST', '/api/v1/devices/tank/groups', admin, group('a2')),
    ]);
    expect(added.map((r) => r.statusCode)).toEqual([201, 201]);
    expect((await call('GET', '/api/v1/devices/tank/groups')).json().map((g: Json) => g.name)).toEqual([
      'g',
      'a1',
      'a2',
    ]);
    const deleted = await Promise.all([
      call('DELETE', '/api/v1/devices/tank/groups/a1'),
      call('DELETE', '/api/v1/devices/tank/groups/a2'),
    ]);
    expect(deleted.map((r) => r.statusCode)).toEqual([200, 200]);
    expect((await config()).devices[1].groups.map((g: Json) => g.name)).toEqual(['g']);
  });
});

describe('tags', () => {
  it('lists every tag of a device with its group', async () => {
    const res = await call('GET', '/api/v1/devices/plc/tags');
    expect(res.json().map((t: Json) => [t.group, t.name])).toEqual([
      ['fast', 'motor/speed'],
      ['fast', 'temp'],
      ['slow', 'counter'],
    ]);
    expect(res.json()[0]).toMatchObject({ address: 'hr:2', type: 'uint16', access: 'readwrite', unit: 'rpm' });
  });

  it('shows one tag whose name has a slash, 404 unknown-tag for a missing one', async () => {
    const tag = await call('GET', '/api/v1/devices/plc/groups/fast/tags/motor/speed');
    expect(tag.json()).toMatchObject({ name: 'motor/speed', address: 'hr:2' });
    const encoded = await call('GET', '/api/v1/devices/plc/groups/fast/tags/motor%2Fspeed');
    expect(encoded.json()).toMatchObject({ name: 'motor/speed' });
    for (const method of ['GET', 'PUT', 'DELETE'] as const) {
      const res = await call(
        method,
        '/api/v1/devices/plc/groups/fast/tags/motor/nope',
        admin,
        method === 'PUT' ? {} : undefined,
      );
      expect(res.statusCode, method).toBe(404);
      expect(res.json().error.code).toBe('unknown-tag');
    }
    // `counter` exists, but in another group.
    expect((await call('GET', '/api/v1/devices/plc/groups/fast/tags/counter')).statusCode).toBe(404);
  });

  it('adds a tag that is read, with defaults, and refuses a name the device already has', async () => {
    const res = await call('POST', '/api/v1/devices/plc/groups/fast/tags', admin, {
      name: 'valve/open',
      address: 'coil:1',
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toEqual({
      name: 'valve/open',
      address: 'coil:1',
      type: 'bool',
      access: 'read',
      scale: 1,
      offset: 0,
      deadband: 0,
    });
    await vi.waitFor(
      async () => {
        const values = (await call('GET', '/api/v1/values')).json();
        expect(values.find((v: Json) => v.tag === 'valve/open')?.topic).toBe('plant/plc/valve/open');
      },
      { timeout: 5000, interval: 50 },
    );
    const duplicate = await expectRefusedWhole('POST', '/api/v1/devices/plc/groups/fast/tags', {
      name: 'counter',
      address: 'hr:9',
    });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json().error.message).toContain('group "slow"');
  });

  it('refuses an invalid tag with every error, changing nothing', async () => {
    const res = await expectRefusedWhole('POST', '/api/v1/devices/plc/groups/slow/tags', {
      name: 'broken',
      address: 'hr:70000',
      access: 'sometimes',
      colour: 'red',
    });
    expect(res.statusCode).toBe(400);
    const details: string[] = res.json().error.details;
    expect(details).toEqual(
      expect.arrayContaining([
        'devices[0].groups[1].tags[1].colour: unknown key',
        'devices[0].groups[1].tags[1].access: must be one of read, readwrite, write',
      ]),
    );
    expect(details.length).toBeGreaterThanOrEqual(2);
  });

  it('replaces and renames a tag with PUT; the write route and tags.csv keep working', async () => {
    const res = await call('PUT', '/api/v1/devices/plc/groups/fast/tags/motor/speed', admin, {
      address: 'hr:2',
      access: 'readwrite',
      unit: 'rpm',
      description: 'Main drive',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect((await call('GET', '/api/v1/devices/plc/groups/fast/tags/motor/speed')).json().description).toBe(
      'Main drive',
    );
    const write = await call('POST', '/api/v1/devices/plc/tags/motor/speed/write', operator, { value: 42 });
    expect(write.statusCode, write.body).toBe(200);
    const csv = await call('GET', '/api/v1/devices/plc/tags.csv');
    expect(csv.body).toContain('fast,motor/speed,hr:2,uint16,,,readwrite,1,0,0,rpm,Main drive');

    const renamed = await call('PUT', '/api/v1/devices/plc/groups/fast/tags/valve/open', admin, {
      name: 'valve/closed',
      address: 'coil:1',
    });
    expect(renamed.statusCode).toBe(200);
    expect(await lastHistory()).toMatchObject({ source: 'api: change tag valve/open of device plc group fast' });
    const taken = await expectRefusedWhole('PUT', '/api/v1/devices/plc/groups/fast/tags/valve/closed', {
      name: 'temp',
      address: 'coil:1',
    });
    expect(taken.statusCode).toBe(409);
  });

  it('deletes a tag', async () => {
    const res = await call('DELETE', '/api/v1/devices/plc/groups/fast/tags/valve/closed');
    expect(res.statusCode).toBe(200);
    expect((await call('GET', '/api/v1/devices/plc/tags')).json().map((t: Json) => t.name)).toEqual([
      'motor/speed',
      'temp',
      'counter',
    ]);
    expect((await status()).devices.find((d: Json) => d.name === 'plc').groups[0].tags).toBe(2);
  });
});

describe('north apps', () => {
  const app2 = () => ({
    name: 'backup',
    plugin: 'mqtt',
    enabled: false,
    devices: ['tank'],
    settings: { url: 'mqtt://backup.invalid:1883', password: 'backup-secret-1' },
  });

  it('lists and shows north apps with secrets as ********, 404 unknown-north for a missing one', async () => {
    const list = await call('GET', '/api/v1/north');
    expect(list.body).not.toContain('broker-secret-123');
    expect(list.json()[0]).toMatchObject({ name: 'cloud', settings: { password: '********' } });
    expect((await call('GET', '/api/v1/north/cloud')).json().settings.username).toBe('gw');
    for (const method of ['GET', 'PUT', 'DELETE'] as const) {
      const res = await call(method, '/api/v1/north/nope', admin, method === 'PUT' ? app2() : undefined);
      expect(res.statusCode, method).toBe(404);
      expect(res.json().error.code).toBe('unknown-north');
    }
  });

  it('adds a north app, which shows in the status, and refuses a duplicate with 409', async () => {
    const res = await call('POST', '/api/v1/north', admin, app2());
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ name: 'backup', settings: { password: '********', qos: 1 } });
    expect(res.body).not.toContain('backup-secret-1');
    expect((await status()).north.map((n: Json) => n.name)).toEqual(['cloud', 'backup']);
    expect(await lastHistory()).toMatchObject({ source: 'api: add north app backup' });
    expect((await expectRefusedWhole('POST', '/api/v1/north', app2())).statusCode).toBe(409);
  });

  it('refuses an invalid north app with every error, changing nothing', async () => {
    const res = await expectRefusedWhole('POST', '/api/v1/north', {
      ...app2(),
      name: 'other',
      devices: ['ghost'],
      settings: { url: 'mqtt://x', qos: 7 },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toEqual(
      expect.arrayContaining([
        'north[2].devices[0]: no device named "ghost"',
        expect.stringMatching(/^north\[2\]\.settings\.qos/),
      ]),
    );
  });

  it('replaces and renames a north app, keeping its stored secret', async () => {
    const shown = (await call('GET', '/api/v1/north/backup')).json();
    const res = await call('PUT', '/api/v1/north/backup', admin, { ...shown, name: 'spare', devices: ['*'] });
    expect(res.statusCode, res.body).toBe(200);
    expect(runtime.config.north[1]).toMatchObject({
      name: 'spare',
      devices: ['*'],
      settings: { password: 'backup-secret-1' },
    });
    expect((await status()).north.map((n: Json) => n.name)).toEqual(['cloud', 'spare']);
    expect((await call('PUT', '/api/v1/north/spare', admin, { ...shown, name: 'cloud' })).statusCode).toBe(409);
  });

  it('deletes a north app', async () => {
    expect((await call('DELETE', '/api/v1/north/spare')).statusCode).toBe(200);
    expect((await config()).north.map((n: Json) => n.name)).toEqual(['cloud']);
    expect((await status()).north.map((n: Json) => n.name)).toEqual(['cloud']);
  });
});

describe('users: role changes and password resets', () => {
  it('changes a role: the user’s sessions end, and the new role counts from the next login', async () => {
    await setPassword(db, 'pat', 'pat-password-1', 'viewer');
    const pat = await login('pat', 'pat-password-1');
    expect((await call('POST', '/api/v1/devices/plc/restart', pat)).statusCode).toBe(403);
    const res = await call('PATCH', '/api/v1/users/pat', admin, { role: 'operator' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ username: 'pat', role: 'operator' });
    expect((await call('POST', '/api/v1/devices/plc/restart', pat)).statusCode).toBe(401);
    const again = await login('pat', 'pat-password-1');
    expect((await call('POST', '/api/v1/devices/plc/restart', again)).statusCode).toBe(200);
  });

  it('resets a password: the old one and every session and API token of that user stop working', async () => {
    const pat = await login('pat', 'pat-password-1');
    const token = (await call('POST', '/api/v1/tokens', pat, { name: 'script' })).json().token;
    const res = await call('PATCH', '/api/v1/users/pat', admin, { password: 'pat-password-2' });
    expect(res.statusCode, res.body).toBe(200);
    expect((await call('GET', '/api/v1/auth/me', pat)).statusCode).toBe(401);
    expect((await call('GET', '/api/v1/auth/me', { authorization: `Bearer ${token}` })).statusCode).toBe(401);
    const old = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'pat', password: 'pat-password-1' },
    });
    expect(old.statusCode).toBe(401);
    const fresh = await login('pat', 'pat-password-2');
    expect((await call('GET', '/api/v1/auth/me', fresh)).json()).toEqual({ username: 'pat', role: 'operator' });
  });

  it('refuses a bad change with every error, a missing user with 404, and non-admins with 403', async () => {
    const bad = await call('PATCH', '/api/v1/users/pat', admin, { role: 'boss', password: 'short', colour: 'red' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details).toEqual([
      'colour: unknown key',
      'role: must be one of admin, operator, viewer',
      'password: must be a text of at least 8 characters',
    ]);
    expect((await call('PATCH', '/api/v1/users/pat', admin, {})).statusCode).toBe(400);
    expect((await call('PATCH', '/api/v1/users/pat', admin, 'viewer')).statusCode).toBe(400);
    await login('pat', 'pat-password-2');
    const missing = await call('PATCH', '/api/v1/users/nobody', admin, { role: 'viewer' });
    expect(missing.statusCode).toBe(404);
    expect((await call('PATCH', '/api/v1/users/pat', operator, { role: 'admin' })).statusCode).toBe(403);
  });

  it('never demotes the last admin, and never deletes oneself', async () => {
    const res = await call('PATCH', '/api/v1/users/admin', admin, { role: 'viewer' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('last-admin');
    expect((await call('DELETE', '/api/v1/users/admin', admin)).statusCode).toBe(400);
    expect((await call('GET', '/api/v1/auth/me', admin)).json().role).toBe('admin');

    // With a second admin, one may step down; the other is then the last.
    expect((await call('PATCH', '/api/v1/users/pat', admin, { role: 'admin' })).statusCode).toBe(200);
    const pat = await login('pat', 'pat-password-2');
    expect((await call('PATCH', '/api/v1/users/pat', pat, { role: 'operator' })).statusCode).toBe(200);
    expect((await call('PATCH', '/api/v1/users/admin', admin, { role: 'operator' })).statusCode).toBe(409);
  });
});

describe('OpenAPI description', () => {
  it('lists every route with a summary and a section, the new ones included', async () => {
    const res = await call('GET', '/api/docs/json');
    expect(res.statusCode).toBe(200);
    const paths: Record<string, Record<string, Json>> = res.json().paths;
    const expected: Array<[string, string[]]> = [
      ['/api/v1/devices', ['get', 'post']],
      ['/api/v1/devices/{device}', ['get', 'put', 'patch', 'delete']],
      ['/api/v1/devices/{device}/groups', ['get', 'post']],
      ['/api/v1/devices/{device}/groups/{group}', ['get', 'put', 'delete']],
      ['/api/v1/devices/{device}/tags', ['get']],
      ['/api/v1/devices/{device}/groups/{group}/tags', ['post']],
      ['/api/v1/devices/{device}/groups/{group}/tags/{tag}', ['get', 'put', 'delete']],
      ['/api/v1/devices/{device}/tags/{tag}/write', ['post']],
      ['/api/v1/north', ['get', 'post']],
      ['/api/v1/north/{name}', ['get', 'put', 'delete']],
      ['/api/v1/users/{username}', ['patch', 'delete']],
      ['/api/v1/config', ['get', 'put']],
    ];
    for (const [path, methods] of expected) {
      expect(Object.keys(paths[path] ?? {}).sort(), path).toEqual([...methods].sort());
    }
    for (const [path, operations] of Object.entries(paths)) {
      for (const [method, op] of Object.entries(operations)) {
        expect(op.summary, `${method} ${path}`).toBeTruthy();
        expect(op.tags, `${method} ${path}`).toHaveLength(1);
      }
    }
    const tagRoute = paths['/api/v1/devices/{device}/groups/{group}/tags/{tag}']!.get!;
    expect(tagRoute.parameters.map((p: Json) => p.name).sort()).toEqual(['device', 'group', 'tag']);
    const put = paths['/api/v1/devices/{device}']!.put!;
    expect(put.requestBody.content['application/json'].schema.properties.driver).toBeDefined();
  });
});
