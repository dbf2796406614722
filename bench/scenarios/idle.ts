/**
 * A gateway at rest, where only its own memory counts: `memory-empty` is an empty
 * configuration (no device, no north app — what every installation pays before its first
 * tag); `memory-idle-100k` is 100k tags on devices that do not answer, with a north app whose
 * broker does not answer either (per-tag state alone, no values flowing). RSS is sampled every
 * second while the gateway settles after its API first answers.
 */
import { deviceLayout } from '../layout.js';
import { GatewayProcess } from '../lib/gateway-process.js';
import { freePort, LOOPBACK, sleep } from '../lib/net.js';
import { sampleProc } from '../lib/proc-stats.js';
import { round } from '../lib/watch.js';

export interface IdleResult {
  id: string;
  tags: number;
  startupMs: number;
  /** RSS at the end of the settle window (MB). */
  rssMb: number;
  /** Peak RSS since the process started (VmHWM): start-up included. */
  peakRssMb: number;
  /** RSS every second of the settle window (MB). */
  series: number[];
}

export interface IdleSpec {
  id: string;
  tags: number;
  config: () => Promise<unknown>;
}

/** 20 devices × 10 groups × 500 float32 tags, as in the 100k load runs; nothing answers. */
async function idleConfig100k(): Promise<unknown> {
  const closed = await freePort();
  const groups = deviceLayout('float32', 10, 499).map((g) => ({
    name: g.name,
    intervalMs: 1000,
    publish: 'always',
    tags: g.tags,
  }));
  return {
    gateway: { id: 'bench', uns: 'bench/idle', http: { host: LOOPBACK, port: 0 } },
    devices: Array.from({ length: 20 }, (_, d) => ({
      name: `d${d}`,
      driver: 'modbus-tcp',
      settings: { host: LOOPBACK, port: closed, unitId: 1, maxRegistersPerRead: 125 },
      groups,
    })),
    north: [{ name: 'mqtt', plugin: 'mqtt', settings: { url: `mqtt://${LOOPBACK}:${closed}`, qos: 1 } }],
  };
}

export const EMPTY_ID = 'memory-empty';
export const IDLE_100K_ID = 'memory-idle-100k';

export function idlePlan(skip100k: boolean): IdleSpec[] {
  return [
    { id: EMPTY_ID, tags: 0, config: async () => ({}) },
    ...(skip100k ? [] : [{ id: IDLE_100K_ID, tags: 100_000, config: idleConfig100k }]),
  ];
}

export async function runIdle(spec: IdleSpec, settleMs: number, nodeArgs: string[] = []): Promise<IdleResult> {
  const { gateway, startupMs } = await GatewayProcess.start(await spec.config(), { nodeArgs });
  try {
    const series: number[] = [];
    for (let waited = 0; waited < settleMs; waited += 1000) {
      await sleep(1000);
      series.push(round(sampleProc(gateway.pid)?.rssMb ?? Number.NaN, 1));
    }
    const last = sampleProc(gateway.pid);
    return {
      id: spec.id,
      tags: spec.tags,
      startupMs: Math.round(startupMs),
      rssMb: round(last?.rssMb ?? Number.NaN, 1),
      peakRssMb: round(last?.peakRssMb ?? Number.NaN, 1),
      series,
    };
  } finally {
    await gateway.stop();
  }
}
