/**
 * One gateway load run: lay out the simulated registers, start tagwire as a process on the
 * generated configuration, let it warm up, then measure a window — what it read (its own
 * counters), what arrived at the subscriber, CPU and memory of every process, latency.
 */
import type { Env } from '../env.js';
import { gatewayConfig, layoutOf } from '../gateway-config.js';
import { GatewayProcess, type GatewayStatus } from '../lib/gateway-process.js';
import { sleep } from '../lib/net.js';
import type { LatencySummary } from '../lib/percentiles.js';
import { sampleProc } from '../lib/proc-stats.js';
import { coresBetween, round, type Snapshot, snapshot } from '../lib/watch.js';
import { type LoadSpec, offeredPerSecond, totalTags } from '../load-spec.js';

export interface LoadTiming {
  warmupMs: number;
  measureMs: number;
  /** RSS is sampled this often during the window (memory runs). */
  rssEveryMs?: number;
  /** Extra node arguments for the gateway process (e.g. --cpu-prof). */
  nodeArgs?: string[];
}

export interface LoadResult {
  spec: LoadSpec;
  tags: number;
  offeredPerSecond: number;
  startupMs: number;
  seconds: number;
  /** Good tag values read and decoded by tagwire, per second. */
  readPerSecond: number;
  registersPerSecond: number;
  requestsPerSecond: number;
  /** Tag values that reached the subscriber, per second. */
  publishedPerSecond: number;
  messagesPerSecond: number;
  badValues: number;
  overruns: number;
  spool: { buffered: number; dropped: number };
  /** Gateway CPU seconds per 100,000 values read. */
  cpuPer100k: number;
  cores: Record<string, number>;
  rss: { afterStartMb: number; atWindowStartMb: number; endMb: number; peakMb: number; series: number[] };
  /** RSS of every process of the run at the end of the window (MB). */
  rssAtEndMb: Record<string, number>;
  latency: { fromClock: LatencySummary; fromTimestamp: LatencySummary };
  /** The gateway's event-loop delay over the window (prom-client's monitor, 10 ms resolution). */
  eventLoop?: { p99Ms: number; maxMs: number };
  error?: string;
}

interface Totals {
  reads: number;
  tagErrors: number;
  overruns: number;
  requests: number;
  bytesIn: number;
  buffered: number;
  dropped: number;
}

function totals(status: GatewayStatus): Totals {
  const t: Totals = { reads: 0, tagErrors: 0, overruns: 0, requests: 0, bytesIn: 0, buffered: 0, dropped: 0 };
  for (const d of status.devices) {
    t.reads += d.counters.reads;
    t.tagErrors += d.counters.tagErrors;
    t.overruns += d.counters.overruns;
    t.requests += d.link?.link?.requests ?? 0;
    t.bytesIn += d.link?.link?.bytesIn ?? 0;
  }
  for (const n of status.north) {
    t.buffered += n.counters.buffered ?? 0;
    t.dropped += n.counters.dropped ?? 0;
  }
  return t;
}

/** Waits until values arrive at the subscriber, or without a north app until reads happen (or the time is up). */
async function firstValues(env: Env, gateway: GatewayProcess, spec: LoadSpec, timeoutMs: number): Promise<void> {
  const progress = async () =>
    spec.format === 'none'
      ? totals(await gateway.status()).reads
      : (await env.subscriber.call<{ values: number }>('counts')).values;
  const start = await progress();
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    await sleep(200);
    if ((await progress()) > start) return;
  }
}

export async function runLoad(env: Env, spec: LoadSpec, timing: LoadTiming): Promise<LoadResult> {
  const layout = layoutOf(spec);
  const ports = await env.server.call<number[]>('ensure', spec.devices);
  await env.server.call('layout', { registers: layout.at(-1)?.end ?? 0, clocks: layout.map((g) => g.clockAt) });
  const prefix = `bench/${spec.id}`;
  await env.subscriber.call('watch', prefix);
  const { gateway, startupMs } = await GatewayProcess.start(gatewayConfig(spec, ports, env.broker.url), {
    nodeArgs: timing.nodeArgs,
    env: spec.env,
  });
  try {
    const afterStart = sampleProc(gateway.pid);
    await firstValues(env, gateway, spec, 30_000);
    await sleep(timing.warmupMs);
    const s0 = await gateway.status();
    await gateway.eventLoopDelay();
    const a = await snapshot(env, { gateway: gateway.pid });
    await env.subscriber.call('latency');
    const series: number[] = [];
    const end = performance.now() + timing.measureMs;
    while (performance.now() < end) {
      await sleep(Math.min(timing.rssEveryMs ?? timing.measureMs, end - performance.now()));
      series.push(round(sampleProc(gateway.pid)?.rssMb ?? Number.NaN, 1));
    }
    const s1 = await gateway.status();
    const eventLoop = await gateway.eventLoopDelay();
    const b = await snapshot(env, { gateway: gateway.pid });
    const latency = await env.subscriber.call<LoadResult['latency']>('latency');
    const result = summarize(spec, startupMs, a, b, totals(s0), totals(s1), latency, {
      afterStartMb: afterStart?.rssMb ?? Number.NaN,
      series,
    });
    return { ...result, eventLoop: { p99Ms: round(eventLoop.p99Ms, 1), maxMs: round(eventLoop.maxMs, 1) } };
  } finally {
    await gateway.stop();
    await env.subscriber.call('unwatch', prefix);
  }
}

function summarize(
  spec: LoadSpec,
  startupMs: number,
  a: Snapshot,
  b: Snapshot,
  t0: Totals,
  t1: Totals,
  latency: LoadResult['latency'],
  memory: { afterStartMb: number; series: number[] },
): LoadResult {
  const seconds = (b.at - a.at) / 1000;
  const perSecond = (x: number) => round(x / seconds);
  const requests = t1.requests - t0.requests;
  const good = (t1.reads - t0.reads) * spec.tagsPerGroup - (t1.tagErrors - t0.tagErrors);
  const gw0 = a.procs.gateway;
  const gw1 = b.procs.gateway;
  const cpu = gw0 && gw1 ? gw1.cpuSeconds - gw0.cpuSeconds : Number.NaN;
  return {
    spec,
    tags: totalTags(spec),
    offeredPerSecond: offeredPerSecond(spec),
    startupMs: round(startupMs),
    seconds: round(seconds, 2),
    readPerSecond: perSecond(good),
    registersPerSecond: perSecond((t1.bytesIn - t0.bytesIn - 5 * requests) / 2),
    requestsPerSecond: perSecond(requests),
    publishedPerSecond: perSecond(b.subscriber.values - a.subscriber.values),
    messagesPerSecond: perSecond(b.subscriber.messages - a.subscriber.messages),
    badValues: b.subscriber.bad - a.subscriber.bad,
    overruns: t1.overruns - t0.overruns,
    spool: { buffered: t1.buffered, dropped: t1.dropped - t0.dropped },
    cpuPer100k: good > 0 ? round((cpu / good) * 100_000, 3) : Number.NaN,
    cores: coresBetween(a, b),
    rss: {
      afterStartMb: round(memory.afterStartMb, 1),
      atWindowStartMb: round(gw0?.rssMb ?? Number.NaN, 1),
      endMb: round(gw1?.rssMb ?? Number.NaN, 1),
      peakMb: round(gw1?.peakRssMb ?? Number.NaN, 1),
      series: memory.series,
    },
    rssAtEndMb: Object.fromEntries(Object.entries(b.procs).map(([name, p]) => [name, round(p?.rssMb ?? Number.NaN)])),
    latency,
  };
}
