/**
 * Operations: backup and restore through the built CLI, `--version`, the runtime log level
 * API, readiness and watchdog messages to systemd, and the unit file.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { builtinRegistry } from '../../app/builtin-plugins.js';
import { validateConfig } from '../../core/config/validate.js';
import { logLevelsOf, managedLogger } from '../../core/log-levels.js';
import { Runtime } from '../../core/runtime.js';
import { saveConfig } from '../../core/store/config-store.js';
import { openDb } from '../../core/store/db.js';
import { migrations } from '../../core/store/migrations.js';
import { createSession } from '../../core/store/sessions.js';
import { authenticate, findUser, setPassword } from '../../core/store/users.js';
import { runModbusSimulator } from '../../simulators/run-modbus.js';
import { build } from '../../web/server/app.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const CLI = join(ROOT, 'dist/app/cli.js');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const PASSWORD = 'backup-test-Secret-42';

let tmp: string;
let n = 0;
const path = (name: string) => join(tmp, `${++n}-${name}`);

function which(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: tmp,
    encoding: 'utf8',
    timeout: 20_000,
    env: { ...process.env, TAGWIRE_LOG_FORMAT: 'json', TAGWIRE_DATA_DIR: join(tmp, 'env-data'), ...env },
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function ok(args: string[]): string {
  const r = cli(args);
  if (r.status !== 0) throw new Error(`tagwire ${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
  return r.stdout;
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'tagwire-ops-'));
}, 120_000);

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe('tagwire --version', () => {
  it('prints the package version', () => {
    expect(ok(['--version']).trim()).toBe(VERSION);
  });
});

const CONFIG_YAML = `
gateway: { id: gw-backup, uns: acme/plant }
devices:
  - name: filler1
    driver: modbus-tcp
    settings: { host: 10.0.0.5, byteOrder: CDAB }
    groups:
      - name: fast
        intervalMs: 500
        tags:
          - { name: motor/speed, address: hr:100, type: float32, unit: rpm, deadband: 0.5 }
          - { name: label, address: hr:200, type: string, length: 10, description: "Größe" }
north:
  - name: plant
    plugin: mqtt
    settings: { url: "mqtt://broker:1883", username: gw, password: "broker-Secret-1" }
`;

/** Files as node-opcua lays them out, with the modes that matter (the private key is 0600). */
const PKI_FILES: Array<{ path: string; mode: number; content: Buffer }> = [
  { path: 'own/private/private_key.pem', mode: 0o600, content: Buffer.from('-----BEGIN PRIVATE KEY-----\nx\n') },
  { path: 'own/certs/client_certificate.pem', mode: 0o644, content: Buffer.from('-----BEGIN CERTIFICATE-----\n') },
  { path: 'trusted/certs/server [1].der', mode: 0o640, content: Buffer.from([0x30, 0x82, 0x00, 0xff, 0x00]) },
];

/** A data directory with configuration, two users, a login session, an API token, spool and PKI. */
async function populatedDataDir(): Promise<{ dir: string; sessionToken: string }> {
  const dir = path('data');
  const db = openDb(dir);
  let sessionToken: string;
  try {
    const valid = validateConfig(parseYaml(CONFIG_YAML), builtinRegistry());
    if (!valid.ok) throw new Error(valid.errors.join('\n'));
    saveConfig(db, valid.config);
    await setPassword(db, 'admin', PASSWORD, 'admin');
    await setPassword(db, 'operator1', `${PASSWORD}-op`, 'operator');
    sessionToken = createSession(db, (findUser(db, 'admin') as { id: number }).id);
    db.prepare(
      `INSERT INTO sessions (token_hash, user_id, kind, name, created_at, expires_at) VALUES ('api-hash', 1, 'api', 'historian', 1, NULL)`,
    ).run();
    const spool = db.prepare(
      'INSERT INTO spool (app, topic, payload, qos, retain, created_at) VALUES (?, ?, ?, 1, 1, ?)',
    );
    for (let i = 0; i < 3; i++) spool.run('plant', `acme/plant/x${i}`, Buffer.from(`{"value":${i}}`), Date.now());
  } finally {
    db.close();
  }
  for (const f of PKI_FILES) {
    const file = join(dir, 'pki', f.path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, f.content);
    chmodSync(file, f.mode);
  }
  return { dir, sessionToken };
}

function writeTemp(name: string, text: string): string {
  const file = path(name);
  writeFileSync(file, text);
  return file;
}

function rows(dir: string, sql: string): unknown[] {
  const db = new Database(join(dir, 'tagwire.db'), { readonly: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
}

// Every test runs the CLI several times (about a second each on a busy box).
describe('backup and restore', { timeout: 90_000 }, () => {
  it('round-trips configuration, users and certificates; login sessions and spool stay behind', async () => {
    const { dir, sessionToken } = await populatedDataDir();
    const backup = path('plant.tagwire-backup');
    expect(ok(['backup', backup, '--data', dir])).toMatch(/1 devices, 1 north apps, 2 users, 3 certificate files/);
    expect(statSync(backup).mode & 0o777).toBe(0o600);
    // VACUUM after deleting: the session's hash is not even in a free page.
    const { createHash } = await import('node:crypto');
    const sessionHash = createHash('sha256').update(sessionToken).digest('hex');
    expect(readFileSync(backup).includes(Buffer.from(sessionHash))).toBe(false);

    const fresh = path('fresh');
    expect(ok(['restore', backup, '--data', fresh])).toMatch(/database and 3 certificate files/);
    expect(ok(['export', '--data', fresh])).toBe(ok(['export', '--data', dir]));
    expect(ok(['export', '--data', fresh, '--format', 'json'])).toContain('broker-Secret-1');

    const db = openDb(fresh);
    try {
      expect(await authenticate(db, 'admin', PASSWORD)).toMatchObject({ username: 'admin', role: 'admin' });
      expect(await authenticate(db, 'operator1', `${PASSWORD}-op`)).toMatchObject({ role: 'operator' });
      expect(db.prepare('SELECT kind, name FROM sessions').all()).toEqual([{ kind: 'api', name: 'historian' }]);
      expect(db.prepare('SELECT COUNT(*) AS n FROM spool').get()).toEqual({ n: 0 });
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE name LIKE 'backup_%'").all();
      expect(tables).toEqual([]);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
    }
    for (const f of PKI_FILES) {
      const file = join(fresh, 'pki', f.path);
      expect(readFileSync(file).equals(f.content), f.path).toBe(true);
      expect(statSync(file).mode & 0o777, f.path).toBe(f.mode);
    }
    expect(statSync(join(fresh, 'tagwire.db')).mode & 0o777).toBe(0o600);
  });

  it('keeps the spool with --with-spool', async () => {
    const { dir } = await populatedDataDir();
    const backup = path('spool.tagwire-backup');
    expect(ok(['backup', backup, '--data', dir, '--with-spool'])).toMatch(/3 spooled messages/);
    const fresh = path('fresh');
    ok(['restore', backup, '--data', fresh]);
    expect(rows(fresh, 'SELECT topic FROM spool ORDER BY id')).toEqual([
      { topic: 'acme/plant/x0' },
      { topic: 'acme/plant/x1' },
      { topic: 'acme/plant/x2' },
    ]);
  });

  it('refuses to restore onto a data directory in use, and changes nothing there', async () => {
    const { dir } = await populatedDataDir();
    const backup = path('b.tagwire-backup');
    ok(['backup', backup, '--data', dir]);
    const before = ok(['export', '--data', dir]);
    const r = cli(['restore', backup, '--data', dir]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/is not empty .*tagwire\.db.*restore needs an empty data directory/);
    expect(ok(['export', '--data', dir])).toBe(before);
    // A leftover certificate folder counts as in use too.
    const pkiOnly = path('pki-only');
    mkdirSync(join(pkiOnly, 'pki', 'own'), { recursive: true });
    expect(cli(['restore', backup, '--data', pkiOnly]).stderr).toMatch(/is not empty/);
  });

  it('refuses what is not a tagwire backup, and a backup from a newer schema', async () => {
    const junk = writeTemp('junk.db', 'not sqlite at all');
    let r = cli(['restore', junk, '--data', path('x')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/is not a tagwire backup/);

    const { dir } = await populatedDataDir();
    r = cli(['restore', join(dir, 'tagwire.db'), '--data', path('x')]);
    expect(r.stderr).toMatch(/is not a tagwire backup/);

    const backup = path('newer.tagwire-backup');
    ok(['backup', backup, '--data', dir]);
    const db = new Database(backup);
    db.pragma(`user_version = ${migrations.length + 1}`);
    db.close();
    const target = path('x');
    r = cli(['restore', backup, '--data', target]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/upgrade tagwire first/);
    expect(existsSync(join(target, 'tagwire.db'))).toBe(false);

    // A crafted file may not write outside the data directory.
    const evil = path('evil.tagwire-backup');
    ok(['backup', evil, '--data', dir]);
    const crafted = new Database(evil);
    crafted.prepare("INSERT INTO backup_files (path, mode, content) VALUES ('../../escaped', 420, x'00')").run();
    crafted.close();
    const victim = path('victim');
    r = cli(['restore', evil, '--data', victim]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/unsafe path/);
    expect(existsSync(join(victim, 'tagwire.db'))).toBe(false);
    expect(existsSync(join(victim, 'pki'))).toBe(false);
    expect(existsSync(join(tmp, 'escaped'))).toBe(false);
  });

  it('migrates a backup made at an older schema', async () => {
    const { dir } = await populatedDataDir();
    const backup = path('old.tagwire-backup');
    ok(['backup', backup, '--data', dir]);
    // Schema 2 had no spool table (migration 3 adds it), no configuration history (migration 4)
    // no reconnect cap on devices (migration 5), no audit trail (migration 6), a byte order column
    // instead of driver fields on tags (migration 8), no models (9), no alarms (10) and no group trigger (11).
    const db = new Database(backup);
    db.exec(`
      DROP TABLE spool; DROP TABLE config_history; ALTER TABLE devices DROP COLUMN reconnect_max_ms; DROP TABLE audit_log;
      ALTER TABLE tags ADD COLUMN byte_order TEXT;
      UPDATE tags SET byte_order = json_extract(fields, '$.byteOrder');
      ALTER TABLE tags DROP COLUMN fields;
      DROP TABLE models; ALTER TABLE devices DROP COLUMN model; ALTER TABLE devices DROP COLUMN params;
      ALTER TABLE tags DROP COLUMN alarms; DROP TABLE alarm_state; DROP TABLE alarm_history;
      ALTER TABLE groups DROP COLUMN "trigger";
    `);
    db.pragma('user_version = 2');
    db.close();
    const fresh = path('fresh');
    ok(['restore', backup, '--data', fresh]);
    expect(rows(fresh, 'PRAGMA user_version')).toEqual([{ user_version: migrations.length }]);
    expect(rows(fresh, 'SELECT COUNT(*) AS n FROM spool')).toEqual([{ n: 0 }]);
    expect(ok(['export', '--data', fresh])).toBe(ok(['export', '--data', dir]));
  });
});

describe('runtime log level (PUT/GET /api/v1/log-level)', () => {
  const lines: Array<Record<string, unknown>> = [];
  let runtime: Runtime;
  let app: FastifyInstance;
  let sim: { port: number; close(): Promise<void> };
  let token: string;
  let db: ReturnType<typeof openDb>;
  let log: pino.Logger;

  const config = (intervalMs: number) => ({
    gateway: { id: 'gw-log' },
    devices: [
      {
        name: 'plc',
        driver: 'modbus-tcp',
        settings: { host: '127.0.0.1', port: sim.port },
        groups: [{ name: 'g', intervalMs, tags: [{ name: 'speed', address: 'hr:2' }] }],
      },
      {
        name: 'other',
        driver: 'modbus-tcp',
        settings: { host: '127.0.0.1', port: sim.port, unitId: 2 },
        groups: [{ name: 'g', intervalMs: 50, tags: [{ name: 'speed', address: 'hr:2' }] }],
      },
    ],
    north: [{ name: 'cloud', plugin: 'mqtt', enabled: false, settings: { url: 'mqtt://127.0.0.1:1' } }],
  });
  const groupReads = (device: string) => lines.filter((l) => l.msg === 'group read' && l.device === device).length;
  const put = (payload: Record<string, unknown>) =>
    app.inject({ method: 'PUT', url: '/api/v1/log-level', payload, headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line));
        done();
      },
    });
    log = managedLogger((onChild) => pino({ level: 'info', onChild }, sink));
    const dir = path('log-data');
    db = openDb(dir);
    await setPassword(db, 'admin', PASSWORD, 'admin');
    sim = await runModbusSimulator({ host: '127.0.0.1', port: 0 });
    const valid = validateConfig(config(50), builtinRegistry());
    if (!valid.ok) throw new Error(valid.errors.join('\n'));
    runtime = new Runtime({ db, dataDir: dir, registry: builtinRegistry(), log, version: 't' });
    await runtime.start(valid.config);
    app = await build({ runtime, db, log, version: 't' });
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'admin', password: PASSWORD },
    });
    token = login.json().token;
  });

  afterAll(async () => {
    await app?.close();
    await runtime?.stop();
    await sim?.close();
    db?.close();
  });

  it('raises one device to debug and reverts by itself', async () => {
    await new Promise((r) => setTimeout(r, 300));
    expect(groupReads('plc')).toBe(0);
    const res = await put({ target: 'device:plc', level: 'debug', revertAfterSeconds: 1 });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ target: 'device:plc', level: 'debug' });
    expect(res.json().revertsAt - res.json().setAt).toBe(1000);
    const list = await app.inject({
      method: 'GET',
      url: '/api/v1/log-level',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(list.json()).toMatchObject([{ target: 'device:plc', level: 'debug' }]);

    await vi.waitFor(() => expect(groupReads('plc')).toBeGreaterThan(3), { timeout: 2000 });
    // Only that device: the other one on the same link stays at info.
    expect(groupReads('other')).toBe(0);
    await vi.waitFor(
      async () => {
        const after = await app.inject({
          method: 'GET',
          url: '/api/v1/log-level',
          headers: { authorization: `Bearer ${token}` },
        });
        expect(after.json()).toEqual([]);
      },
      { timeout: 3000, interval: 100 },
    );
    expect(lines.some((l) => l.msg === 'log level reverted' && l.target === 'device:plc')).toBe(true);
    const settled = groupReads('plc');
    await new Promise((r) => setTimeout(r, 300));
    expect(groupReads('plc')).toBe(settled);
  });

  it('keeps a raised level when the device is restarted by a configuration change', async () => {
    expect((await put({ target: 'device:plc', level: 'debug' })).json().revertsAt).toBeGreaterThan(
      Date.now() + 590_000,
    );
    // A connection setting changes: the device restarts (a change to its groups alone would not).
    const changed = config(60);
    const devices: unknown[] = changed.devices.map((d) =>
      d.name === 'plc' ? { ...d, settings: { ...d.settings, timeoutMs: 1500 } } : d,
    );
    expect((await runtime.applyConfig({ ...changed, devices })).devices).toEqual(['plc']);
    const before = groupReads('plc');
    await vi.waitFor(() => expect(groupReads('plc')).toBeGreaterThan(before + 3), { timeout: 2000 });
    expect(logLevelsOf(log)?.revert('device:plc')).toBe(true);
  });

  it('takes north apps and the gateway, and refuses unknown targets and levels', async () => {
    expect((await put({ target: 'north:cloud', level: 'trace', revertAfterSeconds: 5 })).statusCode).toBe(200);
    expect((await put({ target: 'gateway', level: 'warn', revertAfterSeconds: 5 })).statusCode).toBe(200);
    expect((await put({ target: 'device:nope', level: 'debug' })).statusCode).toBe(404);
    expect((await put({ target: 'north:nope', level: 'debug' })).statusCode).toBe(404);
    expect((await put({ target: 'plc', level: 'debug' })).statusCode).toBe(400);
    expect((await put({ target: 'device:plc', level: 'verbose' })).statusCode).toBe(400);
    expect((await put({ target: 'device:plc', level: 'debug', revertAfterSeconds: 0 })).statusCode).toBe(400);
    const anonymous = await app.inject({
      method: 'PUT',
      url: '/api/v1/log-level',
      payload: { target: 'gateway', level: 'debug' },
    });
    expect(anonymous.statusCode).toBe(401);
    await setPassword(db, 'watcher', PASSWORD, 'viewer');
    const viewer = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'watcher', password: PASSWORD },
    });
    const forbidden = await app.inject({
      method: 'PUT',
      url: '/api/v1/log-level',
      payload: { target: 'gateway', level: 'debug' },
      headers: { authorization: `Bearer ${viewer.json().token}` },
    });
    expect(forbidden.statusCode).toBe(403);
    const levels = logLevelsOf(log);
    expect(levels?.currentLevel('gateway')).toBe('warn');
    levels?.revert('gateway');
    levels?.revert('north:cloud');
    expect(levels?.currentLevel('gateway')).toBe('info');
  });
});

/** A started gateway process with its output. */
class Gateway {
  output = '';
  readonly exited: Promise<number | null>;

  constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (c: Buffer) => {
      this.output += c.toString();
    });
    child.stderr?.on('data', (c: Buffer) => {
      this.output += c.toString();
    });
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  async waitFor(re: RegExp, timeoutMs = 15_000): Promise<void> {
    await vi.waitFor(() => expect(this.output).toMatch(re), { timeout: timeoutMs, interval: 50 });
  }

  /** Time (ms) of the first JSON log line whose message matches. */
  logTime(re: RegExp): number | undefined {
    for (const line of this.output.split('\n')) {
      if (!line.startsWith('{')) continue;
      const record = JSON.parse(line) as { msg?: string; time?: number };
      if (record.msg && re.test(record.msg)) return record.time;
    }
    return undefined;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }
}

function startGateway(env: Record<string, string>): Gateway {
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    TAGWIRE_LOG_FORMAT: 'json',
    TAGWIRE_ADMIN_PASSWORD: PASSWORD,
    ...env,
  };
  delete childEnv.NOTIFY_SOCKET;
  delete childEnv.WATCHDOG_USEC;
  Object.assign(childEnv, env);
  const args = [CLI, 'start', '--data', path('gw-data'), '--http-port', '0', '--no-demo'];
  return new Gateway(spawn(process.execPath, args, { cwd: tmp, env: childEnv }));
}

describe('systemd readiness and watchdog', { timeout: 60_000 }, () => {
  /** A stand-in `systemd-notify` on PATH that records how it was called. */
  function fakeNotify(): { bin: string; record: string } {
    const bin = path('bin');
    mkdirSync(bin);
    const record = path('notify.log');
    writeFileSync(
      join(bin, 'systemd-notify'),
      `#!/bin/sh\necho "$(date +%s%3N) NOTIFY_SOCKET=$NOTIFY_SOCKET $*" >> "${record}"\n`,
      { mode: 0o755 },
    );
    return { bin, record };
  }

  it('runs nothing when NOTIFY_SOCKET is not set', async () => {
    const { bin, record } = fakeNotify();
    const gw = startGateway({ PATH: `${bin}:${process.env.PATH}`, WATCHDOG_USEC: '1500000' });
    try {
      await gw.waitFor(/web UI and API on/);
      await new Promise((r) => setTimeout(r, 1500));
      expect(existsSync(record)).toBe(false);
    } finally {
      await gw.stop();
    }
  });

  it('reports ready after HTTP is up, then pings the watchdog, when NOTIFY_SOCKET is set', async () => {
    const { bin, record } = fakeNotify();
    const gw = startGateway({
      PATH: `${bin}:${process.env.PATH}`,
      NOTIFY_SOCKET: '/run/fake/notify',
      WATCHDOG_USEC: '1500000',
    });
    try {
      await gw.waitFor(/web UI and API on/);
      await vi.waitFor(() => expect(existsSync(record) && readFileSync(record, 'utf8')).toMatch(/WATCHDOG=1/), {
        timeout: 5000,
      });
      const calls = readFileSync(record, 'utf8').trim().split('\n');
      expect(calls[0]).toMatch(
        new RegExp(`NOTIFY_SOCKET=/run/fake/notify --ready --status=tagwire ${VERSION} running$`),
      );
      const readyAt = Number(calls[0]?.split(' ')[0]);
      expect(readyAt).toBeGreaterThanOrEqual(gw.logTime(/web UI and API on/) as number);
      expect(calls.slice(1).every((c) => c.endsWith('WATCHDOG=1'))).toBe(true);
    } finally {
      await gw.stop();
    }
  });

  it.skipIf(!which('systemd-notify') || !which('socat'))(
    'delivers READY=1 to the notify socket through the real systemd-notify',
    async () => {
      const socket = join(tmp, 'notify.sock');
      // systemd-notify waits for a reply systemd would send; socat never does, so it runs briefly.
      const receiver = spawn('socat', ['-u', `UNIX-RECV:${socket}`, 'STDOUT']);
      let received = '';
      receiver.stdout.on('data', (c: Buffer) => {
        received += c.toString();
      });
      await vi.waitFor(() => expect(existsSync(socket)).toBe(true), { timeout: 3000 });
      const gw = startGateway({ NOTIFY_SOCKET: socket });
      try {
        await vi.waitFor(() => expect(received).toContain('READY=1'), { timeout: 15_000 });
        expect(received).toContain(`STATUS=tagwire ${VERSION} running`);
      } finally {
        await gw.stop();
        receiver.kill('SIGTERM');
      }
    },
  );
});

describe('systemd unit', () => {
  it.skipIf(!which('systemd-analyze'))('passes systemd-analyze verify', () => {
    const r = spawnSync('systemd-analyze', ['verify', join(ROOT, 'systemd/tagwire.service')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  });
});
