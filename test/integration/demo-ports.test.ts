/**
 * The demo never points at a stranger: with 127.0.0.1:1883 and :5020 taken by another
 * program, a first start picks free ports for its broker and simulated PLC; a later start
 * that finds its own demo port taken disables the demo device (logged and in the history)
 * instead of polling whatever listens there. Runs the built CLI as a user does.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultClientId } from '../../northbound/mqtt-session/connection.js';
import { CLI, exitWithin, kill, type Proc, spawnTagwire } from '../helpers/cli-process.js';
import { freePort } from '../helpers/mosquitto.js';

const READY = /web UI and API on http:\/\//;
const ADMIN_PASSWORD = 'demo-ports-Secret-42';

interface Exported {
  gateway: { broker: { port: number } };
  devices: Array<{ name: string; enabled: boolean; settings: { port: number } }>;
  north: Array<{ name: string; enabled: boolean; settings: { url: string } }>;
}

/** Holds host:port for the test; a port something else already holds counts as taken too. */
async function occupy(port: number): Promise<Server | undefined> {
  const server = createServer((socket) => socket.destroy());
  return new Promise((resolve) => {
    server.once('error', () => resolve(undefined));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => resolve(server));
  });
}

const held: Server[] = [];
const procs: Proc[] = [];
let dir: string;

function exported(data: string): Exported {
  return JSON.parse(
    execFileSync(process.execPath, [CLI, 'export', '--data', data, '--format', 'json'], { encoding: 'utf8' }),
  ) as Exported;
}

async function start(data: string): Promise<Proc> {
  const gw = spawnTagwire(['start', '--data', data, '--http-port', String(await freePort())], {
    TAGWIRE_ADMIN_PASSWORD: ADMIN_PASSWORD,
  });
  procs.push(gw);
  await gw.waitForOutput(READY, 20_000);
  return gw;
}

async function stop(gw: Proc): Promise<void> {
  gw.child.kill('SIGTERM');
  expect((await exitWithin(gw, 8000)).code).toBe(0);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tagwire-demo-ports-'));
});

afterAll(async () => {
  for (const p of procs) await kill(p);
  for (const s of held) await new Promise<void>((resolve) => s.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

describe('demo ports', () => {
  it('picks free ports on a first start when 1883 and 5020 are taken, and its device polls its own PLC', async () => {
    for (const port of [1883, 5020]) {
      const server = await occupy(port);
      if (server) held.push(server);
    }
    const data = join(dir, 'first');
    const gw = await start(data);
    await gw.waitForOutput(/"device":"sim-plc".*"msg":"connected"/, 10_000);
    expect(gw.output).toMatch(/127\.0\.0\.1:1883 is taken by another program; the demo MQTT broker uses port \d+/);
    expect(gw.output).toMatch(/127\.0\.0\.1:5020 is taken by another program; the demo simulated PLC uses port \d+/);
    await gw.waitForOutput(/"north":"local-broker".*connected to mqtt:\/\/127\.0\.0\.1:\d+/, 10_000);
    await stop(gw);

    const config = exported(data);
    const device = config.devices.find((d) => d.name === 'sim-plc');
    expect(device?.settings.port).not.toBe(5020);
    expect(config.gateway.broker.port).not.toBe(1883);
    expect(config.north[0]?.settings.url).toBe(`mqtt://127.0.0.1:${config.gateway.broker.port}`);
  }, 60_000);

  it('disables the demo device, saying why, when its PLC port is taken on a later start', async () => {
    const data = join(dir, 'later');
    const first = await start(data);
    await first.waitForOutput(/"device":"sim-plc".*"msg":"connected"/, 10_000);
    await stop(first);
    const simulatorPort = exported(data).devices[0]?.settings.port ?? 0;
    const server = await occupy(simulatorPort);
    if (server) held.push(server);

    const second = await start(data);
    expect(second.output).toContain(`127.0.0.1:${simulatorPort} is taken by another program, so sim-plc was disabled`);
    expect(second.output).not.toMatch(/"device":"sim-plc".*"msg":"connected"/);
    await stop(second);
    expect(exported(data).devices[0]?.enabled).toBe(false);
  }, 60_000);

  it('gives each data directory its own MQTT client id', () => {
    const gateway = { id: 'gw1' } as Parameters<typeof defaultClientId>[0]['gateway'];
    const app = { name: 'local-broker' } as Parameters<typeof defaultClientId>[0]['app'];
    const a = defaultClientId({ gateway, app, dataDir: '/var/lib/tagwire-a' });
    const b = defaultClientId({ gateway, app, dataDir: '/var/lib/tagwire-b' });
    expect(a).toMatch(/^tagwire-gw1-local-broker-[0-9a-f]{6}$/);
    expect(b).not.toBe(a);
    expect(defaultClientId({ gateway, app, dataDir: '/var/lib/tagwire-a/' })).toBe(a);
  });
});
