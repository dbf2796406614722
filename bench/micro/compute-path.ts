/**
 * The compute driver's delivery path on its own (drivers/compute): one input reading of 100 changed tags
 * → 100 evaluations of `{src/gG/tK} * 2 + 1`, their values handed to `deliver`. The feed answers from a
 * map, `deliver` keeps nothing: what is timed is the driver's own work per evaluation.
 */
import type { GroupReading, ReadingItem } from '../../core/bus.js';
import type { DeviceConfig, TagConfig } from '../../core/config/schema.js';
import { silentLogger } from '../../core/log.js';
import type { DriverContext } from '../../core/plugin.js';
import { goodValue, type TagValue } from '../../core/values.js';
import { systemClock } from '../../drivers/compute/clock.js';
import { ComputeDriver } from '../../drivers/compute/driver.js';
import { type MicroResult, timeIt } from './time-it.js';

const N = 100;

export function computePathMicro(): MicroResult[] {
  const names = Array.from({ length: N }, (_, i) => `g0/t${i}`);
  const tag = (name: string, extra: Record<string, unknown>) =>
    ({ name, access: 'read', scale: 1, offset: 0, deadband: 0, ...extra }) as TagConfig;
  const device: DeviceConfig = {
    name: 'calc',
    driver: 'compute',
    enabled: true,
    settings: {},
    groups: [
      {
        name: 'g0',
        intervalMs: 1000,
        publish: 'change',
        heartbeatMs: 60_000,
        trigger: 'change',
        tags: names.map((n) => tag(n, { expression: `{src/${n}} * 2 + 1` })),
      },
    ],
  };
  const current = new Map<string, TagValue>();
  let listener: ((reading: GroupReading) => void) | undefined;
  let delivered = 0;
  const ctx: DriverContext = {
    device,
    settings: {},
    log: silentLogger(),
    dataDir: '.',
    connectionLost: () => undefined,
    tagValues: {
      current: (d, t) => current.get(`${d}/${t}`),
      subscribe: (l) => {
        listener = l;
        return () => undefined;
      },
      generation: 0,
    },
    deliver: (_group, values) => {
      delivered += values.length;
    },
  };
  const driver = new ComputeDriver(ctx, systemClock);
  void driver.connect();
  const sourceTags = names.map((n) => tag(n, { address: n }));
  let counter = 0;
  const reading = (): GroupReading => {
    counter++;
    const now = Date.now();
    const items: ReadingItem[] = sourceTags.map((t, i) => {
      const value = goodValue(counter * 1000 + i, now);
      current.set(`src/${t.name}`, value);
      return { tag: t, topic: `src/${t.name}`, value, publish: true };
    });
    return { device: 'src', group: 'g0', timestamp: now, items };
  };
  // Readings made beforehand, so that only the driver's work is timed.
  const readings = Array.from({ length: 64 }, reading);
  const keys = names.map((n) => `src/${n}`);
  let next = 0;
  const result = timeIt(
    'compute: evaluate and deliver (per evaluation)',
    N,
    () => {
      const r = readings[next++ % readings.length] as GroupReading;
      // Every input changes on every reading: the driver compares with the last value it saw.
      for (let i = 0; i < N; i++) current.set(keys[i] as string, (r.items[i] as ReadingItem).value);
      listener?.(r);
    },
    'drivers/compute/driver.ts onReading → evaluate → deliver',
    1000,
  );
  void driver.close();
  if (delivered === 0) throw new Error('the compute driver delivered nothing');
  return [result];
}
