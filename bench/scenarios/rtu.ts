/**
 * Modbus RTU (issue 3) on a socat pty pair: the plain modbus-serial RTU client's requests/s,
 * tagwire's requests/s on the same line, and fairness — three units on one line, one of them
 * silent: how many of their due reads the live units get.
 *
 * A pty moves bytes at memory speed whatever the baud rate, so these figures show the
 * software's own cost per transaction; `lineLimit` gives what a real line at that baud allows.
 */
import { type Env, peerScript } from '../env.js';
import { GatewayProcess, type GatewayStatus } from '../lib/gateway-process.js';
import { LOOPBACK, sleep } from '../lib/net.js';
import { Peer } from '../lib/peer.js';
import { openPty, type Pty } from '../lib/pty.js';
import type { LoopResult } from '../lib/read-loop.js';
import { round } from '../lib/watch.js';
import { blocks } from './limits.js';

export const RTU_BAUD = 115_200;
const REGISTERS = 500;

export interface RtuTiming {
  limitMs: number;
  measureMs: number;
  fairnessMs: number;
}

export interface RtuResult {
  baudRate: number;
  registersPerRequest: number;
  plainClient: { requestsPerSecond: number; registersPerSecond: number };
  tagwire: { requestsPerSecond: number; registersPerSecond: number; utilisation: number; overruns: number };
  /** Requests/s a real line at this baud would carry (8N1, 125-register reads, 3.5-character gaps). */
  lineLimit: Record<string, number>;
  fairness: {
    intervalMs: number;
    duePerSecond: number;
    live: Array<{ device: string; readsPerSecond: number; ofDue: number }>;
    dead: { device: string; state: string; readsPerSecond: number };
    linkTimeoutsPerSecond: number;
  };
}

/** Requests/s of 125-register reads on a real serial line (10 bits per character). */
export function lineLimit(baud: number, registers = 125): number {
  const charMs = (10 * 1000) / baud;
  const gapMs = baud > 19_200 ? 1.75 : 3.5 * charMs;
  const transaction = (8 + 5 + 2 * registers) * charMs + 2 * gapMs;
  return round(1000 / transaction, 1);
}

/** A unit with `groups` groups of `tags` uint16 registers each, back to back from hr:0. */
function rtuDevice(name: string, path: string, unitId: number, groups: number, tags: number, intervalMs: number) {
  return {
    name,
    driver: 'modbus-rtu',
    settings: { port: path, baudRate: RTU_BAUD, unitId, timeoutMs: 150, retries: 0 },
    groups: Array.from({ length: groups }, (_, g) => ({
      name: `g${g}`,
      intervalMs,
      publish: 'always',
      tags: Array.from({ length: tags }, (_, i) => ({
        name: `g${g}/t${i}`,
        address: `hr:${g * tags + i}`,
        type: 'uint16',
      })),
    })),
  };
}

function rtuConfig(devices: unknown[]): unknown {
  return { gateway: { id: 'bench', uns: 'bench/rtu', http: { host: LOOPBACK, port: 0 } }, devices, north: [] };
}

function device(status: GatewayStatus, name: string) {
  const d = status.devices.find((x) => x.name === name);
  if (!d) throw new Error(`no device ${name} in the status`);
  return d;
}

async function plainClient(pty: Pty, durationMs: number): Promise<RtuResult['plainClient']> {
  const { peer } = await Peer.start<unknown>('rtu-client', peerScript('rtu-client'), []);
  try {
    const r = await peer.call<LoopResult & { seconds: number }>(
      'run',
      { path: pty.gatewaySide, baudRate: RTU_BAUD, unitId: 1, blocks: blocks(REGISTERS), durationMs },
      durationMs + 30_000,
    );
    return { requestsPerSecond: round(r.requests / r.seconds), registersPerSecond: round(r.registers / r.seconds) };
  } finally {
    await peer.stop();
  }
}

/**
 * One unit, four groups of 125 registers (a request each), each due every 10 ms: more than the
 * line carries, so a request is always waiting and the line never idles for want of work.
 */
async function tagwireLine(pty: Pty, measureMs: number): Promise<RtuResult['tagwire']> {
  const { gateway } = await GatewayProcess.start(rtuConfig([rtuDevice('u1', pty.gatewaySide, 1, 4, 125, 10)]));
  try {
    await sleep(1500);
    const a = device(await gateway.status(), 'u1');
    const t0 = performance.now();
    await sleep(measureMs);
    const b = device(await gateway.status(), 'u1');
    const seconds = (performance.now() - t0) / 1000;
    const requests = (b.link?.link?.requests ?? 0) - (a.link?.link?.requests ?? 0);
    const bytes = (b.link?.link?.bytesIn ?? 0) - (a.link?.link?.bytesIn ?? 0);
    return {
      requestsPerSecond: round(requests / seconds),
      registersPerSecond: round((bytes - 5 * requests) / 2 / seconds),
      utilisation: round(b.link?.link?.utilisation ?? Number.NaN, 2),
      overruns: b.counters.overruns - a.counters.overruns,
    };
  } finally {
    await gateway.stop();
  }
}

async function fairness(pty: Pty, server: Peer, measureMs: number): Promise<RtuResult['fairness']> {
  const intervalMs = 100;
  const names = ['u1', 'u2', 'u3'];
  const devices = names.map((n, i) => rtuDevice(n, pty.gatewaySide, i + 1, 1, 10, intervalMs));
  await server.call('silent', [2]);
  const { gateway } = await GatewayProcess.start(rtuConfig(devices));
  try {
    // Long enough for the dead unit to be noticed (three timed-out reads) and backed off.
    await sleep(3000);
    const a = await gateway.status();
    const t0 = performance.now();
    await sleep(measureMs);
    const b = await gateway.status();
    const seconds = (performance.now() - t0) / 1000;
    const due = 1000 / intervalMs;
    const rate = (n: string) => round((device(b, n).counters.reads - device(a, n).counters.reads) / seconds, 2);
    const timeouts = (device(b, 'u1').link?.link?.timeouts ?? 0) - (device(a, 'u1').link?.link?.timeouts ?? 0);
    return {
      intervalMs,
      duePerSecond: due,
      live: ['u1', 'u3'].map((n) => ({ device: n, readsPerSecond: rate(n), ofDue: round(rate(n) / due, 3) })),
      dead: { device: 'u2', state: device(b, 'u2').state, readsPerSecond: rate('u2') },
      linkTimeoutsPerSecond: round(timeouts / seconds, 2),
    };
  } finally {
    await gateway.stop();
    await server.call('silent', []);
  }
}

export async function runRtu(_env: Env, timing: RtuTiming): Promise<RtuResult> {
  const pty = await openPty();
  const { peer: server } = await Peer.start<unknown>('rtu-server', peerScript('rtu-server'), [
    pty.deviceSide,
    String(RTU_BAUD),
  ]);
  try {
    return {
      baudRate: RTU_BAUD,
      registersPerRequest: 125,
      plainClient: await plainClient(pty, timing.limitMs),
      tagwire: await tagwireLine(pty, timing.measureMs),
      lineLimit: { '19200': lineLimit(19_200), '115200': lineLimit(115_200) },
      fairness: await fairness(pty, server, timing.fairnessMs),
    };
  } finally {
    await server.stop();
    await pty.close();
  }
}
