import type { DeviceState, ReadingItem } from '../../core/bus.js';
import { stringifyExact, valueToJson } from '../../core/json.js';
import type { TagValue } from '../../core/values.js';

/** `{"value": …, "timestamp": …, "quality": …}` built by hand: this runs once per published value. */
export function valuePayload(v: TagValue): string {
  const head = `{"value":${valueToJson(v.value)},"timestamp":${v.timestamp},"quality":"${v.quality}"`;
  return v.error ? `${head},"error":${JSON.stringify(v.error)}}` : `${head}}`;
}

/** Format `group`: every tag of one group read in one message. */
export function groupPayload(timestamp: number, items: ReadingItem[]): string {
  const values: string[] = [];
  const errors: string[] = [];
  for (const item of items) {
    const key = JSON.stringify(item.tag.name);
    if (item.value.quality === 'bad') errors.push(`${key}:${JSON.stringify(item.value.error ?? 'bad')}`);
    else values.push(`${key}:${valueToJson(item.value.value)}`);
  }
  return `{"timestamp":${timestamp},"values":{${values.join(',')}},"errors":{${errors.join(',')}}}`;
}

export function statusPayload(state: DeviceState): string {
  return stringifyExact(state);
}

export function gatewayPayload(online: boolean, version: string): string {
  return JSON.stringify({ online, timestamp: Date.now(), version });
}

export function setResultPayload(id: unknown, error?: { code: string; message: string }): string {
  const base: Record<string, unknown> = {};
  if (id !== undefined) base.id = id;
  if (error)
    return stringifyExact({ ...base, ok: false, error: error.code, message: error.message, timestamp: Date.now() });
  return stringifyExact({ ...base, ok: true, timestamp: Date.now() });
}
