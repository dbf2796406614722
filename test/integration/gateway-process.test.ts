/**
 * The gateway as a user runs it: the built CLI (`node dist/app/cli.js`) as a separate
 * process, the demo PLC from `tagwire simulate modbus` as another, a real mosquitto, and
 * a real MQTT subscriber and HTTP client watching from outside (SPEC §2, §4, §5).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLI, exitWithin, kill, type Proc, ROOT, spawnTagwire } from '../helpers/cli-process.js';
import { freePort, type Mosquitto, startMosquitto } from '../helpers/mosquitto.js';
import { field, MqttCollector } from '../helpers/mqtt-collector.js';

const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const INT64_TEXT = '1234567890123456789';
const ADMIN_PASSWORD = 'process-test-Secret-42';

let broker: Mosquitto;
let simulator: Proc;
let simPort: number;
const procs: Proc[] = [];
const cleanups: Array<() => Promise<void> | void> = [];

function spawnCli(args: string[], env: Record<string, string | undefined> = {}): Proc {
  const proc = spawnTagwire(args, env);
  procs.push(proc);
  return proc;
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tagwire-process-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function subscriber(topics: string | string[]): Promise<MqttCollector> {
  const c = await MqttCollector.connect(broker.url, topics);
  cleanups.push(() => c.close());
  return c;
}

/** A config-as-code file for one device on the simulator and one MQTT north app. */
function writeConfig(dir: string, id: string, uns: string): string {
  const file = join(dir, 'tagwire.yaml');
  writeFileSync(
    file,
    `# config as code
gateway:
  id: ${id}
  uns: ${uns}
  http: { host: 127.0.0.1, port: 8080 }
  broker: { enabled: false }
devices:
  - name: press1
    driver: modbus-tcp
    uns: hall2/press1
    settings: { host: 127.0.0.1, port: ${simPort}, unitId: 1, timeoutMs: 500 }
    groups:
      - name: fast
        intervalMs: 200
        tags:
          - { name: clock, address: "ir:10", type: uint64, unit: ms }
          - { name: counter/total, address: "hr:6", type: int64 }
          - { name: speed, address: "hr:2", type: uint16, access: readwrite }
north:
  - name: plant
    plugin: mqtt
    settings: { url: "${broker.url}", qos: 1, retain: true }
`,
  );
  return file;
}

const READY = /web UI and API on http:\/\//;

beforeAll(async () => {
  // The process tests run what a user runs: the build output (built by test/global-setup.ts).
  broker = await startMosquitto();
  // `tagwire simulate modbus` on a port the OS picks; it prints the port it got. No --host:
  // a simulated PLC listens on loopback unless told otherwise.
  simulator = spawnCli(['simulate', 'modbus', '--port', '0']);
  await simulator.waitForOutput(/listening on 127\.0\.0\.1:\d+/);
  simPort = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(simulator.stdout)?.[1]);
  expect(simPort).toBeGreaterThan(0);
  expect(simulator.stdout).toContain('unit ids 1, 2');
}, 120_000);

afterEach(async () => {
  for (const proc of procs.filter((p) => p !== simulator)) await kill(proc);
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      await cleanup();
    } catch {
      // keep cleaning up the rest
    }
  }
});

afterAll(async () => {
  if (simulator?.running) {
    simulator.child.kill('SIGTERM');
    const { code } = await exitWithin(simulator, 5000).catch(async () => {
      await kill(simulator);
      return { code: -1 };
    });
    expect(code).toBe(0);
  }
  for (const proc of procs) await kill(proc);
  await broker?.stop();
});

describe('tagwire start (process)', () => {
  it('publishes live values and status over MQTT, answers /healthz, and stops cleanly on SIGTERM', async () => {
    const dir = tempDir();
    const id = 'gw-proc1';
    const uns = 'factory/run1';
    const dev = `${uns}/hall2/press1`;
    const gwTopic = `${uns}/_gateway/${id}`;
    const httpPort = await freePort();
    const sub = await subscriber(`${uns}/#`);

    const gw = spawnCli(
      ['start', '--config', writeConfig(dir, id, uns), '--data', join(dir, 'data'), '--http-port', String(httpPort)],
      { TAGWIRE_ADMIN_PASSWORD: ADMIN_PASSWORD },
    );

    const online = await sub.waitForTopic(gwTopic, (m) => field(m, 'online') === true, { timeoutMs: 15_000 });
    expect(online.json).toMatchObject({ online: true, version: VERSION });
    await sub.waitForTopic(`${dev}/_status`, (m) => field(m, 'state') === 'connected');
    const big = await sub.waitForTopic(`${dev}/counter/total`, (m) => field(m, 'quality') === 'good');
    expect(big.text).toMatch(new RegExp(`^\\{"value":${INT64_TEXT},"timestamp":\\d+,"quality":"good"\\}$`));
    expect(await sub.waitForTopic(`${dev}/speed`)).toMatchObject({ json: { value: 1500, quality: 'good' } });
    // Live: the PLC clock moves from one publish to the next, and is close to now.
    const c1 = await sub.waitForTopic(`${dev}/clock`, (m) => field(m, 'quality') === 'good');
    const c2 = await sub.waitFor(
      (m) => m.topic === `${dev}/clock` && (field(m, 'value') as number) > (field(c1, 'value') as number),
      { since: c1.index + 1 },
    );
    expect(Math.abs((field(c2, 'value') as number) - Date.now())).toBeLessThan(5000);

    await gw.waitForOutput(READY);
    const res = await fetch(`http://127.0.0.1:${httpPort}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', version: VERSION });

    // TAGWIRE_LOG_FORMAT=json: every stdout line is one JSON record; the admin password never shows.
    const records = gw.logRecords();
    expect(records.some((r) => r.msg === `configuration replaced from ${join(dir, 'tagwire.yaml')}`)).toBe(true);
    expect(gw.output).not.toContain(ADMIN_PASSWORD);
    expect(existsSync(join(dir, 'data', 'initial-admin-password'))).toBe(false);

    const mark = sub.mark();
    const stoppedAt = Date.now();
    gw.child.kill('SIGTERM');
    const { code, signal } = await exitWithin(gw, 5000);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(Date.now() - stoppedAt).toBeLessThan(5000);
    expect(gw.logRecords().map((r) => r.msg)).toContain('stopped');

    const offline = await sub.waitForTopic(gwTopic, () => true, { since: mark });
    expect(offline.json).toMatchObject({ online: false });
    // Retained: whoever looks later sees the gateway offline.
    const later = await subscriber(gwTopic);
    const retained = await later.waitForTopic(gwTopic);
    expect(retained.retain).toBe(true);
    expect(retained.json).toMatchObject({ online: false });
    // The device is not left "connected": its retained status says the gateway stopped.
    const laterStatus = await subscriber(`${dev}/_status`);
    const status = await laterStatus.waitForTopic(`${dev}/_status`);
    expect(status.json).toMatchObject({ state: 'disconnected', error: 'gateway-stopped' });
  });

  it('publishes the MQTT last will {"online": false} when the process is killed', async () => {
    const dir = tempDir();
    const id = 'gw-proc2';
    const uns = 'factory/run2';
    const gwTopic = `${uns}/_gateway/${id}`;
    const sub = await subscriber(`${uns}/#`);
    const gw = spawnCli(
      [
        'start',
        '--config',
        writeConfig(dir, id, uns),
        '--data',
        join(dir, 'data'),
        '--http-port',
        String(await freePort()),
      ],
      { TAGWIRE_ADMIN_PASSWORD: ADMIN_PASSWORD },
    );
    await sub.waitForTopic(gwTopic, (m) => field(m, 'online') === true, { timeoutMs: 15_000 });
    await sub.waitForTopic(`${uns}/hall2/press1/_status`, (m) => field(m, 'state') === 'connected');

    const mark = sub.mark();
    gw.child.kill('SIGKILL');
    expect(await gw.exited).toEqual({ code: null, signal: 'SIGKILL' });
    // No goodbye was sent; the broker publishes the will when the socket closes.
    const will = await sub.waitForTopic(gwTopic, () => true, { since: mark });
    expect(will.text).toBe('{"online":false}');
    const later = await subscriber(gwTopic);
    const retained = await later.waitForTopic(gwTopic);
    expect(retained.retain).toBe(true);
    expect(retained.text).toBe('{"online":false}');
    // After a crash only the gateway status changes (README): the device keeps its last retained status.
    const deviceStatus = await (await subscriber(`${uns}/hall2/press1/_status`)).waitForTopic(
      `${uns}/hall2/press1/_status`,
    );
    expect(deviceStatus.json).toMatchObject({ state: 'connected' });
  });

  it('creates the admin password once on a first start without TAGWIRE_ADMIN_PASSWORD (--no-demo)', async () => {
    const dir = tempDir();
    const data = join(dir, 'data');
    const args = ['start', '--data', data, '--no-demo', '--http-port', String(await freePort())];

    const first = spawnCli(args, { TAGWIRE_ADMIN_PASSWORD: undefined });
    await first.waitForOutput(READY);
    const file = join(data, 'initial-admin-password');
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const password = readFileSync(file, 'utf8').trim();
    expect(password.length).toBeGreaterThanOrEqual(12);
    // Printed to the log exactly once.
    expect(first.output.split(password).length - 1).toBe(1);
    expect(existsSync(join(data, 'tagwire.db'))).toBe(true);
    // --no-demo: nothing seeded.
    expect(first.output).not.toMatch(/demo seeded/);
    first.child.kill('SIGTERM');
    expect((await exitWithin(first, 5000)).code).toBe(0);
    const mtime = statSync(file).mtimeMs;

    const second = spawnCli(args, { TAGWIRE_ADMIN_PASSWORD: undefined });
    await second.waitForOutput(READY);
    expect(readFileSync(file, 'utf8').trim()).toBe(password);
    expect(statSync(file).mtimeMs).toBe(mtime);
    expect(second.output).not.toContain(password);
    expect(second.output).not.toMatch(/created user/);
    second.child.kill('SIGTERM');
    expect((await exitWithin(second, 5000)).code).toBe(0);

    // The stored configuration is the empty one: no demo devices or north apps.
    const exported = JSON.parse(
      execFileSync(process.execPath, [CLI, 'export', '--data', data, '--format', 'json'], { encoding: 'utf8' }),
    ) as { devices: unknown[]; north: unknown[] };
    expect(exported.devices).toEqual([]);
    expect(exported.north).toEqual([]);
  }, 60_000);

  it('stops with exit 1 and the reason when its HTTP port is taken (--no-demo)', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => taken.close(() => resolve())));
    const port = (taken.address() as AddressInfo).port;
    const dir = tempDir();
    const gw = spawnCli(['start', '--data', join(dir, 'data'), '--no-demo', '--http-port', String(port)], {
      TAGWIRE_ADMIN_PASSWORD: ADMIN_PASSWORD,
    });
    const { code } = await exitWithin(gw, 10_000);
    expect(code).toBe(1);
    expect(gw.output).toMatch(new RegExp(`HTTP port ${port} on \\S+ is already in use`));
  });

  it('refuses an invalid --config with every error as `path: message`, exit 1, and starts nothing', async () => {
    const dir = tempDir();
    const data = join(dir, 'data');
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      `gateway: { id: GW1, uns: acme }
devices:
  - name: _press
    driver: modbus-tcp
    colour: red
    settings: { host: 127.0.0.1, port: 70000 }
    groups: [{ name: fast, tags: [{ name: t, address: "xx:1" }] }]
north: []
`,
    );
    const httpPort = await freePort();
    const gw = spawnCli(['start', '--config', file, '--data', data, '--http-port', String(httpPort)], {
      TAGWIRE_ADMIN_PASSWORD: ADMIN_PASSWORD,
    });
    const { code } = await exitWithin(gw, 10_000);
    expect(code).toBe(1);
    const lines = gw.stderr.split('\n').map((l) => l.trim());
    expect(lines[0]).toBe(`error: ${file} is not a valid configuration`);
    expect(lines).toContain('gateway.id: must be lower-case letters, digits, "_" and "-"');
    expect(lines).toContain('devices[0].colour: unknown key');
    expect(lines).toContain('devices[0].settings.port: must be <= 65535');
    expect(lines.some((l) => l.startsWith('devices[0].name: '))).toBe(true);
    // Every detail line is `path: message`.
    for (const line of lines.slice(1).filter((l) => l !== '')) expect(line).toMatch(/^[\w.[\]]+: \S/);
    // Nothing was started or touched: no data dir, no log output, no HTTP listener.
    expect(gw.stdout).toBe('');
    expect(existsSync(data)).toBe(false);
    await expect(fetch(`http://127.0.0.1:${httpPort}/healthz`)).rejects.toThrow();
  });
});
