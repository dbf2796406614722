/**
 * Alarm evaluation on the bus: 10,000 tags with one `above` alarm each, read in groups of 250,
 * as the device runners hand them to the bus. Target (alarms issue): ≤ 0.3 CPU-s per million
 * evaluations, i.e. ≤ 300 ns each, on top of what the gateway spends without alarms.
 */
import { builtinRegistry } from '../../app/builtin-plugins.js';
import { AlarmService } from '../../core/alarms/alarm-service.js';
import { Bus, type GroupReading } from '../../core/bus.js';
import type { TagConfig } from '../../core/config/schema.js';
import { validateConfig } from '../../core/config/validate.js';
import { silentLogger } from '../../core/log.js';
import { openMemoryDb } from '../../core/store/memory-db.js';
import { goodValue } from '../../core/values.js';
import type { MicroResult } from './time-it.js';

const TAGS = 10_000;
const PER_GROUP = 250;
export const ALARM_MICRO_NAME = 'alarm evaluation (10k tags, one alarm each)';

function benchConfig() {
  const groups = Array.from({ length: TAGS / PER_GROUP }, (_, g) => ({
    name: `g${g}`,
    tags: Array.from({ length: PER_GROUP }, (_, t) => ({
      name: `g${g}/t${t}`,
      address: `hr:${t}`,
      type: 'float32',
      alarms: [{ name: 'high', above: 80, deadband: 2, severity: 'high' }],
    })),
  }));
  const result = validateConfig(
    { gateway: {}, devices: [{ name: 'd0', driver: 'modbus-tcp', settings: { host: '127.0.0.1' }, groups }] },
    builtinRegistry(),
  );
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.config;
}

export function alarmMicro(): MicroResult[] {
  const config = benchConfig();
  const bus = new Bus();
  const alarms = new AlarmService({ db: openMemoryDb(), log: silentLogger() });
  alarms.attach(bus);
  alarms.configure(config);
  const now = Date.now();
  // Half the tags above the limit (their alarms active), half below: steady, as a plant mostly is.
  const readings: GroupReading[] = config.devices[0]!.groups.map((g) => ({
    device: 'd0',
    group: g.name,
    timestamp: now,
    items: g.tags.map((tag: TagConfig, i) => ({
      tag,
      topic: tag.name,
      value: goodValue(i % 2 === 0 ? 85 + Math.sin(i) : 20 + Math.sin(i), now),
      publish: true,
    })),
  }));
  for (const r of readings) bus.emitReading(r); // the first pass raises the active half
  const pass = () => {
    for (const r of readings) bus.emitReading(r);
  };
  const withAlarms = cpuTime(pass, TAGS);
  alarms.stop();
  return [
    {
      name: ALARM_MICRO_NAME,
      nsPerItem: withAlarms,
      note: 'CPU time (not wall) of bus → AlarmService: lookup, condition, state; ÷ 1000 = CPU-s per 1M',
    },
  ];
}

/**
 * CPU nanoseconds (user + system) per item, after a warm-up: the target is CPU-s, and on a
 * shared machine wall time would count the time other processes had the core.
 */
function cpuTime(fn: () => void, items: number, minMs = 1000): number {
  const warmUntil = performance.now() + minMs / 3;
  while (performance.now() < warmUntil) fn();
  const start = process.cpuUsage();
  let calls = 0;
  const wallStart = performance.now();
  while (performance.now() - wallStart < minMs) {
    fn();
    calls++;
  }
  const used = process.cpuUsage(start);
  return Math.round(((used.user + used.system) * 1000) / (calls * items));
}
