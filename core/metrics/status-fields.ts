/** Safe reads of the loosely typed status objects (`Gateway.status()`), for the metrics collectors. */

export type Fields = Record<string, unknown>;

export function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function fields(value: unknown): Fields {
  return isFields(value) ? value : {};
}

/** A finite number at `key`, or undefined. */
export function num(obj: Fields, key: string): number | undefined {
  const v = obj[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** A counter of a status payload's typed counters (`DeviceCounters`, `NorthCounters`): a renamed one fails the build. */
export function counter<C extends object>(counters: unknown, key: keyof C & string): number | undefined {
  return num(fields(counters), key);
}

export function str(obj: Fields, key: string): string | undefined {
  const v = obj[key];
  return typeof v === 'string' ? v : undefined;
}
