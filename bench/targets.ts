/** The performance targets (issue 9's, tightened by issue 19), judged on one run's figures. */

import { ALARM_MICRO_NAME } from './micro/alarms.js';
import { modbusRatio, mqttLimitFor, mqttRatio, offeredModbusRatio, offeredMqttRatio, sustained } from './ratios.js';
import type { BenchResults, Target } from './results.js';
import type { LoadResult } from './scenarios/load-run.js';

const pct = (x: number) => `${(100 * x).toFixed(0)} %`;
const int = (x: number) => Math.round(x).toLocaleString('en-US');

function best<T>(items: T[], score: (t: T) => number): T | undefined {
  let out: T | undefined;
  for (const t of items) if (Number.isFinite(score(t)) && (!out || score(t) > score(out))) out = t;
  return out;
}

/** Closes a measured figure's parenthesis, saying so when the run's offer was below the limit it is a share of. */
function offerCap(cap: number): string {
  return cap < 1 ? `; its offer allows at most ${pct(cap)})` : ')';
}

function target(name: string, goal: string, measured: string | undefined, met: boolean | undefined): Target {
  return { name, goal, measured: measured ?? 'not measured', met: measured === undefined ? null : (met ?? null) };
}

/**
 * The subscriber samples the clock tag, the last value of its group: a `uns` group of N tags
 * is N messages read at one moment, so that value waits for the N − 1 before it — at least
 * N divided by the broker's own rate (the plain publisher's, same run).
 */
function burstFloorMs(results: BenchResults, r: LoadResult): string {
  const limit = r.spec.format === 'uns' ? mqttLimitFor(results, r.spec.qos) : 0;
  return limit > 0 ? `; broker alone ≥ ${((1000 * r.spec.tagsPerGroup) / limit).toFixed(1)} ms per group` : '';
}

function latencyTarget(r: LoadResult | undefined, rate: string, limitMs: number, results: BenchResults): Target {
  // NaN travels through JSON (IPC) as null: no samples.
  const raw = r?.latency.fromClock.p99;
  const p99 = typeof raw === 'number' && Number.isFinite(raw) ? raw : undefined;
  const note = (r && !sustained(r) ? ' (rate not sustained)' : '') + (r ? burstFloorMs(results, r) : '');
  const groups = r ? `, ${r.spec.tagsPerGroup}-tag groups` : '';
  return target(
    `latency p99 at ${rate} values/s (${r?.spec.format ?? '-'}${groups})`,
    `≤ ${limitMs} ms`,
    r && p99 !== undefined ? `${p99.toFixed(1)} ms${note}` : undefined,
    r && p99 !== undefined ? p99 <= limitMs && sustained(r) : undefined,
  );
}

/** Every value read reached the subscriber (nothing dropped by a full spool or queue). */
function deliveredAllRead(r: LoadResult): boolean {
  return r.publishedPerSecond >= 0.95 * r.readPerSecond;
}

export function judgeTargets(results: BenchResults): Target[] {
  const runs = results.throughput;
  const group = runs.filter((r) => r.spec.format === 'group');
  const uns = runs.filter((r) => r.spec.format === 'uns');
  const mb = best(runs, (r) => modbusRatio(results, r));
  const mq = best(
    uns.filter((r) => r.spec.qos === 1),
    (r) => mqttRatio(results, r),
  );
  const gFast = best(group, (r) => r.readPerSecond);
  // Saturation: values that were read and also reached the subscriber, against the plain client.
  const deliveredRatio = (r: LoadResult) =>
    modbusRatio(results, r) * Math.min(1, r.publishedPerSecond / Math.max(1, r.readPerSecond));
  const gSat = best(group, deliveredRatio);
  const gSatRatio = gSat ? deliveredRatio(gSat) : Number.NaN;
  // What the saturated run's schedule offered, as a share of the plain client: above it nothing can be shown.
  const gSatCap = gSat ? offeredModbusRatio(results, gSat) : Number.NaN;
  // CPU per value only where every value read was also delivered: in a run that offers more
  // than the broker takes, the spool drops the surplus and the CPU spent on it means nothing.
  const delivered = [...runs, ...results.latency, ...(results.memory ? [results.memory] : [])].filter(sustained);
  const gCpu = best(
    delivered.filter((r) => r.spec.format === 'group'),
    (r) => -r.cpuPer100k,
  );
  const uCpu = best(
    delivered.filter((r) => r.spec.format === 'uns'),
    (r) => -r.cpuPer100k,
  );
  const lat10k = results.memory;
  const lat10kGroup = results.latency.find((r) => r.spec.id === 'lat-10k-group-q1');
  const lat10kSmall = results.latency.find((r) => r.spec.id === 'lat-10k-uns-q1-small');
  const lat100k = best(
    results.latency.filter((r) => r.tags >= 100_000),
    (r) => -Number(r.latency.fromClock.p99 ?? Number.NaN),
  );
  const big = runs.filter((r) => r.tags >= 100_000);
  const empty = results.idle?.find((i) => i.tags === 0);
  const bigRss = big.length ? Math.max(...big.map((r) => r.rss.peakMb)) : undefined;
  const mbRatio = mb ? modbusRatio(results, mb) : Number.NaN;
  // What a plain client spends just reading one float32 (2 registers): a floor for any gateway.
  const floors = results.limits.modbus.map((l) => 2 * l.clientCpuPerMillionRegisters).filter(Number.isFinite);
  const floor = floors.length ? `; plain client reading alone: ${Math.min(...floors).toFixed(2)}` : '';
  const mqRatio = mq ? mqttRatio(results, mq) : Number.NaN;
  const mqCap = mq ? offeredMqttRatio(results, mq) : Number.NaN;
  // Event-loop delay at a sustained 10k values/s (issue 19: ≤ 10 ms), the worst of those runs.
  const loops10k = [...results.latency, ...(results.memory ? [results.memory] : [])]
    .filter((r) => r.offeredPerSecond <= 10_000 && sustained(r))
    .map((r) => ({ id: r.spec.id, p99: r.eventLoop?.p99Ms ?? Number.NaN }))
    .filter((l) => Number.isFinite(l.p99));
  const worstLoop10k = loops10k.length ? loops10k.reduce((a, b) => (b.p99 > a.p99 ? b : a)) : undefined;
  // Event-loop delay under load (the reliability issue's p99 < 20 ms): the worst window of any run.
  const loops = [...runs, ...results.latency]
    .map((r) => ({ id: r.spec.id, p99: r.eventLoop?.p99Ms ?? Number.NaN }))
    .filter((l) => Number.isFinite(l.p99));
  const worstLoop = loops.length ? loops.reduce((a, b) => (b.p99 > a.p99 ? b : a)) : undefined;
  const alarmNs = results.micro.find((m) => m.name === ALARM_MICRO_NAME)?.nsPerItem;
  return [
    target(
      'group: values read and delivered vs plain Modbus client (saturated)',
      '≥ 80 %',
      gSat && `${pct(gSatRatio)} (${gSat.spec.id}, ${int(gSat.publishedPerSecond)} values/s` + offerCap(gSatCap),
      gSatRatio >= 0.8,
    ),
    target('Modbus reads vs plain client', '≥ 80 %', mb && `${pct(mbRatio)} (${mb.spec.id})`, mbRatio >= 0.8),
    target(
      'uns msgs/s vs plain publisher (QoS 1)',
      '≥ 70 %',
      mq && `${pct(mqRatio)} (${mq.spec.id}` + offerCap(mqCap),
      mqRatio >= 0.7,
    ),
    target(
      'group: values/s read+published',
      '≥ 1,000,000',
      gFast && `${int(gFast.readPerSecond)} (${gFast.spec.id})`,
      gFast && gFast.readPerSecond >= 1_000_000,
    ),
    // Issue 19 asks for this CPU at saturation; the same figure at a rate the gateway sustains is shown beside it.
    target(
      'group: CPU-s per 1M values at saturation (every value read delivered)',
      '≤ 1.5',
      gSat &&
        `${(gSat.cpuPer100k * 10).toFixed(1)} (${gSat.spec.id})` +
          (gCpu ? `; sustained rate: ${(gCpu.cpuPer100k * 10).toFixed(1)} (${gCpu.spec.id})` : '') +
          floor,
      gSat && deliveredAllRead(gSat) && gSat.cpuPer100k * 10 <= 1.5,
    ),
    target(
      'uns: CPU-s per 1M values (all delivered)',
      '≤ 5',
      uCpu && `${(uCpu.cpuPer100k * 10).toFixed(1)} (${uCpu.spec.id})`,
      uCpu && uCpu.cpuPer100k * 10 <= 5,
    ),
    latencyTarget(lat10kGroup, '10k', 10, results),
    latencyTarget(lat10k, '10k', 10, results),
    latencyTarget(lat10kSmall, '10k', 10, results),
    latencyTarget(lat100k, '100k', 50, results),
    target(
      'RSS of an empty gateway (at rest)',
      '≤ 70 MB',
      empty && `${empty.rssMb.toFixed(0)} MB (peak during start-up ${empty.peakRssMb.toFixed(0)} MB)`,
      empty && empty.rssMb <= 70,
    ),
    target(
      'RSS with 10k tags at 10k values/s',
      '≤ 120 MB',
      lat10k && `${lat10k.rss.peakMb.toFixed(0)} MB peak`,
      lat10k && lat10k.rss.peakMb <= 120,
    ),
    target(
      'event-loop delay p99 at a sustained 10k values/s (worst run)',
      '≤ 10 ms',
      worstLoop10k && `${worstLoop10k.p99.toFixed(1)} ms (${worstLoop10k.id})`,
      worstLoop10k && worstLoop10k.p99 <= 10,
    ),
    target(
      'event-loop delay p99 under load (worst run)',
      '≤ 20 ms',
      worstLoop && `${worstLoop.p99.toFixed(1)} ms (${worstLoop.id})`,
      worstLoop && worstLoop.p99 <= 20,
    ),
    target(
      'alarms: CPU-s per 1M evaluations (10k tags, one alarm each)',
      '≤ 0.3',
      alarmNs === undefined ? undefined : `${(alarmNs / 1000).toFixed(3)} (${alarmNs} ns each)`,
      alarmNs === undefined ? undefined : alarmNs / 1000 <= 0.3,
    ),
    target(
      'RSS with 100k tags',
      '≤ 300 MB',
      bigRss === undefined ? undefined : `${bigRss.toFixed(0)} MB peak (worst 100k run)`,
      bigRss === undefined ? undefined : bigRss <= 300,
    ),
    ...computeTargets(results),
  ];
}

/** Issue 16: computed tags at 10k input changes/s. */
function computeTargets(results: BenchResults): Target[] {
  const c = results.compute;
  const p99 = c?.addedLatencyMs.p99;
  return [
    // At 10k evaluations/s the compute path adds about a hundredth of a core, near what subtracting two runs
    // resolves; the figure at 100k/s (same tags, inputs every 100 ms) counts as well, the worse of the two.
    target(
      'compute: CPU-s per 1M evaluations',
      '≤ 0.5',
      c &&
        `${c.cpuSecondsPer1M} (${c.evaluationsPerSecond} evaluations/s, median of ${c.cpuSecondsPer1MRuns?.length ?? 1} pairs); ${c.cpuSecondsPer1MAt100k ?? '–'} at 100k/s (median of ${c.cpuSecondsPer1MAt100kRuns?.length ?? 1})`,
      c && Math.max(c.cpuSecondsPer1M, c.cpuSecondsPer1MAt100k ?? 0) <= 0.5,
    ),
    target(
      'compute: added latency p99',
      '≤ 2 ms',
      c && p99 !== undefined && Number.isFinite(p99) ? `${p99.toFixed(2)} ms` : undefined,
      c && p99 !== undefined && p99 <= 2,
    ),
  ];
}
