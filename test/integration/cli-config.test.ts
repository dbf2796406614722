import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { builtinRegistry } from '../../app/builtin-plugins.js';
import { validateConfig } from '../../core/config/validate.js';
import { openDb } from '../../core/store/db.js';
import { authenticate, countUsers } from '../../core/store/users.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = join(ROOT, 'dist/app/cli.js');

let tmp: string;
let n = 0;

/** A fresh, not yet existing data directory. */
function dataDir(): string {
  return join(tmp, `data-${++n}`);
}

function file(name: string, text: string): string {
  const path = join(tmp, `${++n}-${name}`);
  writeFileSync(path, text);
  return path;
}

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], opts: { input?: string; env?: Record<string, string> } = {}): Result {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: tmp,
    encoding: 'utf8',
    input: opts.input ?? '',
    timeout: 15_000,
    env: { ...process.env, TAGWIRE_LOG_FORMAT: 'json', TAGWIRE_DATA_DIR: join(tmp, 'env-data'), ...opts.env },
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a command that must succeed and returns its standard output. */
function ok(args: string[], opts: { input?: string } = {}): string {
  const r = cli(args, opts);
  if (r.status !== 0) throw new Error(`tagwire ${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
  return r.stdout;
}

const GOOD_YAML = `# SPEC §3 example, adapted
gateway:
  id: gw1
  uns: acme/dallas
devices:
  - name: filler1
    driver: modbus-tcp
    uns: packaging/line3/filler1
    settings: { host: 10.0.0.5, port: 502, unitId: 1 }
    groups:
      - name: fast
        intervalMs: 1000
        tags:
          - name: motor/speed
            address: hr:100
            type: float32
            unit: rpm
            description: "Main drive: speed"
          - { name: temp, address: "40011", type: int16, scale: 0.1, offset: -40, unit: "°C" }
          - { name: label, address: "hr:200", type: string, length: 10 }
          - { name: "yes", address: "coil:1" }
          - { name: "007", address: "ir:7" }
  - name: spare
    driver: modbus-tcp
    enabled: false
    settings: { host: 10.0.0.6 }
north:
  - name: plant-broker
    plugin: mqtt
    devices: [filler1]
    settings: { url: "mqtt://broker:1883", username: "user: x", password: "# not a comment" }
`;

const OTHER_JSON = JSON.stringify({
  gateway: { id: 'gw2', uns: '' },
  devices: [
    {
      name: 'press',
      driver: 'modbus-tcp',
      settings: { host: '192.168.0.10', byteOrder: 'DCBA' },
      groups: [{ name: 'g', publish: 'always', tags: [{ name: 'count', address: 'hr:0', type: 'uint64' }] }],
    },
  ],
  north: [],
});

/** Several problems at once; each line is asserted. */
const BAD_YAML = `gateway:
  id: gw1
  colour: red
devices:
  - name: filler1
    driver: modbus-tcp
    settings: { host: 10.0.0.5 }
    groups:
      - name: fast
        intervalMs: fast
        tags:
          - { name: a, address: "hr:70000" }
          - { name: b, address: "hr:1.16" }
          - { name: c, address: "coil:5", type: float32 }
          - { name: a, address: "hr:3" }
  - name: filler1
    driver: profibus
north:
  - name: n
    plugin: mqtt
    devices: [ghost]
    settings: { url: "mqtt://b" }
`;
const BAD_LINES = [
  'gateway.colour: unknown key',
  'devices[0].groups[0].intervalMs: must be an integer',
  'devices[0].groups[0].tags[0].address: hr:70000: register number must be 0..65535',
  'devices[0].groups[0].tags[1].address: hr:1.16: bit must be 0..15',
  'devices[0].groups[0].tags[2].type: coil:5 is a single bit; use type bool',
  'devices[0].groups[0].tags[3].name: duplicate tag name in this device "a" (also at devices[0].groups[0].tags[0].name)',
  'devices[1].name: duplicate device name "filler1" (also at devices[0].name)',
  'devices[1].driver: driver "profibus" is not available in this version (available: modbus-tcp, modbus-rtu, modbus-rtu-tcp, opcua, s7, compute)',
  'north[0].devices[0]: no device named "ghost"',
];

/** The `path: message` lines of an error report (indented under the `error:` line). */
function detailLines(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((l) => l.startsWith('  '))
    .map((l) => l.trim());
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'tagwire-cli-'));
}, 120_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('tagwire validate', () => {
  it('exits 0 and says valid for a good file, without creating any store', () => {
    const path = file('good.yaml', GOOD_YAML);
    const r = cli(['validate', path]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${path}: valid (2 devices, 5 tags, 1 north apps)\n`);
    expect(existsSync(join(tmp, 'env-data'))).toBe(false);
    expect(existsSync(join(tmp, 'data'))).toBe(false);
  });

  it('exits 1 and prints every error as path: message', () => {
    const path = file('bad.yaml', BAD_YAML);
    const r = cli(['validate', path]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')[0]).toBe(`error: ${path} is not a valid configuration`);
    expect(detailLines(r.stderr)).toEqual(expect.arrayContaining(BAD_LINES));
    expect(existsSync(join(tmp, 'env-data'))).toBe(false);
  });

  it('reports a YAML syntax error with file and line', () => {
    const path = file('syntax.yaml', 'gateway:\n  id: gw1\n  uns: [acme\ndevices: []\n');
    const r = cli(['validate', path]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`error: ${path} is not valid YAML/JSON`);
    const lines = detailLines(r.stderr);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => l.startsWith(`${path}:`))).toBe(true);
    expect(lines[0]).toMatch(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: `));
  });

  it('reports a JSON syntax error with its line', () => {
    const path = file('syntax.json', '{\n  "gateway": {"id": "gw1",},\n  "devices": [\n}\n');
    const r = cli(['validate', path]);
    expect(r.status).toBe(1);
    expect(detailLines(r.stderr)[0]).toMatch(/:\d+:\d+: /);
  });

  it('reports a duplicate key as an error', () => {
    const path = file('dupkey.yaml', 'gateway:\n  id: gw1\n  id: gw2\n');
    const r = cli(['validate', path]);
    expect(r.status).toBe(1);
    expect(detailLines(r.stderr)[0]).toMatch(/:3:\d+: /);
  });

  it('reports a missing file', () => {
    const path = join(tmp, 'does-not-exist.yaml');
    const r = cli(['validate', path]);
    expect(r.status).toBe(1);
    expect(detailLines(r.stderr)).toEqual([`${path}: no such file`]);
  });
});

describe('tagwire import / export', () => {
  it('export of an import re-imports as a no-op (YAML)', () => {
    const data = dataDir();
    const path = file('good.yaml', GOOD_YAML);
    expect(ok(['import', path, '--data', data])).toBe(`imported ${path}: 2 devices, 1 north apps\n`);

    const first = ok(['export', '--data', data, '--format', 'yaml']);
    expect(ok(['export', '--data', data])).toBe(first); // yaml is the default
    // Defaults are shown; the export is the validated config.
    const expected = validateConfig(parseYaml(GOOD_YAML), builtinRegistry());
    if (!expected.ok) throw new Error(expected.errors.join('\n'));
    expect(parseYaml(first)).toEqual(expected.config);
    expect(first).toContain('heartbeatMs: 60000');
    expect(first).toContain('unit: °C');

    ok(['import', file('export1.yaml', first), '--data', data]);
    const second = ok(['export', '--data', data, '--format', 'yaml']);
    expect(second).toBe(first);
  });

  it('export of an import re-imports as a no-op (JSON), and YAML and JSON exports agree', () => {
    const data = dataDir();
    ok(['import', file('other.json', OTHER_JSON), '--data', data]);
    const json1 = ok(['export', '--data', data, '--format', 'json']);
    const yaml1 = ok(['export', '--data', data]);
    expect(JSON.parse(json1)).toEqual(parseYaml(yaml1));
    expect(JSON.parse(json1).devices[0].settings.byteOrder).toBe('DCBA');

    ok(['import', file('export1.json', json1), '--data', data]);
    expect(ok(['export', '--data', data, '--format', 'json'])).toBe(json1);
    expect(ok(['export', '--data', data])).toBe(yaml1);
  });

  it('an invalid import changes nothing and reports every error', () => {
    const data = dataDir();
    ok(['import', file('good.yaml', GOOD_YAML), '--data', data]);
    const before = ok(['export', '--data', data]);
    const dbFile = join(data, 'tagwire.db');
    const dbBefore = readFileSync(dbFile);

    const bad = file('bad.yaml', BAD_YAML);
    const r = cli(['import', bad, '--data', data]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')[0]).toBe(`error: ${bad} is not a valid configuration`);
    expect(detailLines(r.stderr)).toEqual(expect.arrayContaining(BAD_LINES));

    expect(readFileSync(dbFile).equals(dbBefore)).toBe(true);
    expect(ok(['export', '--data', data])).toBe(before);
  });

  it('refuses a file holding ******** where a secret belongs (saved from the API), changing nothing', () => {
    const data = dataDir();
    ok(['import', file('good.yaml', GOOD_YAML), '--data', data]);
    const before = ok(['export', '--data', data]);
    const redacted = GOOD_YAML.replace('"mqtt://broker:1883"', '"mqtt://********@broker:1883"').replace(
      '"# not a comment"',
      '"********"',
    );
    const path = file('from-api.yaml', redacted);
    const r = cli(['import', path, '--data', data]);
    expect(r.status).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe(`error: ${path} is not a valid configuration`);
    expect(detailLines(r.stderr)).toEqual([
      'north[0].settings.url: "********" stands for a secret the API hides; put the real value in the file (or upload the file through the API, which keeps the stored one)',
      'north[0].settings.password: "********" stands for a secret the API hides; put the real value in the file (or upload the file through the API, which keeps the stored one)',
    ]);
    expect(ok(['export', '--data', data])).toBe(before);
  });

  it('an import with a syntax error changes nothing', () => {
    const data = dataDir();
    ok(['import', file('other.json', OTHER_JSON), '--data', data]);
    const before = ok(['export', '--data', data, '--format', 'json']);
    const path = file('syntax.yaml', 'gateway:\n  id: gw9\ndevices: [\n');
    const r = cli(['import', path, '--data', data]);
    expect(r.status).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe(`error: ${path} is not valid YAML/JSON`);
    expect(ok(['export', '--data', data, '--format', 'json'])).toBe(before);
  });

  it('an invalid import into an empty data directory creates nothing', () => {
    const data = dataDir();
    const r = cli(['import', file('bad.yaml', BAD_YAML), '--data', data]);
    expect(r.status).toBe(1);
    expect(existsSync(data)).toBe(false);
  });

  it('export before any configuration exits 1 with a hint', () => {
    const data = dataDir();
    const r = cli(['export', '--data', data]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('no configuration stored yet');
  });

  it('refuses an unknown export format', () => {
    const data = dataDir();
    ok(['import', file('other.json', OTHER_JSON), '--data', data]);
    const r = cli(['export', '--data', data, '--format', 'xml']);
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('xml');
  });

  it('uses TAGWIRE_DATA_DIR when --data is not given, and --data wins over it', () => {
    const envData = dataDir();
    const flagData = dataDir();
    const env = { TAGWIRE_DATA_DIR: envData };
    expect(cli(['import', file('other.json', OTHER_JSON)], { env }).status).toBe(0);
    expect(existsSync(join(envData, 'tagwire.db'))).toBe(true);
    expect(cli(['import', file('good.yaml', GOOD_YAML), '--data', flagData], { env }).status).toBe(0);
    expect(cli(['export', '--format', 'json'], { env }).stdout).toContain('"id": "gw2"');
    expect(cli(['export', '--format', 'json', '--data', flagData], { env }).stdout).toContain('"id": "gw1"');
  });
});

describe('tagwire passwd', () => {
  it('creates the user from the password on standard input, then changes it', async () => {
    const data = dataDir();
    const created = cli(['passwd', 'admin', '--data', data], { input: 'first-secret-pw\n' });
    expect(created.status).toBe(0);
    expect(created.stdout).toBe('user admin created (admin)\n');
    expect(created.stdout + created.stderr).not.toContain('first-secret-pw');

    const changed = cli(['passwd', 'admin', '--data', data], { input: 'second-secret-pw\r\nignored line\n' });
    expect(changed.status).toBe(0);
    expect(changed.stdout).toBe('password of admin changed; 0 sessions and API tokens of admin ended\n');

    const db = openDb(data);
    try {
      expect(countUsers(db)).toBe(1);
      expect(await authenticate(db, 'admin', 'first-secret-pw')).toBeUndefined();
      expect(await authenticate(db, 'admin', 'second-secret-pw')).toMatchObject({ username: 'admin', role: 'admin' });
    } finally {
      db.close();
    }
  });

  it('refuses a password shorter than 8 characters', () => {
    const data = dataDir();
    const r = cli(['passwd', 'admin', '--data', data], { input: 'short\n' });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('error: password: must be at least 8 characters\n');
    if (existsSync(join(data, 'tagwire.db'))) {
      const db = openDb(data);
      try {
        expect(countUsers(db)).toBe(0);
      } finally {
        db.close();
      }
    }
    expect(cli(['passwd', 'admin', '--data', data], { input: '' }).status).toBe(1);
  });
});

describe('tagwire', () => {
  it('--version prints the package version', () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(ok(['--version'])).toBe(`${version}\n`);
  });

  it('an unknown command exits non-zero and names it', () => {
    const r = cli(['frobnicate']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
  });
});
