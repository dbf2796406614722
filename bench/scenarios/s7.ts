/**
 * The S7 driver: values/s for 1,000 float32 tags in one data block, read by tagwire as fast as
 * its schedule allows, beside Snap7's own client reading the same bytes back to back — both
 * against tagwire's simulated S7 CPU in a process of its own, with the same PDU size.
 */
import { peerScript } from '../env.js';
import { GatewayProcess, type GatewayStatus } from '../lib/gateway-process.js';
import { LOOPBACK, sleep } from '../lib/net.js';
import { Peer } from '../lib/peer.js';
import { round } from '../lib/watch.js';

export const S7_BENCH_TAGS = 1000;
export const S7_BENCH_PDU = 480;

export interface S7Timing {
  limitMs: number;
  measureMs: number;
}

export interface S7Result {
  tags: number;
  pduSize: number;
  plainClient: { valuesPerSecond: number; readsPerSecond: number };
  tagwire: { valuesPerSecond: number; readsPerSecond: number; requestsPerRead: number; overruns: number };
}

function s7Config(port: number): unknown {
  return {
    gateway: { id: 'bench', uns: 'bench/s7', http: { host: LOOPBACK, port: 0 } },
    devices: [
      {
        name: 's7',
        driver: 's7',
        settings: { host: LOOPBACK, port, pduSize: S7_BENCH_PDU },
        groups: [
          {
            name: 'g',
            // Due every 10 ms: more than the PLC answers, so a read is always waiting.
            intervalMs: 10,
            publish: 'always',
            tags: Array.from({ length: S7_BENCH_TAGS }, (_, i) => ({
              name: `t${i}`,
              address: `DB1.DBD${4 * i}`,
              type: 'float32',
            })),
          },
        ],
      },
    ],
    north: [],
  };
}

function device(status: GatewayStatus) {
  const d = status.devices.find((x) => x.name === 's7');
  if (!d) throw new Error('no device s7 in the status');
  return d;
}

async function plainClient(port: number, durationMs: number): Promise<S7Result['plainClient']> {
  const { peer } = await Peer.start<unknown>('s7-client', peerScript('s7-client'), []);
  try {
    const r = await peer.call<{ reads: number; seconds: number }>(
      'run',
      { port, pduSize: S7_BENCH_PDU, bytes: 4 * S7_BENCH_TAGS, durationMs },
      durationMs + 30_000,
    );
    const readsPerSecond = r.reads / r.seconds;
    return { valuesPerSecond: round(readsPerSecond * S7_BENCH_TAGS), readsPerSecond: round(readsPerSecond, 1) };
  } finally {
    await peer.stop();
  }
}

async function tagwire(port: number, measureMs: number): Promise<S7Result['tagwire']> {
  const { gateway } = await GatewayProcess.start(s7Config(port));
  try {
    await sleep(1500);
    const a = device(await gateway.status());
    const t0 = performance.now();
    await sleep(measureMs);
    const b = device(await gateway.status());
    const seconds = (performance.now() - t0) / 1000;
    const reads = b.counters.reads - a.counters.reads;
    const requests = (b.link?.link?.requests ?? 0) - (a.link?.link?.requests ?? 0);
    return {
      valuesPerSecond: round((reads * S7_BENCH_TAGS) / seconds),
      readsPerSecond: round(reads / seconds, 1),
      requestsPerRead: reads > 0 ? round(requests / reads, 1) : Number.NaN,
      overruns: b.counters.overruns - a.counters.overruns,
    };
  } finally {
    await gateway.stop();
  }
}

export async function runS7(t: S7Timing): Promise<S7Result> {
  const { peer: server, info } = await Peer.start<{ port: number }>('s7-server', peerScript('s7-server'), [
    String(S7_BENCH_TAGS),
    String(S7_BENCH_PDU),
  ]);
  try {
    const plain = await plainClient(info.port, t.limitMs);
    const ours = await tagwire(info.port, t.measureMs);
    return { tags: S7_BENCH_TAGS, pduSize: S7_BENCH_PDU, plainClient: plain, tagwire: ours };
  } finally {
    await server.stop();
  }
}
