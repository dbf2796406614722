/**
 * Which load runs a bench run makes. Intervals are chosen so that the offered rate is above
 * what the gateway can do (throughput) or a fixed, sustainable rate (latency, memory).
 */
import { type LoadSpec, loadSpec } from './load-spec.js';
import type { BenchOptions } from './options.js';

type Row = [id: string, tags: number, devices: number, groups: number, intervalMs: number];

/**
 * Ids read `FORMAT-TAGS-VARIANT-QOS[-…]`; FORMAT `read` is the read path alone (no north app);
 * ending `-thread`, the gateway runs with the Modbus TCP I/O thread on (`TAGWIRE_MODBUS_THREAD=1`).
 */
function spec([id, tags, devices, groups, intervalMs]: Row): LoadSpec {
  const [first, , variant, qos] = id.split('-') as [string, string, string, string];
  return loadSpec(id, tags, devices, groups, intervalMs, {
    format: first === 'read' ? 'none' : first === 'group' ? 'group' : 'uns',
    variant: variant === 'mixed' ? 'mixed' : 'float32',
    qos: qos === 'q0' ? 0 : 1,
    ...(id.endsWith('-thread') ? { env: { TAGWIRE_MODBUS_THREAD: '1' } } : {}),
  });
}

const THROUGHPUT: Row[] = [
  ['read-10k-f32-none', 10_000, 10, 4, 10],
  ['uns-1k-f32-q1', 1_000, 1, 4, 20],
  ['uns-10k-f32-q1', 10_000, 10, 4, 100],
  ['uns-10k-f32-q0', 10_000, 10, 4, 100],
  ['uns-10k-mixed-q1', 10_000, 10, 4, 100],
  ['uns-100k-f32-q1', 100_000, 20, 10, 500],
  ['uns-100k-f32-q0', 100_000, 20, 10, 500],
  ['group-1k-f32-q1', 1_000, 1, 4, 20],
  ['group-10k-f32-q1', 10_000, 10, 4, 50],
  // As fast as the gateway can read: 1M values/s offered, the most 10k tags offer at the shortest interval
  // (10 ms). A run whose plain client exceeds 1.25M float32 values/s caps the ratio below 80 % by the offer.
  ['group-10k-f32-q1-max', 10_000, 10, 4, 10],
  // The same devices with 500-tag groups: 2M values/s offered, above the plain client, so the figure is the
  // gateway's own ceiling whatever the machine's speed.
  ['group-20k-f32-q1-max', 20_000, 10, 4, 10],
  // The same with the Modbus TCP I/O thread on: sockets and framing off the main thread.
  ['group-20k-f32-q1-max-thread', 20_000, 10, 4, 10],
  ['group-10k-f32-q0', 10_000, 10, 4, 50],
  ['group-10k-mixed-q1', 10_000, 10, 4, 50],
  ['group-100k-f32-q1', 100_000, 20, 10, 100],
  ['group-100k-f32-q0', 100_000, 20, 10, 100],
];
const QUICK_THROUGHPUT = ['read-10k-f32-none', 'uns-10k-f32-q1', 'group-10k-f32-q1'];

/**
 * Latency at a fixed offered rate: 10k and 100k tag values per second, every tag once a second
 * (all groups due at the same moment: one burst per second); `small` offers the same 10k/s as
 * 1k tags every 100 ms, i.e. ten bursts a tenth the size.
 */
const LATENCY: Row[] = [
  ['lat-10k-uns-q0', 10_000, 10, 4, 1000],
  ['lat-10k-uns-q1-small', 1_000, 10, 4, 100],
  ['lat-10k-group-q1', 10_000, 10, 4, 1000],
  ['lat-100k-uns-q1', 100_000, 20, 10, 1000],
  ['lat-100k-group-q1', 100_000, 20, 10, 1000],
];

/** The memory run is also the latency run at 10k values/s, format uns, QoS 1 (the defaults). */
export const MEMORY_ID = 'lat-10k-uns-q1';

function latencySpec([id, tags, devices, groups, intervalMs]: Row): LoadSpec {
  const format = id.includes('-group-') ? 'group' : 'uns';
  return loadSpec(id, tags, devices, groups, intervalMs, {
    format,
    variant: 'float32',
    qos: id.endsWith('q0') ? 0 : 1,
  });
}

export function throughputPlan(o: BenchOptions): LoadSpec[] {
  return THROUGHPUT.filter(([id, tags]) =>
    o.quick ? QUICK_THROUGHPUT.includes(id) : !(o.skip100k && tags >= 100_000),
  ).map(spec);
}

export function latencyPlan(o: BenchOptions): LoadSpec[] {
  return LATENCY.filter(([id, tags]) =>
    o.quick ? id === 'lat-10k-uns-q1-small' : !(o.skip100k && tags >= 100_000),
  ).map(latencySpec);
}

export function memorySpec(): LoadSpec {
  return latencySpec([MEMORY_ID, 10_000, 10, 4, 1000]);
}
