import type { AlarmConfig } from '../config/schema.js';
import type { Value } from '../values.js';

/**
 * Whether an alarm's condition holds for a value. `active` is the alarm's state now: the
 * deadband makes an active alarm clear only once the value is past the limit by that much.
 * Undefined when the value cannot be judged (not a number for a limit): the state is kept.
 */
export type AlarmCondition = (value: Value, active: boolean) => boolean | undefined;

function asNumber(value: Value): number | undefined {
  if (typeof value === 'number') return Number.isNaN(value) ? undefined : value;
  if (typeof value === 'bigint') return Number(value);
  return undefined;
}

function equalTo(expected: number | boolean | string): AlarmCondition {
  if (typeof expected === 'number') {
    return (value) => {
      const n = asNumber(value);
      return n === undefined
        ? typeof value === 'string' || typeof value === 'boolean'
          ? false
          : undefined
        : n === expected;
    };
  }
  return (value) => (value === null ? undefined : value === expected);
}

/** The condition of `above`, `below` or `equals`; undefined for `when` (built by the expression side). */
export function limitCondition(def: AlarmConfig): AlarmCondition | undefined {
  const deadband = def.deadband ?? 0;
  if (def.above !== undefined) {
    const limit = def.above;
    const clearAt = limit - deadband;
    return (value, active) => {
      const n = asNumber(value);
      if (n === undefined) return undefined;
      return active ? n > clearAt : n > limit;
    };
  }
  if (def.below !== undefined) {
    const limit = def.below;
    const clearAt = limit + deadband;
    return (value, active) => {
      const n = asNumber(value);
      if (n === undefined) return undefined;
      return active ? n < clearAt : n < limit;
    };
  }
  if (def.equals !== undefined) return equalTo(def.equals);
  return undefined;
}

/** `{value}` (— before the tag has one), `{name}`, `{unit}`, `{description}` in an alarm message, filled in. */
export function alarmMessage(
  def: AlarmConfig,
  tag: { name: string; unit?: string | undefined; description?: string | undefined },
  value: Value,
): string {
  const template = def.message ?? defaultMessage(def, tag.name);
  if (!template.includes('{')) return template;
  return template.replace(/\{(value|name|unit|description)\}/g, (_all, field: string) => {
    if (field === 'value')
      return value === null ? '—' : typeof value === 'object' ? JSON.stringify(value) : String(value);
    if (field === 'name') return tag.name;
    if (field === 'unit') return tag.unit ?? '';
    return tag.description ?? '';
  });
}

function defaultMessage(def: AlarmConfig, tagName: string): string {
  if (def.above !== undefined) return `${tagName} above ${def.above}`;
  if (def.below !== undefined) return `${tagName} below ${def.below}`;
  if (def.equals !== undefined) return `${tagName} is ${JSON.stringify(def.equals)}`;
  return `${tagName}: ${def.name}`;
}
