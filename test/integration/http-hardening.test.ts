/**
 * Hostile request bodies, browser security headers and the modes of the files that hold
 * secrets, over real HTTP and with the real `tagwire start` process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../core/store/db.js';
import { httpCall } from '../helpers/http-client.js';
import { MemoryLog } from '../helpers/memory-log.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

const CLI = fileURLToPath(new URL('../../dist/app/cli.js', import.meta.url));

let gw: TestGateway;
let auth: Record<string, string>;
const log = new MemoryLog();

beforeAll(async () => {
  gw = await startTestGateway(
    { gateway: { id: 'gw-hard' } },
    { listen: true, log: log.logger, users: { admin: ['admin horse battery', 'admin'] } },
  );
  auth = await gw.login('admin', 'admin horse battery');
});

afterAll(async () => {
  await gw?.close();
});

const putConfig = (contentType: string, body: string) =>
  httpCall(gw.base, '/api/v1/config', { method: 'PUT', headers: { ...auth, 'content-type': contentType }, body });

/** A YAML document with `levels` nested block mappings under `gateway` (no flow syntax). */
function deepYaml(levels: number): string {
  const lines = ['gateway:'];
  for (let i = 0; i < levels; i++) lines.push(`${'  '.repeat(i + 1)}k${i}:`);
  lines.push(`${'  '.repeat(levels + 1)}leaf: 1`);
  return `${lines.join('\n')}\n`;
}

/** Nine aliases of nine aliases … : a few hundred bytes that expand to millions of nodes. */
const ALIAS_BOMB = [
  'a: &a ["x","x","x","x","x","x","x","x","x"]',
  ...'bcdefg'.split('').map((name, i) => {
    const prev = 'abcdefg'[i];
    return `${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`;
  }),
].join('\n');

describe('hostile request bodies', () => {
  it('answers 400 with a clear message to JSON nested 100,000 deep, logs it, and changes nothing', async () => {
    const before = (await httpCall(gw.base, '/api/v1/config', { headers: auth })).text;
    const from = log.lines.length;
    const deep = `{"gateway": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    const res = await putConfig('application/json', deep);
    expect(res.status).toBe(400);
    expect(res.json().error).toEqual({
      code: 'invalid-request',
      message: 'the JSON body nests deeper than 64 levels',
      details: [],
    });
    expect(log.messages(from)).toContain('request body refused');
    // Any JSON route: the check is on the body, before a handler walks it.
    const device = await httpCall(gw.base, '/api/v1/devices', { headers: auth, body: deep });
    expect(device.status).toBe(400);
    expect((await httpCall(gw.base, '/api/v1/config', { headers: auth })).text).toBe(before);
  });

  it('answers 400 to a YAML alias bomb and to a YAML alias inside its own anchor, and logs both', async () => {
    const from = log.lines.length;
    const bomb = await putConfig('application/yaml', ALIAS_BOMB);
    expect(bomb.status).toBe(400);
    expect(bomb.json().error).toMatchObject({
      code: 'invalid-config',
      message: 'uploaded file is not a usable YAML document',
      details: ['uploaded file: Excessive alias count indicates a resource exhaustion attack'],
    });
    const self = await putConfig('application/yaml', 'gateway: {id: g}\ndevices: &loop [*loop]\n');
    expect(self.status).toBe(400);
    expect(self.json().error?.details).toEqual([
      'uploaded file: nests deeper than 64 levels (or an alias refers to itself)',
    ]);
    expect(log.messages(from).filter((m) => m === 'configuration upload refused')).toHaveLength(2);
  });

  it('answers 400 to a YAML file nested deeper than 64 levels', async () => {
    const res = await putConfig('application/yaml', deepYaml(200));
    expect(res.status).toBe(400);
    expect(res.json().error?.details).toEqual([
      'uploaded file: nests deeper than 64 levels (or an alias refers to itself)',
    ]);
    // A normal configuration still goes through.
    expect((await putConfig('application/yaml', 'gateway:\n  id: gw-hard\n')).status).toBe(200);
  });
});

describe('browser security headers', () => {
  it('sends X-Frame-Options, a Content-Security-Policy and nosniff on the UI, the API and errors', async () => {
    for (const [path, headers] of [
      ['/', {}],
      ['/healthz', {}],
      ['/api/v1/config', auth],
      ['/api/v1/config', {}],
      ['/no/such/page', {}],
    ] as Array<[string, Record<string, string>]>) {
      const res = await httpCall(gw.base, path, { headers });
      expect(res.headers['x-frame-options'], path).toBe('DENY');
      expect(res.headers['x-content-type-options'], path).toBe('nosniff');
      expect(res.headers['content-security-policy'], path).toContain("frame-ancestors 'none'");
      expect(res.headers['content-security-policy'], path).toContain("script-src 'self'");
    }
  });
});

/** `tagwire start` with the given umask, until it serves HTTP. */
async function startProcess(dataDir: string, umask: string): Promise<{ child: ChildProcess; stop(): Promise<void> }> {
  // The runner's own TAGWIRE_* settings are replaced, never inherited.
  const env = {
    ...process.env,
    TAGWIRE_LOG_FORMAT: 'json',
    TAGWIRE_ADMIN_PASSWORD: 'admin horse battery',
    TAGWIRE_DATA_DIR: dataDir,
    TAGWIRE_HTTP_PORT: '0',
  };
  const child = spawn(
    '/bin/sh',
    ['-c', `umask ${umask}; exec "$0" "$@"`, process.execPath, CLI, 'start', '--no-demo'],
    { env },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start:\n${output}`)), 15_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('web UI and API on')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', () => reject(new Error(`gateway exited:\n${output}`)));
  });
  return {
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

const modeOf = (path: string) => (statSync(path).mode & 0o777).toString(8);

describe('files that hold secrets', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'tagwire-modes-'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('creates the data directory 0700 and tagwire.db, -wal and -shm 0600 under umask 022', async () => {
    const dataDir = join(tmp, 'fresh', 'data');
    const gateway = await startProcess(dataDir, '022');
    try {
      expect(modeOf(dataDir)).toBe('700');
      for (const file of ['tagwire.db', 'tagwire.db-wal', 'tagwire.db-shm']) {
        expect(existsSync(join(dataDir, file)), file).toBe(true);
        expect(modeOf(join(dataDir, file)), file).toBe('600');
      }
    } finally {
      await gateway.stop();
    }
  });

  it('makes an older database readable by others 0600 on the next start', async () => {
    const dataDir = join(tmp, 'older');
    openDb(dataDir).close();
    chmodSync(join(dataDir, 'tagwire.db'), 0o644);
    const gateway = await startProcess(dataDir, '000');
    try {
      for (const file of ['tagwire.db', 'tagwire.db-wal', 'tagwire.db-shm']) {
        expect(modeOf(join(dataDir, file)), file).toBe('600');
      }
    } finally {
      await gateway.stop();
    }
  });
});
