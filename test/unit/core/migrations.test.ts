/**
 * Upgrades from every earlier schema: a database is built at each version k by applying
 * migrations 1..k only, filled with rows that were valid at that version, then migrated
 * by `migrate()`. Whoever adds a migration adds its rows to SEEDS (the first test insists).
 */
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { builtinRegistry } from '../../../app/builtin-plugins.js';
import { AlarmStore } from '../../../core/alarms/alarm-store.js';
import { hashPassword } from '../../../core/auth/password.js';
import { validateConfig } from '../../../core/config/validate.js';
import { AuditLog } from '../../../core/store/audit.js';
import { listHistory } from '../../../core/store/config-history.js';
import { loadConfig } from '../../../core/store/config-store.js';
import { type Db, migrate, schemaVersion } from '../../../core/store/db.js';
import { getMeta } from '../../../core/store/meta.js';
import { migrations } from '../../../core/store/migrations.js';
import { userForToken } from '../../../core/store/sessions.js';
import { authenticate } from '../../../core/store/users.js';

const PASSWORD = 'old-install-password';
let passwordHash: string;
const API_TOKEN = 'legacy-api-token';
// The sessions table keeps only a hash of a token.
const API_TOKEN_HASH = createHash('sha256').update(API_TOKEN).digest('hex');

/** Rows as they were written at version v (index v-1): raw SQL, not today's store code. */
const SEEDS: Array<(db: Db) => void> = [
  // 1: configuration tables, users, meta
  (db) => {
    const setting = db.prepare('INSERT INTO gateway_settings (key, value) VALUES (?, ?)');
    setting.run('id', JSON.stringify('gw-old'));
    setting.run('uns', JSON.stringify('acme/old'));
    setting.run('http', JSON.stringify({ host: '0.0.0.0', port: 8080 }));
    setting.run('broker', JSON.stringify({ enabled: false, host: '127.0.0.1', port: 1883 }));
    db.prepare(
      `INSERT INTO devices (id, position, name, driver, enabled, uns, settings) VALUES
       (1, 0, 'filler1', 'modbus-tcp', 1, 'packaging/filler1', ?)`,
    ).run(JSON.stringify({ host: '10.0.0.5', port: 502, unitId: 1 }));
    db.prepare(
      `INSERT INTO groups (id, device_id, position, name, interval_ms, publish, heartbeat_ms) VALUES
       (1, 1, 0, 'fast', 1000, 'change', 60000)`,
    ).run();
    db.prepare(
      `INSERT INTO tags (group_id, position, name, address, type, length, byte_order, access, scale, "offset",
         deadband, unit, description) VALUES
       (1, 0, 'motor/speed', 'hr:100', 'float32', NULL, 'CDAB', 'readwrite', 1, 0, 0.5, 'rpm', 'Main drive'),
       (1, 1, 'label', 'hr:200', 'string', 10, NULL, 'read', 1, 0, 0, NULL, NULL)`,
    ).run();
    db.prepare(
      `INSERT INTO north_apps (position, name, plugin, enabled, devices, settings) VALUES
       (0, 'plant', 'mqtt', 1, '["*"]', ?)`,
    ).run(JSON.stringify({ url: 'mqtt://broker:1883', qos: 1 }));
    db.prepare(
      `INSERT INTO users (username, password_hash, role, created_at, updated_at) VALUES ('admin', ?, 'admin', 1, 1)`,
    ).run(passwordHash);
    db.prepare("INSERT INTO meta (key, value) VALUES ('demo', 'seeded')").run();
  },
  // 2: sessions and API tokens
  (db) => {
    db.prepare(
      `INSERT INTO sessions (token_hash, user_id, kind, name, created_at, expires_at)
       VALUES (?, 1, 'api', 'historian', 1, NULL)`,
    ).run(API_TOKEN_HASH);
  },
  // 3: the north apps' spool
  (db) => {
    db.prepare(
      `INSERT INTO spool (app, topic, payload, qos, retain, created_at) VALUES ('plant', 'acme/old/x', ?, 1, 1, 5)`,
    ).run(Buffer.from('{"value":1}'));
  },
  // 4: configuration history
  (db) => {
    db.prepare(
      `INSERT INTO config_history (applied_at, username, source, config) VALUES (7, 'admin', 'api', '{"gateway":{}}')`,
    ).run();
  },
  // 5: a device's reconnect cap
  (db) => {
    db.prepare(
      `INSERT INTO devices (id, position, name, driver, enabled, uns, settings, reconnect_max_ms) VALUES
       (2, 1, 'slow-plc', 'modbus-tcp', 1, 'slow-plc', '{"host":"10.0.0.6"}', 60000)`,
    ).run();
  },
  // 6: audit trail
  (db) => {
    db.prepare(
      `INSERT INTO audit_log (at, kind, action, ok, username, source, address) VALUES
       (?, 'login', 'login', 1, 'admin', 'http', '10.0.0.9')`,
    ).run(Date.now());
  },
  // 7: what each configuration change did
  (db) => {
    db.prepare(
      `INSERT INTO config_history (applied_at, username, source, summary, config)
       VALUES (8, 'admin', 'ui', 'add device tank', '{"gateway":{}}')`,
    ).run();
  },
  // 8: driver tag fields as JSON
  (db) => {
    db.prepare(
      `INSERT INTO groups (id, device_id, position, name, interval_ms, publish, heartbeat_ms) VALUES
       (8, 1, 1, 'counters', 5000, 'change', 60000)`,
    ).run();
    db.prepare(
      `INSERT INTO tags (group_id, position, name, address, type, length, fields, access, scale, "offset",
         deadband, unit, description) VALUES
       (8, 0, 'total', 'hr:300', 'uint32', NULL, '{"byteOrder":"DCBA"}', 'read', 1, 0, 0, NULL, NULL)`,
    ).run();
  },
  // 9: models, and devices built from them
  (db) => {
    db.prepare(
      `INSERT INTO models (position, name, description, driver, params, settings, groups) VALUES
       (0, 'pm5560', 'Power meter', 'modbus-tcp', '["line"]', '{"port":502}', ?)`,
    ).run(JSON.stringify([{ name: 'fast', intervalMs: 1000, publish: 'change', heartbeatMs: 60000, tags: [] }]));
    db.prepare(
      `INSERT INTO devices (position, name, driver, enabled, uns, settings, model, params) VALUES
       (9, 'meter-01', 'modbus-tcp', 1, 'hall1/meter-01', '{"host":"10.0.0.21"}', 'pm5560', '{"line":"L1"}')`,
    ).run();
  },
  // 10: alarms on tags, alarm state and history
  (db) => {
    db.prepare(
      `INSERT INTO groups (id, device_id, position, name, interval_ms, publish, heartbeat_ms) VALUES
       (9, 1, 2, 'alarmed', 1000, 'change', 60000)`,
    ).run();
    db.prepare(
      `INSERT INTO tags (group_id, position, name, address, type, access, scale, "offset", deadband, alarms) VALUES
       (9, 0, 'temp', 'hr:300', 'float32', 'read', 1, 0, 0, ?)`,
    ).run(JSON.stringify([{ name: 'high', above: 80, deadband: 2, delayMs: 0, severity: 'high' }]));
    db.prepare(
      `INSERT INTO alarm_state (alarm_id, device, tag, alarm, state, acked, active_since, changed_at, value, message)
       VALUES ('a1', 'filler1', 'temp', 'high', 'active', 0, 9, 9, '81.5', 'temp above 80')`,
    ).run();
    db.prepare(
      `INSERT INTO alarm_history (at, alarm_id, device, tag, alarm, kind, severity, message, value)
       VALUES (?, 'a1', 'filler1', 'temp', 'high', 'active', 'high', 'temp above 80', '81.5')`,
    ).run(Date.now());
  },
  // 11: computed tags (a group's trigger; expression and aggregate are driver fields)
  (db) => {
    db.prepare(
      `INSERT INTO devices (id, position, name, driver, enabled, uns, settings, reconnect_max_ms) VALUES
       (30, 3, 'kpi', 'compute', 1, 'kpi', '{}', 10000)`,
    ).run();
    db.prepare(
      `INSERT INTO groups (id, device_id, position, name, interval_ms, publish, heartbeat_ms, "trigger") VALUES
       (30, 30, 0, 'derived', 1000, 'change', 60000, 'interval')`,
    ).run();
    db.prepare(
      `INSERT INTO tags (group_id, position, name, address, type, length, fields, access, scale, "offset",
         deadband, unit, description) VALUES
       (30, 0, 'speed_rpm_x2', '', NULL, NULL, '{"expression":"{filler1/motor/speed} * 2"}', 'read', 1, 0, 0, 'rpm', NULL),
       (30, 1, 'speed_avg', '', 'float64', NULL,
        '{"aggregate":{"function":"avg","of":"{filler1/motor/speed}","windowMs":60000}}', 'read', 1, 0, 0, NULL, NULL)`,
    ).run();
  },
];

/** What must hold after the upgrade for the rows of version v (index v-1). */
const CHECKS: Array<(db: Db) => Promise<void> | void> = [
  async (db) => {
    const result = validateConfig(loadConfig(db), builtinRegistry());
    if (!result.ok) throw new Error(result.errors.join('\n'));
    const config = result.config;
    expect(config.gateway).toMatchObject({ id: 'gw-old', uns: 'acme/old' });
    expect(config.devices.length).toBeGreaterThanOrEqual(1);
    // Stored before devices had a reconnect cap: they get the default.
    expect(config.devices[0]).toMatchObject({
      name: 'filler1',
      uns: 'packaging/filler1',
      enabled: true,
      reconnectMaxMs: 10_000,
    });
    expect(config.devices[0]?.groups[0]?.tags).toMatchObject([
      { name: 'motor/speed', address: 'hr:100', type: 'float32', byteOrder: 'CDAB', deadband: 0.5, unit: 'rpm' },
      { name: 'label', type: 'string', length: 10 },
    ]);
    expect(config.north[0]).toMatchObject({ name: 'plant', plugin: 'mqtt', devices: ['*'] });
    expect(await authenticate(db, 'admin', PASSWORD)).toMatchObject({ username: 'admin', role: 'admin' });
    expect(getMeta(db, 'demo')).toBe('seeded');
  },
  (db) => {
    expect(userForToken(db, API_TOKEN)).toMatchObject({ username: 'admin' });
  },
  (db) => {
    const rows = db.prepare('SELECT app, topic, payload FROM spool').all() as Array<{ payload: Buffer }>;
    expect(rows).toHaveLength(1);
    expect(rows[0]?.payload.toString()).toBe('{"value":1}');
  },
  (db) => {
    // Recorded before summaries existed: shown by how it was applied only.
    expect(listHistory(db).find((e) => e.appliedAt === 7)).toMatchObject({
      user: 'admin',
      source: 'api',
      summary: '',
      description: 'api',
    });
  },
  (db) => {
    expect(loadConfig(db)?.devices.find((d) => d.name === 'slow-plc')).toMatchObject({ reconnectMaxMs: 60_000 });
  },
  (db) => {
    expect(new AuditLog(db).query()).toMatchObject([{ kind: 'login', user: 'admin', ok: true, address: '10.0.0.9' }]);
  },
  (db) => {
    expect(listHistory(db).find((e) => e.source === 'ui')).toMatchObject({
      summary: 'add device tank',
      description: 'ui: add device tank',
    });
  },
  (db) => {
    const result = validateConfig(loadConfig(db), builtinRegistry());
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(result.config.devices[0]?.groups[1]?.tags[0]).toEqual({
      name: 'total',
      address: 'hr:300',
      type: 'uint32',
      byteOrder: 'DCBA',
      access: 'read',
      scale: 1,
      offset: 0,
      deadband: 0,
    });
  },
  (db) => {
    const result = validateConfig(loadConfig(db), builtinRegistry());
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(result.config.models).toMatchObject([{ name: 'pm5560', params: ['line'], settings: { port: 502 } }]);
    const meter = result.config.devices.find((d) => d.name === 'meter-01');
    expect(meter).toEqual({
      name: 'meter-01',
      model: 'pm5560',
      enabled: true,
      uns: 'hall1/meter-01',
      params: { line: 'L1' },
      settings: { host: '10.0.0.21' },
      reconnectMaxMs: 10_000,
      groups: [],
    });
  },
  (db) => {
    const tag = loadConfig(db)?.devices[0]?.groups[2]?.tags[0];
    expect(tag?.alarms).toEqual([{ name: 'high', above: 80, deadband: 2, delayMs: 0, severity: 'high' }]);
    const store = new AlarmStore(db);
    expect(store.loadStates().get('a1')).toMatchObject({ state: 'active', acked: false, activeSince: 9, value: 81.5 });
    expect(store.history({ device: 'filler1' })).toMatchObject([{ kind: 'active', alarm: 'high', value: 81.5 }]);
  },
  (db) => {
    const kpi = loadConfig(db)?.devices.find((d) => d.name === 'kpi');
    expect(kpi?.groups[0]).toMatchObject({ name: 'derived', trigger: 'interval' });
    expect(kpi?.groups[0]?.tags).toEqual([
      {
        name: 'speed_rpm_x2',
        expression: '{filler1/motor/speed} * 2',
        access: 'read',
        scale: 1,
        offset: 0,
        deadband: 0,
        unit: 'rpm',
      },
      {
        name: 'speed_avg',
        aggregate: { function: 'avg', of: '{filler1/motor/speed}', windowMs: 60000 },
        type: 'float64',
        access: 'read',
        scale: 1,
        offset: 0,
        deadband: 0,
      },
    ]);
  },
];

/** A database at schema version k: migrations 1..k applied the way migrate() does, nothing more. */
function databaseAt(k: number): Db {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  for (let v = 0; v < k; v++) {
    db.exec(migrations[v] as string);
    db.pragma(`user_version = ${v + 1}`);
    SEEDS[v]?.(db);
  }
  return db;
}

beforeAll(async () => {
  passwordHash = await hashPassword(PASSWORD);
});

describe('schema migrations', () => {
  it('has representative rows and checks for every migration', () => {
    expect(SEEDS).toHaveLength(migrations.length);
    expect(CHECKS).toHaveLength(migrations.length);
  });

  for (let k = 0; k <= migrations.length; k++) {
    it(`upgrades a database at schema ${k} to ${migrations.length} and keeps its data`, async () => {
      const db = databaseAt(k);
      try {
        expect(schemaVersion(db)).toBe(k);
        migrate(db);
        expect(schemaVersion(db)).toBe(migrations.length);
        for (let v = 0; v < k; v++) await CHECKS[v]?.(db);
        expect(db.pragma('foreign_key_check')).toEqual([]);
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        // Running it again changes nothing.
        migrate(db);
        expect(schemaVersion(db)).toBe(migrations.length);
      } finally {
        db.close();
      }
    });
  }

  it('refuses a database from a newer tagwire', () => {
    const db = databaseAt(migrations.length);
    try {
      db.pragma(`user_version = ${migrations.length + 1}`);
      expect(() => migrate(db)).toThrow(/newer than this tagwire/);
    } finally {
      db.close();
    }
  });
});
