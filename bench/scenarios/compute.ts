/**
 * Computed tags (issue 16): 10,000 computed tags (`{src/gG/tK} * 2 + 1`) on 10,000 inputs that all change
 * every second, in a process of its own (peers/compute-runner.ts) on the real core (gateway, device runners, change filter, bus) and the
 * real compute driver. The inputs come from a source driver that answers at once, so the figures are the
 * compute path's own: CPU beyond the same gateway without the compute device, per 1M evaluations, and the
 * latency it adds — from an input group's reading on the bus to the computed group's reading.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Type } from '@sinclair/typebox';
import type { GroupConfig } from '../../core/config/schema.js';
import { validateConfig } from '../../core/config/validate.js';
import { Gateway } from '../../core/gateway.js';
import { silentLogger } from '../../core/log.js';
import { type DriverManifest, PLUGIN_API_VERSION } from '../../core/plugin.js';
import { createRegistry } from '../../core/registry.js';
import { goodValue, type TagValue } from '../../core/values.js';
import { computeDriver } from '../../drivers/compute/index.js';
import { type LatencySummary, summarize } from '../lib/percentiles.js';

export const COMPUTE_ID = 'compute-10k';

export interface ComputeResult {
  id: string;
  tags: number;
  inputChangesPerSecond: number;
  evaluationsPerSecond: number;
  /** Process CPU seconds beyond the baseline (same inputs, no compute device), per 1M evaluations: median pair. */
  cpuSecondsPer1M: number;
  /** Every pair's figure, lowest first. */
  cpuSecondsPer1MRuns: number[];
  /** Inputs every 100 ms (100,000 evaluations/s): median pair. */
  cpuSecondsPer1MAt100k: number;
  /** Every pair's figure at 100k/s, lowest first. */
  cpuSecondsPer1MAt100kRuns?: number[];
  baselineCores: number;
  withComputeCores: number;
  addedLatencyMs: LatencySummary;
}

const GROUPS = 100;
const TAGS_PER_GROUP = 100;
const INTERVAL_MS = 1000;
/** The same tags with inputs every 100 ms: 100,000 evaluations/s, where the compute path's cost stands well above the noise. */
const FAST_INTERVAL_MS = 100;

/** Inputs that change on every read, with no I/O: what is measured is the rest of the path. */
const sourceDriver: DriverManifest = {
  kind: 'driver',
  apiVersion: PLUGIN_API_VERSION,
  name: 'bench-source',
  title: 'bench source',
  settingsSchema: Type.Object({}),
  capabilities: {
    browse: false,
    decodeLab: false,
    testRead: false,
    serialPorts: false,
    certificates: false,
    writes: false,
    liveGroupChanges: false,
  },
  address: { text: 'Any text: the tag reads a counter.', typeDefault: 'a number', examples: [] },
  checkTag: () => ({ errors: [] }),
  create: () => {
    let counter = 0;
    return {
      connect: async () => undefined,
      close: async () => undefined,
      write: async () => undefined,
      read: async (group: GroupConfig): Promise<TagValue[]> => {
        const now = Date.now();
        counter++;
        return group.tags.map((_, i) => goodValue(counter * 1000 + i, now));
      },
    };
  },
};

/** 100 groups of 100 tags; a tag's name carries its group (`g7/t42`), so names are unique in the device. */
function groups(tag: (name: string) => Record<string, unknown>, intervalMs: number): Array<Record<string, unknown>> {
  return Array.from({ length: GROUPS }, (_, g) => ({
    name: `g${g}`,
    intervalMs,
    tags: Array.from({ length: TAGS_PER_GROUP }, (_, t) => tag(`g${g}/t${t}`)),
  }));
}

/** The inputs, and with `withCompute` one computed tag per input, in groups laid out like the inputs'. */
function devices(withCompute: boolean, intervalMs: number): Array<Record<string, unknown>> {
  const source = {
    name: 'src',
    driver: 'bench-source',
    groups: groups((name) => ({ name, address: name }), intervalMs),
  };
  const calc = {
    name: 'calc',
    driver: 'compute',
    groups: groups((name) => ({ name, expression: `{src/${name}} * 2 + 1` }), intervalMs),
  };
  return withCompute ? [source, calc] : [source];
}

/**
 * A full collection before each window: building and stopping a 20,000-tag gateway leaves garbage in
 * this process, and a major GC of it inside a window of a few hundredths of a core would be billed to
 * whichever run it falls in. The window then counts only the garbage its own run makes.
 */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

export interface ComputeWindow {
  cpuSeconds: number;
  seconds: number;
  evaluations: number;
  latencies: number[];
}

async function measure(
  withCompute: boolean,
  warmupMs: number,
  measureMs: number,
  intervalMs: number,
): Promise<ComputeWindow> {
  const registry = createRegistry([sourceDriver, computeDriver], []);
  const checked = validateConfig({ gateway: {}, devices: devices(withCompute, intervalMs), north: [] }, registry);
  if (!checked.ok) throw new Error(checked.errors.slice(0, 5).join('\n'));
  const gateway = new Gateway({ registry, log: silentLogger(), dataDir: '.', version: 'bench' });
  const readAt = new Map<string, number>();
  let latencies: number[] = [];
  // Subscribed before the compute device: it sees each input reading before the device evaluates it.
  gateway.bus.subscribe({
    reading: (reading) => {
      if (reading.device === 'src') readAt.set(reading.group, performance.now());
      else {
        const at = readAt.get(reading.group);
        if (at !== undefined) latencies.push(performance.now() - at);
      }
    },
  });
  await gateway.start(checked.config);
  await new Promise((resolve) => setTimeout(resolve, warmupMs));
  const evaluations = () => (withCompute ? Number(gateway.device('calc').status().link?.evaluations ?? 0) : 0);
  collectGarbage();
  // The collection's sweeping runs on helper threads: done before the window opens.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  latencies = [];
  const evaluationsBefore = evaluations();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, measureMs));
  const cpu = process.cpuUsage(cpuBefore);
  const seconds = (performance.now() - started) / 1000;
  const window = {
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    seconds,
    evaluations: evaluations() - evaluationsBefore,
    latencies,
  };
  await gateway.stop();
  return window;
}

/** One baseline window and one with the compute device, measured one after the other in the same process. */
export interface ComputePair {
  perMillion: number;
  baseline: ComputeWindow;
  withCompute: ComputeWindow;
}

/**
 * One pair at 10,000 input changes/s, or at 100,000 with `fast`. The harness runs each pair in a process
 * of its own: the compute path adds a few hundredths of a core, and a pair measured after others in the
 * same process carries their garbage and heap (ten 20,000-tag gateways built and stopped).
 */
export async function measureComputePair(timing: {
  warmupMs: number;
  measureMs: number;
  fast: boolean;
}): Promise<ComputePair> {
  const intervalMs = timing.fast ? FAST_INTERVAL_MS : INTERVAL_MS;
  const baseline = await measure(false, timing.warmupMs, timing.measureMs, intervalMs);
  const withCompute = await measure(true, timing.warmupMs, timing.measureMs, intervalMs);
  const added = withCompute.cpuSeconds - (baseline.cpuSeconds / baseline.seconds) * withCompute.seconds;
  // Only the 10k/s pairs' latencies are reported: the fast pairs need not carry theirs back.
  if (timing.fast) withCompute.latencies = [];
  return { perMillion: (Math.max(0, added) / Math.max(1, withCompute.evaluations)) * 1e6, baseline, withCompute };
}

/** The pair with the median figure; sorts `pairs`. */
function medianOf(pairs: ComputePair[]): ComputePair {
  pairs.sort((a, b) => a.perMillion - b.perMillion);
  return pairs[Math.floor(pairs.length / 2)] as ComputePair;
}

/**
 * The scenario's figures from its pairs: the compute path adds well under a hundredth of a core at 10,000
 * evaluations/s, so one pair is at the mercy of a GC cycle or another process; the median of the pairs'
 * figures is reported, with every pair's figure beside it.
 */
export function computeResult(runs: ComputePair[], fastRuns: ComputePair[]): ComputeResult {
  const round = (x: number, digits: number) => Number(x.toFixed(digits));
  const fast = medianOf(fastRuns);
  const median = medianOf(runs);
  const { baseline, withCompute } = median;
  return {
    id: COMPUTE_ID,
    tags: GROUPS * TAGS_PER_GROUP,
    inputChangesPerSecond: Math.round((GROUPS * TAGS_PER_GROUP * 1000) / INTERVAL_MS),
    evaluationsPerSecond: Math.round(withCompute.evaluations / withCompute.seconds),
    cpuSecondsPer1M: round(median.perMillion, 3),
    cpuSecondsPer1MRuns: runs.map((r) => round(r.perMillion, 3)),
    cpuSecondsPer1MAt100k: round(fast.perMillion, 3),
    cpuSecondsPer1MAt100kRuns: fastRuns.map((r) => round(r.perMillion, 3)),
    baselineCores: round(baseline.cpuSeconds / baseline.seconds, 3),
    withComputeCores: round(withCompute.cpuSeconds / withCompute.seconds, 3),
    addedLatencyMs: summarize(runs.flatMap((r) => r.withCompute.latencies)),
  };
}
