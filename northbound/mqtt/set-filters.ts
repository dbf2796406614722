import { joinTopic, SET_SUFFIX, tagTopic } from '../../core/uns.js';
import { dotsAsLevels } from '../unexpected-topics.js';

/** A device whose `_set` requests are to be received: its topic and the names of its tags. */
export interface SetSource {
  topic: string;
  tags: ReadonlySet<string>;
}

/**
 * The topic filters that receive the `_set` requests of `devices`: per device one filter per
 * level count of its tag names, `{device topic}/+/_set` for `pump`, `{device topic}/+/+/_set`
 * for `motor/speed` — not one subscription per tag, which at 100,000 tags is a 4 MB SUBSCRIBE
 * (above EMQX's default packet limit of 1 MB), seconds of broker work on every connect and
 * 100,000 entries in the broker's subscription tree. A request for a tag the device does
 * not have arrives too and is ignored (another gateway may serve that tag under the same
 * device topic).
 *
 * A broker that rewrites `.` as `/` (RabbitMQ) rewrites the filters as well, so a tag with
 * dots counts its levels both ways: `motor.speed` also gets `/+/+/_set`.
 *
 * MQTT lets a broker deliver a message once per matching subscription, and a request must
 * never become two writes: when the filters of two devices could match one topic (one device
 * topic equal to or nested in the other's, with a filter of the same length, in either form)
 * both devices are subscribed tag by tag, as those exact topics match nothing else.
 */
export function setFilters(devices: readonly SetSource[]): string[] {
  const plans = devices.map(planFor);
  const exact = new Set<DevicePlan>();
  for (let i = 0; i < plans.length; i++) {
    for (let j = i + 1; j < plans.length; j++) {
      const a = plans[i] as DevicePlan;
      const b = plans[j] as DevicePlan;
      if (mayOverlap(a, b, 'asIs') || mayOverlap(a, b, 'dotted')) {
        exact.add(a);
        exact.add(b);
      }
    }
  }
  const filters = new Set<string>();
  for (const plan of plans) {
    if (exact.has(plan)) {
      for (const tag of plan.source.tags) filters.add(tagTopic(plan.source.topic, tag) + SET_SUFFIX);
    } else {
      for (const depth of plan.depths) filters.add(joinTopic(plan.source.topic, '+/'.repeat(depth) + '_set'));
    }
  }
  return [...filters];
}

type Form = 'asIs' | 'dotted';

interface DevicePlan {
  source: SetSource;
  /** The `+` counts of the device's filters (tag levels as written and with `.` as `/`). */
  depths: number[];
  levels: Record<Form, string[]>;
}

function planFor(source: SetSource): DevicePlan {
  const depths = new Set<number>();
  for (const tag of source.tags) {
    depths.add(levelsOf(tag).length);
    depths.add(levelsOf(dotsAsLevels(tag)).length);
  }
  return {
    source,
    depths: [...depths].sort((x, y) => x - y),
    levels: { asIs: levelsOf(source.topic), dotted: levelsOf(dotsAsLevels(source.topic)) },
  };
}

function levelsOf(topic: string): string[] {
  return topic === '' ? [] : topic.split('/');
}

/** Whether a filter of `a` and one of `b` could match one topic on a broker that sees topics in `form`. */
function mayOverlap(a: DevicePlan, b: DevicePlan, form: Form): boolean {
  const [short, long] = a.levels[form].length <= b.levels[form].length ? [a, b] : [b, a];
  const shortLevels = short.levels[form];
  const longLevels = long.levels[form];
  // The longer topic's extra levels fall on the shorter one's `+`: only a common start matters.
  for (let k = 0; k < shortLevels.length; k++) if (shortLevels[k] !== longLevels[k]) return false;
  const lengths = new Set(short.depths.map((d) => shortLevels.length + d));
  return long.depths.some((d) => lengths.has(longLevels.length + d));
}
