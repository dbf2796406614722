import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../core/runtime.js';
import type { Db } from '../../core/store/db.js';
import { runModbusSimulator } from '../../simulators/run-modbus.js';
import { simulatedPlc, startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

let gw: TestGateway;
let db: Db;
let runtime: Runtime;
let app: FastifyInstance;
let sim: { port: number; close(): Promise<void> };

async function login(username: string, password: string): Promise<Record<string, string>> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
  expect(res.statusCode, res.body).toBe(200);
  return { authorization: `Bearer ${res.json().token}` };
}

beforeAll(async () => {
  sim = await runModbusSimulator({ host: '127.0.0.1', port: 0 });
  gw = await startTestGateway(
    {
      gateway: { id: 'res' },
      devices: [
        simulatedPlc(sim.port, [
          {
            name: 'fast',
            intervalMs: 200,
            tags: [
              {
                name: 'motor/speed',
                address: 'hr:2',
                access: 'readwrite',
                unit: 'rpm',
                description: 'Drive, "main"',
              },
              { name: 'temp', address: 'ir:0', type: 'float32', scale: 0.5 },
            ],
          },
        ]),
      ],
    },
    { users: { admin: ['admin-password-1', 'admin'] }, version: '1.0.0-test' },
  );
  ({ app, runtime, db } = gw);
});

afterAll(async () => {
  await gw.close();
  await sim.close();
});

describe('users, roles and API tokens', () => {
  it('lets an admin create users with roles, and enforces the roles', async () => {
    const admin = await login('admin', 'admin-password-1');
    expect((await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: admin })).json()).toEqual({
      username: 'admin',
      role: 'admin',
    });
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: admin,
      payload: { username: 'viewer1', password: 'viewer-password', role: 'viewer' },
    });
    expect(created.statusCode).toBe(201);
    const short = await app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: admin,
      payload: { username: 'x', password: 'short' },
    });
    expect(short.statusCode).toBe(400);

    const viewer = await login('viewer1', 'viewer-password');
    expect((await app.inject({ method: 'GET', url: '/api/v1/values', headers: viewer })).statusCode).toBe(200);
    const write = await app.inject({
      method: 'POST',
      url: '/api/v1/devices/plc/tags/motor/speed/write',
      headers: viewer,
      payload: { value: 1 },
    });
    expect(write.statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/api/v1/users', headers: viewer })).statusCode).toBe(403);
    const put = await app.inject({ method: 'PUT', url: '/api/v1/config', headers: viewer, payload: {} });
    expect(put.statusCode).toBe(403);

    const users = (await app.inject({ method: 'GET', url: '/api/v1/users', headers: admin })).json();
    expect(users.map((u: { username: string }) => u.username)).toEqual(['admin', 'viewer1']);
    expect(JSON.stringify(users)).not.toContain('scrypt');
  });

  it('changes the own password only with the current one', async () => {
    const viewer = await login('viewer1', 'viewer-password');
    const wrong = await app.inject({
      method: 'PUT',
      url: '/api/v1/auth/password',
      headers: viewer,
      payload: { currentPassword: 'nope', newPassword: 'new-viewer-password' },
    });
    expect(wrong.statusCode).toBe(403);
    const ok = await app.inject({
      method: 'PUT',
      url: '/api/v1/auth/password',
      headers: viewer,
      payload: { currentPassword: 'viewer-password', newPassword: 'new-viewer-password' },
    });
    expect(ok.statusCode).toBe(200);
    await login('viewer1', 'new-viewer-password');
  });

  it('issues API tokens shown once, usable as bearer tokens, and revocable', async () => {
    const admin = await login('admin', 'admin-password-1');
    const res = await app.inject({ method: 'POST', url: '/api/v1/tokens', headers: admin, payload: { name: 'scada' } });
    expect(res.statusCode).toBe(201);
    const { id, token } = res.json();
    expect(token).toMatch(/^tw_/);
    const bearer = { authorization: `Bearer ${token}` };
    expect((await app.inject({ method: 'GET', url: '/api/v1/status', headers: bearer })).statusCode).toBe(200);
    const list = (await app.inject({ method: 'GET', url: '/api/v1/tokens', headers: admin })).json();
    expect(list).toEqual([expect.objectContaining({ id, name: 'scada' })]);
    expect(JSON.stringify(list)).not.toContain(token);
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/tokens/${id}`, headers: admin })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/api/v1/status', headers: bearer })).statusCode).toBe(401);
  });
});

describe('device resources', () => {
  it('exports a device tags as CSV and imports an edited CSV, refusing bad rows by line', async () => {
    const admin = await login('admin', 'admin-password-1');
    const csv = await app.inject({ method: 'GET', url: '/api/v1/devices/plc/tags.csv', headers: admin });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.trim().split('\n');
    expect(lines[0]).toBe('group,name,address,type,length,byteOrder,access,scale,offset,deadband,unit,description');
    expect(lines[1]).toBe('fast,motor/speed,hr:2,uint16,,,readwrite,1,0,0,rpm,"Drive, ""main"""');
    expect(lines[2]).toBe('fast,temp,ir:0,float32,,,read,0.5,0,0,,');

    const bad = `${lines.join('\n')}\nslow,counter,ir:4,,,,,,,,,\nslow,broken,hr:70000,,,,,,,,,\n`;
    const refused = await app.inject({
      method: 'PUT',
      url: '/api/v1/devices/plc/tags.csv',
      headers: { ...admin, 'content-type': 'text/csv' },
      payload: bad,
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.details).toEqual(['line 5: address: hr:70000: register number must be 0..65535']);
    expect(runtime.config.devices[0]!.groups).toHaveLength(1);

    // A short row (trailing cells left out) is read as empty cells. The dry run answers what
    // the import would change and changes nothing.
    const good = `${lines.join('\n').replace(',rpm,', ',1/min,')}\nslow,counter,ir:4\n`;
    const before = JSON.stringify(runtime.config);
    const preview = await app.inject({
      method: 'PUT',
      url: '/api/v1/devices/plc/tags.csv?dryRun=true',
      headers: { ...admin, 'content-type': 'text/csv' },
      payload: good.replace('fast,temp,', 'fast,temperature,'),
    });
    expect(preview.statusCode, preview.body).toBe(200);
    expect(preview.json()).toEqual({
      ok: true,
      dryRun: true,
      tags: 3,
      changes: {
        added: [
          { group: 'fast', tag: 'temperature' },
          { group: 'slow', tag: 'counter' },
        ],
        removed: [{ group: 'fast', tag: 'temp' }],
        changed: [{ group: 'fast', tag: 'motor/speed', fields: ['unit: rpm → 1/min'] }],
        unchanged: 0,
        groupsAdded: ['slow'],
        groupsEmptied: [],
      },
    });
    expect(JSON.stringify(runtime.config)).toBe(before);
    const badPreview = await app.inject({
      method: 'PUT',
      url: '/api/v1/devices/plc/tags.csv?dryRun=true',
      headers: { ...admin, 'content-type': 'text/csv' },
      payload: bad,
    });
    // The good rows are previewed beside the bad one, which the import itself refuses.
    expect(badPreview.statusCode, badPreview.body).toBe(200);
    expect(badPreview.json()).toMatchObject({
      ok: false,
      dryRun: true,
      tags: 3,
      problems: ['line 5: address: hr:70000: register number must be 0..65535'],
      changes: { added: [{ group: 'slow', tag: 'counter' }], removed: [], changed: [], unchanged: 2 },
    });
    // Anything but true/false is refused, never taken as "import for real".
    const unclear = await app.inject({
      method: 'PUT',
      url: '/api/v1/devices/plc/tags.csv?dryRun=1',
      headers: { ...admin, 'content-type': 'text/csv' },
      payload: good,
    });
    expect(unclear.statusCode).toBe(400);
    expect(unclear.json().error.message).toBe('dryRun must be true or false');
    expect(JSON.stringify(runtime.config)).toBe(before);

    const accepted = await app.inject({
      method: 'PUT',
      url: '/api/v1/devices/plc/tags.csv',
      headers: { ...admin, 'content-type': 'text/csv' },
      payload: good,
    });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json().tags).toBe(3);
    const groups = runtime.config.devices[0]!.groups;
    expect(groups.map((g) => g.name)).toEqual(['fast', 'slow']);
    expect(groups[1]!.tags[0]).toMatchObject({ name: 'counter', address: 'ir:4', type: 'uint16', access: 'read' });
    expect(groups[0]!.tags[0]!.unit).toBe('1/min');
    // Round trip: what is exported now imports as a no-op.
    const again = await app.inject({ method: 'GET', url: '/api/v1/devices/plc/tags.csv', headers: admin });
    const noop = await app.inject({
      method: 'PUT',
      url: '/api/v1/devices/plc/tags.csv',
      headers: { ...admin, 'content-type': 'text/csv' },
      payload: again.body,
    });
    expect(noop.json()).toEqual({ ok: true, tags: 3 });
  });

  it('restarts one device on request', async () => {
    const admin = await login('admin', 'admin-password-1');
    const res = await app.inject({ method: 'POST', url: '/api/v1/devices/plc/restart', headers: admin });
    expect(res.statusCode).toBe(200);
    const missing = await app.inject({ method: 'POST', url: '/api/v1/devices/nope/restart', headers: admin });
    expect(missing.statusCode).toBe(404);
  });

  it('describes the API in OpenAPI', async () => {
    const admin = await login('admin', 'admin-password-1');
    const res = await app.inject({ method: 'GET', url: '/api/docs/json', headers: admin });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/config', '/api/v1/values', '/api/v1/auth/login', '/api/v1/events']),
    );
    expect((await app.inject({ method: 'GET', url: '/api/docs' })).statusCode).toBe(401);
  });

  it('keeps every applied configuration with who and how, and rolls back to one', async () => {
    const admin = await login('admin', 'admin-password-1');
    const before = (await app.inject({ method: 'GET', url: '/api/v1/config/history', headers: admin })).json();
    const doc = (await app.inject({ method: 'GET', url: '/api/v1/config', headers: admin })).json();
    const original = doc.devices[0].groups[0].intervalMs;
    doc.devices[0].groups[0].intervalMs = 750;
    expect((await app.inject({ method: 'PUT', url: '/api/v1/config', headers: admin, payload: doc })).statusCode).toBe(
      200,
    );
    const history = (await app.inject({ method: 'GET', url: '/api/v1/config/history', headers: admin })).json();
    expect(history.length).toBe(before.length + 1);
    expect(history[0]).toMatchObject({ user: 'admin', source: 'api' });
    const previous = history[1];
    const old = (
      await app.inject({ method: 'GET', url: `/api/v1/config/history/${previous.id}`, headers: admin })
    ).json();
    expect(old.devices[0].groups[0].intervalMs).toBe(original);

    const rollback = await app.inject({
      method: 'POST',
      url: `/api/v1/config/history/${previous.id}/rollback`,
      headers: admin,
    });
    expect(rollback.statusCode).toBe(200);
    expect(runtime.config.devices[0]!.groups[0]!.intervalMs).toBe(original);
    const after = (await app.inject({ method: 'GET', url: '/api/v1/config/history', headers: admin })).json();
    expect(after[0]).toMatchObject({ user: 'admin', source: `rollback to #${previous.id}` });
  });
  it('downloads the configuration as YAML and applies an uploaded YAML file, refusing a bad one whole', async () => {
    const admin = await login('admin', 'admin-password-1');
    const download = await app.inject({ method: 'GET', url: '/api/v1/config?format=yaml', headers: admin });
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toContain('application/yaml');
    expect(download.headers['content-disposition']).toContain('res-config.yaml');
    expect(download.body).toContain('name: motor/speed');

    const edited = download.body.replace(/intervalMs: \d+/, 'intervalMs: 640');
    const upload = await app.inject({
      method: 'PUT',
      url: '/api/v1/config',
      headers: { ...admin, 'content-type': 'application/yaml' },
      payload: edited,
    });
    expect(upload.statusCode, upload.body).toBe(200);
    expect(runtime.config.devices[0]!.groups[0]!.intervalMs).toBe(640);

    const before = JSON.stringify(runtime.config);
    const broken = await app.inject({
      method: 'PUT',
      url: '/api/v1/config',
      headers: { ...admin, 'content-type': 'application/yaml' },
      payload: 'gateway:\n  id: res\n  id: twice\n',
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error.details.join('\n')).toMatch(/uploaded file:3:\d+: .*unique/i);
    const invalid = await app.inject({
      method: 'PUT',
      url: '/api/v1/config',
      headers: { ...admin, 'content-type': 'text/yaml' },
      payload: edited.replace('intervalMs: 640', 'intervalMs: -1').replace('address: hr:2', 'address: hx:2'),
    });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().error.details.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(runtime.config)).toBe(before);

    const history = (await app.inject({ method: 'GET', url: '/api/v1/config/history', headers: admin })).json();
    const yaml = await app.inject({
      method: 'GET',
      url: `/api/v1/config/history/${history[0].id}?format=yaml`,
      headers: admin,
    });
    expect(yaml.body).toContain('intervalMs: 640');
    const bad = await app.inject({ method: 'GET', url: '/api/v1/config?format=xml', headers: admin });
    expect(bad.statusCode).toBe(400);
  });
  it('never shows secrets from the history, also for an entry that no longer validates', async () => {
    const admin = await login('admin', 'admin-password-1');
    const stale = {
      gateway: { id: 'res', retired: true },
      devices: [],
      north: [
        { name: 'cloud', plugin: 'mqtt', settings: { url: 'mqtt://x', password: 'broker-secret-1' } },
        { name: 'old', plugin: 'gone-plugin', settings: { apiToken: 'token-secret-2', tls: { key: 'key-secret-3' } } },
      ],
    };
    const id = Number(
      db
        .prepare('INSERT INTO config_history (applied_at, username, source, config) VALUES (?, ?, ?, ?)')
        .run(Date.now(), 'admin', 'test', JSON.stringify(stale)).lastInsertRowid,
    );
    for (const format of ['json', 'yaml']) {
      const res = await app.inject({
        method: 'GET',
        url: `/api/v1/config/history/${id}?format=${format}`,
        headers: admin,
      });
      expect(res.statusCode).toBe(200);
      expect(res.body).not.toMatch(/secret-\d/);
      expect(res.body).toContain('********');
    }
  });
  it('lets no login with an old password through while the password is being reset', async () => {
    const admin = await login('admin', 'admin-password-1');
    await app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: admin,
      payload: { username: 'racer', password: 'old-password-0', role: 'viewer' },
    });
    for (let i = 1; i <= 8; i++) {
      const [attempt, reset] = await Promise.all([
        app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { username: 'racer', password: `old-password-${i - 1}` },
        }),
        app.inject({
          method: 'PATCH',
          url: '/api/v1/users/racer',
          headers: admin,
          payload: { password: `old-password-${i}` },
        }),
      ]);
      expect(reset.statusCode).toBe(200);
      // Whichever finished first: a session made with the old password does not outlive the reset.
      if (attempt.statusCode === 200) {
        const me = await app.inject({
          method: 'GET',
          url: '/api/v1/auth/me',
          headers: { authorization: `Bearer ${attempt.json().token}` },
        });
        expect(me.statusCode, `round ${i}`).toBe(401);
      } else {
        // Refused: wrong password, or the address's wrong-password limit reached by earlier rounds.
        expect([401, 429]).toContain(attempt.statusCode);
      }
    }
    // A user deleted while their password is reset stays deleted.
    const [gone, reset] = await Promise.all([
      app.inject({ method: 'DELETE', url: '/api/v1/users/racer', headers: admin }),
      app.inject({
        method: 'PATCH',
        url: '/api/v1/users/racer',
        headers: admin,
        payload: { password: 'new-password-x' },
      }),
    ]);
    expect(gone.statusCode).toBe(200);
    expect([404]).toContain(reset.statusCode);
    const users = (await app.inject({ method: 'GET', url: '/api/v1/users', headers: admin })).json() as Array<{
      username: string;
    }>;
    expect(users.map((u) => u.username)).not.toContain('racer');
  });
});
