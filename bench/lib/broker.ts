/**
 * The MQTT broker of a bench run: mosquitto with a temporary configuration when it is on the
 * PATH, otherwise tagwire's embedded broker (aedes) in a process of its own.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killOnExit } from './cleanup.js';
import { freePort, LOOPBACK, waitForPort } from './net.js';
import { Peer } from './peer.js';

export interface Broker {
  kind: 'mosquitto' | 'aedes';
  version: string;
  url: string;
  pid: number;
  stop(): Promise<void>;
}

function mosquittoVersion(): string | undefined {
  const probe = spawnSync('mosquitto', ['-h'], { encoding: 'utf8' });
  if (probe.error) return undefined;
  return /mosquitto version (\S+)/.exec(probe.stdout + probe.stderr)?.[1] ?? 'unknown';
}

async function startMosquitto(version: string): Promise<Broker> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'tagwire-bench-mosquitto-'));
  const conf = join(dir, 'mosquitto.conf');
  // Queues large enough that the broker, not a default limit, decides what a slow subscriber gets.
  writeFileSync(
    conf,
    [
      `listener ${port} ${LOOPBACK}`,
      'allow_anonymous true',
      'persistence false',
      'max_queued_messages 1000000',
      'max_inflight_messages 0',
      'log_type error',
      // As EMQX and HiveMQ do by default: a message goes out now, not behind the subscriber's delayed ACK.
      'set_tcp_nodelay true',
      '',
    ].join('\n'),
  );
  const proc: ChildProcess = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' });
  killOnExit(proc);
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  await waitForPort(port, 5000, 'mosquitto');
  return {
    kind: 'mosquitto',
    version,
    url: `mqtt://${LOOPBACK}:${port}`,
    pid: proc.pid ?? 0,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function startAedes(): Promise<Broker> {
  const script = new URL('../peers/aedes-broker.js', import.meta.url);
  const { peer, info } = await Peer.start<{ port: number }>('aedes', script, []);
  return {
    kind: 'aedes',
    version: 'embedded',
    url: `mqtt://${LOOPBACK}:${info.port}`,
    pid: peer.pid,
    stop: () => peer.stop(),
  };
}

export async function startBroker(): Promise<Broker> {
  const version = mosquittoVersion();
  return version ? startMosquitto(version) : startAedes();
}
