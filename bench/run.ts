/**
 * `npm run bench`: tagwire against real peers on loopback, beside the limits of those peers,
 * in one run. See bench/README.md for what is measured and how.
 */
import { join } from 'node:path';
import { type Env, peerScript, startEnv, stopEnv } from './env.js';
import { GatewayProcess } from './lib/gateway-process.js';
import { Peer } from './lib/peer.js';
import { hasSocat } from './lib/pty.js';
import { type QuietBudget, waitForQuiet } from './lib/quiet.js';
import { serviceLaunch } from './lib/service-launch.js';
import type { LoadSpec } from './load-spec.js';
import { machineInfo } from './machine.js';
import { alarmMicro } from './micro/alarms.js';
import { runMicro } from './micro/run-micro.js';
import { type BenchOptions, parseOptions, selected } from './options.js';
import { RESULTS_DIR, renderText, resultPaths, saveJson, saveMarkdown } from './output.js';
import { latencyPlan, MEMORY_ID, memorySpec, throughputPlan } from './plan.js';
import { limitsLine } from './report.js';
import type { BenchResults } from './results.js';
import { COMPUTE_ID, type ComputePair, computeResult } from './scenarios/compute.js';
import { idlePlan, runIdle } from './scenarios/idle.js';
import { modbusLimits, mqttLimits } from './scenarios/limits.js';
import { type LoadResult, type LoadTiming, runLoad } from './scenarios/load-run.js';
import { MODELS_ID, runModels } from './scenarios/models.js';
import { runRtu } from './scenarios/rtu.js';
import { runS7 } from './scenarios/s7.js';
import { judgeTargets } from './targets.js';

const options = parseOptions(process.argv.slice(2));
const startedAt = new Date();
const paths = resultPaths(startedAt);
const profiles = join(RESULTS_DIR, 'profiles', startedAt.toISOString().replace(/[:.]/g, '-'));
const timing: LoadTiming = {
  ...(options.quick ? { warmupMs: 2000, measureMs: 4000 } : { warmupMs: 2000, measureMs: 6000 }),
  nodeArgs: [...options.gatewayNodeArgs, ...(options.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', profiles] : [])],
};
const limitMs = options.quick ? 3000 : 5000;
const budget: QuietBudget = { remainingMs: options.quick ? 10_000 : 30_000 };

/** One computed-tags pair in a fresh process: no earlier gateway's garbage or heap in its figures. */
async function computePairInOwnProcess(arg: {
  warmupMs: number;
  measureMs: number;
  fast: boolean;
}): Promise<ComputePair> {
  const runner = await Peer.start<unknown>('compute-runner', peerScript('compute-runner'), []);
  try {
    return await runner.peer.call<ComputePair>('pair', arg, 5 * 60_000);
  } finally {
    await runner.peer.stop();
  }
}

function say(text: string): void {
  process.stderr.write(`${text}\n`);
}

function brief(r: LoadResult): string {
  const k = (x: number) => `${Math.round(x / 100) / 10}k`;
  return (
    `read ${k(r.readPerSecond)}/s, at subscriber ${k(r.publishedPerSecond)}/s, gateway ${r.cores.gateway} cores, ` +
    `${r.cpuPer100k} CPU-s/100k, peak RSS ${r.rss.peakMb} MB, p99 ${Number(r.latency.fromClock.p99 ?? Number.NaN).toFixed(1)} ms`
  );
}

async function load(env: Env, results: BenchResults, spec: LoadSpec, t: LoadTiming): Promise<LoadResult | undefined> {
  const busy = await waitForQuiet(budget);
  say(
    `▶ ${spec.id}: ${spec.devices} devices × ${spec.groupsPerDevice} groups × ${spec.tagsPerGroup} tags every ${spec.intervalMs} ms${busy > 0.25 ? ` (machine busy: ${busy} cores before start)` : ''}`,
  );
  try {
    const r = await runLoad(env, spec, t);
    say(`  ${brief(r)}`);
    return r;
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    results.notes.push(`${spec.id} failed: ${message}`);
    say(`  failed: ${message}`);
    return undefined;
  }
}

async function runAll(env: Env, results: BenchResults, o: BenchOptions): Promise<void> {
  const save = () => saveJson(paths.json, results);
  if (selected(o, 'limits')) {
    say('▶ limits: plain Modbus client, plain MQTT publisher');
    results.limits.modbus = await modbusLimits(env, o.quick ? [1, 10] : [1, 10, 20], limitMs);
    results.limits.mqtt = await mqttLimits(env, [1, 0], limitMs, 10_000);
    say(`  ${limitsLine(results)}`);
    save();
  }
  for (const spec of throughputPlan(o).filter((s) => selected(o, s.id))) {
    const r = await load(env, results, spec, timing);
    if (r) results.throughput.push(r);
    save();
  }
  if (selected(o, 'memory') || selected(o, MEMORY_ID)) {
    const soakMs = o.soakMinutes * 60_000;
    const r = await load(env, results, memorySpec(), { ...timing, measureMs: soakMs, rssEveryMs: 5000 });
    if (r) results.memory = r;
    save();
  }
  for (const spec of idlePlan(o.skip100k).filter((s) => selected(o, s.id))) {
    await waitForQuiet(budget);
    say(`▶ ${spec.id}: ${spec.tags} tags, nothing answering; RSS while it settles`);
    try {
      // V8's memory reducer shrinks an idle heap 8–25 s after start-up's last full collection.
      const r = await runIdle(spec, o.quick ? 10_000 : 30_000, timing.nodeArgs ?? []);
      say(`  RSS ${r.rssMb} MB (peak ${r.peakRssMb} MB), started in ${r.startupMs} ms`);
      results.idle = [...(results.idle ?? []), r];
    } catch (err) {
      results.notes.push(`${spec.id} failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    }
    save();
  }
  for (const spec of latencyPlan(o).filter((s) => selected(o, s.id))) {
    const r = await load(env, results, spec, timing);
    if (r) results.latency.push(r);
    save();
  }
  if (selected(o, 'rtu')) {
    if (await hasSocat()) {
      say('▶ rtu: socat pty pair, plain client, tagwire, fairness with a dead unit');
      const t = o.quick
        ? { limitMs: 2000, measureMs: 3000, fairnessMs: 5000 }
        : { limitMs, measureMs: 6000, fairnessMs: 10_000 };
      try {
        results.rtu = await runRtu(env, t);
      } catch (err) {
        results.notes.push(`rtu failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    } else results.notes.push('rtu left out: socat is not installed');
    save();
  }
  if (selected(o, MODELS_ID)) {
    say('▶ models: 300 devices from one model (7,500 tags), unit ids 1–247 on 2 ports');
    try {
      results.models = await runModels();
      const m = results.models;
      say(`  start-up ${m.startupMs} ms, all reading ${m.allReadingMs} ms, RSS ${m.rssMb.after10s} MB`);
    } catch (err) {
      results.notes.push(`models failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    save();
  }
  if (selected(o, 's7')) {
    say('▶ s7: 1,000 float32 tags, Snap7 client back to back, then tagwire');
    try {
      results.s7 = await runS7(o.quick ? { limitMs: 2000, measureMs: 3000 } : { limitMs, measureMs: 6000 });
      const s7 = results.s7;
      say(`  snap7 ${s7.plainClient.valuesPerSecond} values/s, tagwire ${s7.tagwire.valuesPerSecond} values/s`);
    } catch (err) {
      results.notes.push(`s7 failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    save();
  }
  if (selected(o, COMPUTE_ID)) {
    say(
      '▶ compute: 10k computed tags on 10k inputs changing every second (each pair in a fresh process, real core and driver)',
    );
    try {
      const pairTiming = o.quick
        ? { warmupMs: timing.warmupMs, measureMs: timing.measureMs }
        : { warmupMs: 3000, measureMs: 10_000 };
      const pairs = o.quick ? 1 : 5;
      const slow: ComputePair[] = [];
      const fast: ComputePair[] = [];
      for (let i = 0; i < pairs; i++) slow.push(await computePairInOwnProcess({ ...pairTiming, fast: false }));
      for (let i = 0; i < Math.min(3, pairs); i++)
        fast.push(await computePairInOwnProcess({ ...pairTiming, fast: true }));
      results.compute = computeResult(slow, fast);
      const c = results.compute;
      say(
        `  ${c.evaluationsPerSecond} evaluations/s, ${c.cpuSecondsPer1M} CPU-s per 1M (pairs: ${c.cpuSecondsPer1MRuns.join(', ')}; at 100k/s ${c.cpuSecondsPer1MAt100k}: ${(c.cpuSecondsPer1MAt100kRuns ?? []).join(', ')}), added p99 ${c.addedLatencyMs.p99.toFixed(2)} ms`,
      );
    } catch (err) {
      results.notes.push(`compute failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    save();
  }
  if (selected(o, 'micro')) {
    say('▶ micro: the hot path piece by piece');
    results.micro = runMicro();
    save();
  }
  if (selected(o, 'alarms')) {
    say('▶ alarms: 10k tags with one alarm each, evaluated from the bus');
    results.micro.push(...alarmMicro());
    save();
  }
  if (selected(o, 'limits')) {
    say('▶ limits again: plain MQTT publisher (the machine may have changed meanwhile)');
    results.limits.mqttAtEnd = await mqttLimits(env, [1, 0], limitMs, 10_000);
  }
}

GatewayProcess.launch = serviceLaunch(options.plainLaunch);
const launchLine = [
  ...Object.entries(GatewayProcess.launch.env).map(([k, v]) => `${k}=${v}`),
  'node',
  ...GatewayProcess.launch.nodeArgs,
];
say(`bench: ${options.quick ? 'quick' : 'default'} run; results in ${paths.json}`);
say(
  `gateway started as: ${launchLine.join(' ')} cli.js start (${options.plainLaunch ? 'plain' : 'as the systemd service'})`,
);
const env = await startEnv();
const results: BenchResults = {
  startedAt: startedAt.toISOString(),
  options,
  launch: GatewayProcess.launch,
  machine: machineInfo(env.broker),
  limits: { modbus: [], mqtt: [], mqttAtEnd: [] },
  throughput: [],
  latency: [],
  micro: [],
  targets: [],
  notes: [],
};
if (env.broker.kind !== 'mosquitto') results.notes.push('mosquitto not found: the embedded broker (aedes) was used');
try {
  await runAll(env, results, options);
} finally {
  await stopEnv(env);
  results.finishedAt = new Date().toISOString();
  results.durationSeconds = Math.round((Date.now() - startedAt.getTime()) / 1000);
  results.targets = judgeTargets(results);
  saveJson(paths.json, results);
  saveMarkdown(paths.markdown, results);
}
const m = results.machine;
process.stdout.write(
  `\ntagwire bench — ${m.cpus} × ${m.cpuModel}, ${m.memoryGb} GB, Node ${m.node}, ${m.broker}, ${results.durationSeconds} s\n`,
);
process.stdout.write(`${renderText(results)}\n`);
for (const note of results.notes) process.stdout.write(`note: ${note}\n`);
process.stdout.write(`\nJSON: ${paths.json}\nMarkdown: ${paths.markdown}\n`);
process.exit(0);
