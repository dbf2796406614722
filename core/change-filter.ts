import type { GroupConfig, TagConfig } from './config/schema.js';
import type { TagValue, Value } from './values.js';

/** What was last published for one tag; the filter compares against it, not against the last read. */
export interface PublishedState {
  value: Value | undefined;
  quality: TagValue['quality'] | undefined;
  at: number;
}

export function newPublishedState(): PublishedState {
  return { value: undefined, quality: undefined, at: 0 };
}

function sameValue(a: Value | undefined, b: Value, deadband: number): boolean {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) && Number.isNaN(b)) return true;
    return deadband > 0 ? Math.abs(b - a) <= deadband : a === b;
  }
  if (typeof a === 'bigint' && typeof b === 'bigint') {
    return deadband > 0 ? Number(b > a ? b - a : a - b) <= deadband : a === b;
  }
  if (typeof b === 'object' && b !== null) return JSON.stringify(a, bigintSafe) === JSON.stringify(b, bigintSafe);
  return a === b;
}

function bigintSafe(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? v.toString() : v;
}

/**
 * Decides whether a reading is published (SPEC §4) and, if so, records it:
 * - a change of quality is always published; a bad value only once, at the change to bad;
 * - `always`: every good read; `change`: when it differs by more than `deadband`
 *   (any change for non-numbers) or when `heartbeatMs` has passed since the last publish.
 */
export function shouldPublish(
  state: PublishedState,
  reading: TagValue,
  group: Pick<GroupConfig, 'publish' | 'heartbeatMs'>,
  tag: Pick<TagConfig, 'deadband'>,
  now: number,
): boolean {
  let publish: boolean;
  if (reading.quality !== state.quality) publish = true;
  else if (reading.quality === 'bad') publish = false;
  else if (group.publish === 'always') publish = true;
  else if (!sameValue(state.value, reading.value, tag.deadband)) publish = true;
  else publish = group.heartbeatMs > 0 && now - state.at >= group.heartbeatMs;
  if (publish) {
    state.value = reading.value;
    state.quality = reading.quality;
    state.at = now;
  }
  return publish;
}
