/** A value as read from a device: numbers, 64-bit integers as bigint, booleans, strings, OPC UA arrays/objects. */
export type Value = number | bigint | boolean | string | null | Value[] | { [key: string]: Value };

export type Quality = 'good' | 'uncertain' | 'bad';

/** One reading of one tag: SPEC §4 payload. */
export interface TagValue {
  value: Value;
  /** Milliseconds since the Unix epoch when the value was read (or the OPC UA source timestamp). */
  timestamp: number;
  quality: Quality;
  /** Stable error code when quality is bad. */
  error?: string;
  /** Further fields of the value's `uns` payload (a computed aggregate's `window`), in this order. */
  meta?: Readonly<Record<string, Value>>;
}

export function goodValue(value: Value, timestamp: number): TagValue {
  return { value, timestamp, quality: 'good' };
}

export function badValue(error: string, timestamp: number): TagValue {
  return { value: null, timestamp, quality: 'bad', error };
}
