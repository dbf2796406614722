/** Per-value costs after decoding: change filter, payload text (uns and group formats). */
import type { ReadingItem } from '../../core/bus.js';
import { newPublishedState, shouldPublish } from '../../core/change-filter.js';
import type { TagConfig } from '../../core/config/schema.js';
import { goodValue } from '../../core/values.js';
import { GroupKeys, groupPayload, valuePayload } from '../../northbound/mqtt/payload.js';
import { type MicroResult, timeIt } from './time-it.js';

const N = 250;

export function publishPathMicro(): MicroResult[] {
  const now = Date.now();
  const values = Array.from({ length: N }, (_, i) => goodValue(Math.fround(20 + Math.sin(i)), now));
  const tags = values.map(
    (_, i) =>
      ({ name: `g0/t${i}`, address: `hr:${2 * i}`, access: 'read', scale: 1, offset: 0, deadband: 0 }) as TagConfig,
  );
  const states = values.map(() => newPublishedState());
  const items: ReadingItem[] = values.map((value, i) => ({
    tag: tags[i] as TagConfig,
    topic: `bench/x/d0/g0/t${i}`,
    value,
    publish: true,
  }));
  const group = { publish: 'always' as const, heartbeatMs: 0 };
  const keys = new GroupKeys();
  let sink = 0;
  const results = [
    timeIt(
      'change filter (publish: always)',
      N,
      () => {
        for (let i = 0; i < N; i++) if (shouldPublish(states[i]!, values[i]!, group, tags[i]!, now)) sink++;
      },
      'change-filter.ts shouldPublish',
    ),
    timeIt(
      'uns payload text',
      N,
      () => {
        for (let i = 0; i < N; i++) sink += valuePayload(values[i]!).length;
      },
      'payload.ts valuePayload',
    ),
    timeIt(
      'group payload text',
      N,
      () => {
        sink += groupPayload(now, items, keys).length;
      },
      'payload.ts groupPayload, per value of a 250-tag group',
    ),
  ];
  if (sink === -1) process.stdout.write('');
  return results;
}
