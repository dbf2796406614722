import { randomBytes, scryptSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { builtinRegistry } from '../../../app/builtin-plugins.js';
import type { Config } from '../../../core/config/schema.js';
import { validateConfig } from '../../../core/config/validate.js';
import { stableStringify } from '../../../core/stable-json.js';
import { hasConfig, loadConfig, saveConfig } from '../../../core/store/config-store.js';
import { DB_FILE, type Db, openDb, schemaVersion } from '../../../core/store/db.js';
import { migrations } from '../../../core/store/migrations.js';
import { authenticate, countUsers, findUser, setPassword, stillCurrent } from '../../../core/store/users.js';

let dir: string;
const open: Db[] = [];

function db(): Db {
  const d = openDb(dir);
  open.push(d);
  return d;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tagwire-store-'));
});

afterEach(() => {
  for (const d of open.splice(0)) if (d.open) d.close();
  rmSync(dir, { recursive: true, force: true });
});

function validated(input: unknown): Config {
  const result = validateConfig(input, builtinRegistry());
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.config;
}

/** Two devices, tags with and without every optional field, unicode text, string and nested settings. */
function richConfig(): Config {
  return validated({
    gateway: { id: 'plant-7', uns: 'acme/dallas', http: { port: 8081 }, broker: { enabled: true, port: 11883 } },
    devices: [
      {
        name: 'filler1',
        driver: 'modbus-tcp',
        uns: 'packaging/line3/filler1',
        settings: { host: 'plc-1.local', port: 5020, unitId: 3, byteOrder: 'CDAB', maxGap: 0 },
        groups: [
          {
            name: 'fast',
            intervalMs: 100,
            publish: 'always',
            heartbeatMs: 0,
            tags: [
              {
                name: 'oven/temp',
                address: 'hr:100',
                type: 'float32',
                byteOrder: 'DCBA',
                access: 'readwrite',
                scale: 0.1,
                offset: -273.15,
                deadband: 0.5,
                unit: '°C',
                description: 'Température du four — 温度',
              },
              { name: 'label', address: '400201', type: 'string', length: 12 },
              { name: 'count', address: 'ir:7' },
              { name: 'count64', address: 'hr:300', type: 'uint64', unit: '' },
            ],
          },
          { name: 'slow', intervalMs: 60000, tags: [{ name: 'running', address: 'coil:0', access: 'write' }] },
          { name: 'empty' },
        ],
      },
      { name: 'spare', driver: 'modbus-tcp', enabled: false, uns: '', settings: { host: '10.0.0.9' } },
    ],
    north: [
      {
        name: 'plant-broker',
        plugin: 'mqtt',
        devices: ['filler1'],
        settings: {
          url: 'mqtts://broker.example:8883',
          clientId: 'tagwire-ü',
          username: 'gw',
          password: 'p@ss "word"',
          protocolVersion: 5,
          tls: { ca: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' },
          format: 'group',
          retain: false,
          qos: 0,
        },
      },
      { name: 'local', plugin: 'mqtt', enabled: false, settings: { url: 'mqtt://127.0.0.1:1883' } },
    ],
  });
}

describe('openDb', () => {
  it('creates the database in WAL mode at the latest schema version', () => {
    const d = db();
    expect(d.name).toBe(join(dir, DB_FILE));
    expect(d.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(d.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(migrations.length).toBeGreaterThan(0);
    expect(schemaVersion(d)).toBe(migrations.length);
    expect(d.pragma('user_version', { simple: true })).toBe(migrations.length);
    // 2 MB of page cache, not better-sqlite3's 16 MB that a large configuration would fill for good.
    expect(d.pragma('cache_size', { simple: true })).toBe(-2000);
  });

  it('reopens an existing database without migrating it again', () => {
    const first = db();
    saveConfig(first, validated({}));
    first.close();
    const second = db();
    expect(schemaVersion(second)).toBe(migrations.length);
    expect(hasConfig(second)).toBe(true);
  });

  it('refuses a database from a newer tagwire', () => {
    const first = db();
    first.pragma(`user_version = ${migrations.length + 1}`);
    first.close();
    expect(() => openDb(dir)).toThrow(
      `the database schema (version ${migrations.length + 1}) is newer than this tagwire (version ${migrations.length}); upgrade tagwire`,
    );
  });

  it('creates a missing data directory', () => {
    const nested = join(dir, 'a', 'b');
    const d = openDb(nested);
    open.push(d);
    expect(d.name).toBe(join(nested, DB_FILE));
  });
});

describe('saveConfig / loadConfig', () => {
  it('has no configuration before the first save', () => {
    const d = db();
    expect(hasConfig(d)).toBe(false);
    expect(loadConfig(d)).toBeUndefined();
  });

  it('round-trips a configuration exactly', () => {
    const config = richConfig();
    const d = db();
    saveConfig(d, config);
    const loaded = loadConfig(d);
    expect(loaded).toEqual(config);
    // Optional fields stay absent rather than coming back as null/undefined keys.
    const tags = loaded!.devices[0]!.groups[0]!.tags;
    expect(Object.keys(tags[2]!).sort()).toEqual(['access', 'address', 'deadband', 'name', 'offset', 'scale', 'type']);
    expect(tags[0]!.unit).toBe('°C');
    expect(tags[0]!.description).toBe('Température du four — 温度');
    expect(tags[3]!.unit).toBe('');
    expect(loaded!.devices[1]!.uns).toBe('');
    expect(loaded!.devices[0]!.groups[2]!.tags).toEqual([]);
    expect(loaded!.north[0]!.settings.password).toBe('p@ss "word"');
  });

  it('survives closing and reopening the database', () => {
    const config = richConfig();
    const first = db();
    saveConfig(first, config);
    first.close();
    expect(loadConfig(db())).toEqual(config);
  });

  it('re-validating the loaded configuration gives the identical configuration', () => {
    const config = richConfig();
    const d = db();
    saveConfig(d, config);
    const again = validated(loadConfig(d));
    expect(stableStringify(again)).toBe(stableStringify(config));
  });

  it('keeps the configuration in tables, not as one blob', () => {
    const d = db();
    saveConfig(d, richConfig());
    const count = (table: string) => (d.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    expect(count('devices')).toBe(2);
    expect(count('groups')).toBe(3);
    expect(count('tags')).toBe(5);
    expect(count('north_apps')).toBe(2);
    const row = d.prepare('SELECT address, type, fields, unit FROM tags WHERE name = ?').get('oven/temp');
    // A driver's own tag fields (Modbus byteOrder) are kept together as JSON.
    expect(row).toEqual({ address: 'hr:100', type: 'float32', fields: '{"byteOrder":"DCBA"}', unit: '°C' });
  });

  it('replaces the previous configuration entirely', () => {
    const d = db();
    saveConfig(d, richConfig());
    const small = validated({
      gateway: { id: 'gw2' },
      devices: [
        {
          name: 'other',
          driver: 'modbus-tcp',
          settings: { host: 'h' },
          groups: [{ name: 'g', tags: [{ name: 't', address: 'hr:1' }] }],
        },
      ],
    });
    saveConfig(d, small);
    expect(loadConfig(d)).toEqual(small);
    expect((d.prepare('SELECT COUNT(*) AS n FROM tags').get() as { n: number }).n).toBe(1);
    expect((d.prepare('SELECT COUNT(*) AS n FROM north_apps').get() as { n: number }).n).toBe(0);
  });

  it('is visible to a second connection (another process) once saved', () => {
    const d = db();
    const config = richConfig();
    saveConfig(d, config);
    const other = new Database(join(dir, DB_FILE), { readonly: true });
    try {
      expect((other.prepare('SELECT COUNT(*) AS n FROM tags').get() as { n: number }).n).toBe(5);
    } finally {
      other.close();
    }
  });
});

/** Stores the user's password as tagwire hashed it before (scrypt p = 1); returns the stored hash. */
function storeOlderHash(d: Db, username: string, password: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(password, salt, 32, { N: 32768, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
  const older = ['scrypt', 32768, 8, 1, salt.toString('base64'), key.toString('base64')].join('$');
  d.prepare('UPDATE users SET password_hash = ? WHERE username = ?').run(older, username);
  return older;
}

describe('users', () => {
  it('creates a user whose password authenticates, and only that password', async () => {
    const d = db();
    await setPassword(d, 'admin', 'correct horse battery');
    expect(countUsers(d)).toBe(1);
    const user = await authenticate(d, 'admin', 'correct horse battery');
    expect(user).toEqual({
      id: expect.any(Number),
      username: 'admin',
      role: 'admin',
      passwordHash: expect.any(String),
    });
    expect(stillCurrent(d, user as NonNullable<typeof user>)).toBe(true);
    // A new password (or a deleted user) makes a login checked against the old hash stale.
    await setPassword(d, 'admin', 'another horse battery');
    expect(stillCurrent(d, user as NonNullable<typeof user>)).toBe(false);
    expect(await authenticate(d, 'admin', 'correct horse battery')).toBeUndefined();
    expect(await authenticate(d, 'admin', 'correct horse batterY')).toBeUndefined();
    expect(await authenticate(d, 'admin', '')).toBeUndefined();
    expect(await authenticate(d, 'nobody', 'correct horse battery')).toBeUndefined();
  });

  it('stores a salted scrypt hash, never the password', async () => {
    const d = db();
    await setPassword(d, 'alice', 'secret-password-1', 'operator');
    await setPassword(d, 'bob', 'secret-password-1', 'viewer');
    const rows = d.prepare('SELECT username, password_hash, role FROM users ORDER BY username').all() as Array<{
      username: string;
      password_hash: string;
      role: string;
    }>;
    expect(rows.map((r) => [r.username, r.role])).toEqual([
      ['alice', 'operator'],
      ['bob', 'viewer'],
    ]);
    for (const r of rows) {
      expect(r.password_hash.startsWith('scrypt$')).toBe(true);
      expect(r.password_hash).not.toContain('secret-password-1');
    }
    expect(rows[0]!.password_hash).not.toBe(rows[1]!.password_hash);
  });

  it('changes an existing password: the old one stops working, the role is kept', async () => {
    const d = db();
    await setPassword(d, 'op', 'first-password', 'operator');
    await setPassword(d, 'op', 'second-password');
    expect(countUsers(d)).toBe(1);
    expect(await authenticate(d, 'op', 'first-password')).toBeUndefined();
    expect(await authenticate(d, 'op', 'second-password')).toMatchObject({ username: 'op', role: 'operator' });
  });

  it('refuses a password shorter than 8 characters and creates no user', async () => {
    const d = db();
    await expect(setPassword(d, 'admin', 'short12')).rejects.toThrow('password: must be at least 8 characters');
    expect(findUser(d, 'admin')).toBeUndefined();
    expect(countUsers(d)).toBe(0);
    await setPassword(d, 'admin', 'exactly8');
    expect(await authenticate(d, 'admin', 'exactly8')).toMatchObject({ username: 'admin' });
  });

  it('hashes a password stored with older parameters again at the next login', async () => {
    const d = db();
    await setPassword(d, 'op', 'older-password', 'operator');
    const older = storeOlderHash(d, 'op', 'older-password');
    const storedHash = () =>
      (d.prepare('SELECT password_hash FROM users WHERE username = ?').get('op') as { password_hash: string })
        .password_hash;

    expect(await authenticate(d, 'op', 'wrong-password')).toBeUndefined();
    expect(storedHash()).toBe(older);
    const user = await authenticate(d, 'op', 'older-password');
    expect(user).toMatchObject({ username: 'op', role: 'operator' });
    expect(storedHash()).toMatch(/^scrypt\$32768\$8\$3\$/);
    expect(user?.passwordHash).toBe(storedHash());
    expect(stillCurrent(d, user!)).toBe(true);
    expect(await authenticate(d, 'op', 'older-password')).toMatchObject({ passwordHash: storedHash() });
  });

  it('keeps a password reset made while an older hash was checked, and the login fails', async () => {
    const d = db();
    await setPassword(d, 'op', 'older-password', 'operator');
    storeOlderHash(d, 'op', 'older-password');
    // The reset's hash starts with the check and is written before the check's own new hash is.
    const [user] = await Promise.all([authenticate(d, 'op', 'older-password'), setPassword(d, 'op', 'reset-password')]);
    expect(user).toBeDefined();
    expect(stillCurrent(d, user!)).toBe(false);
    expect(await authenticate(d, 'op', 'older-password')).toBeUndefined();
    expect(await authenticate(d, 'op', 'reset-password')).toMatchObject({ username: 'op' });
  });

  it('refuses an invalid user name', async () => {
    const d = db();
    await expect(setPassword(d, 'bad name', 'long enough password')).rejects.toThrow(
      'username: "bad name" is not a valid user name',
    );
    expect(countUsers(d)).toBe(0);
  });
});
