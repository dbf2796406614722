import type { DeviceState, ReadingItem } from '../../core/bus.js';
import type { TagConfig } from '../../core/config/schema.js';
import { stringifyExact, valueToJson } from '../../core/json.js';
import type { TagValue, Value } from '../../core/values.js';

/** `{"value": …, "timestamp": …, "quality": …}` built by hand: this runs once per published value. */
export function valuePayload(v: TagValue): string {
  const head = `{"value":${valueToJson(v.value)},"timestamp":${v.timestamp},"quality":"${v.quality}"`;
  const withError = v.error ? `${head},"error":${JSON.stringify(v.error)}` : head;
  return v.meta ? `${withError}${metaFields(v.meta)}}` : `${withError}}`;
}

/** `,"key":value` per field; the payload's own keys are never overwritten by one. */
function metaFields(meta: Readonly<Record<string, Value>>): string {
  let out = '';
  for (const [key, value] of Object.entries(meta)) {
    if (key === 'value' || key === 'timestamp' || key === 'quality' || key === 'error') continue;
    out += `,${JSON.stringify(key)}:${valueToJson(value)}`;
  }
  return out;
}

/** `"name":` per tag configuration object (a new configuration brings new objects; old ones go with it). */
const jsonKeys = new WeakMap<TagConfig, string>();

function jsonKey(tag: TagConfig): string {
  let key = jsonKeys.get(tag);
  if (key === undefined) {
    key = `${JSON.stringify(tag.name)}:`;
    jsonKeys.set(tag, key);
  }
  return key;
}

/** Format `group`: every tag of one group read in one message. */
export function groupPayload(timestamp: number, items: ReadingItem[]): string {
  let values = '';
  let errors = '';
  for (const item of items) {
    const v = item.value;
    if (v.quality === 'bad') errors += `${errors ? ',' : ''}${jsonKey(item.tag)}${JSON.stringify(v.error ?? 'bad')}`;
    else values += `${values ? ',' : ''}${jsonKey(item.tag)}${valueToJson(v.value)}`;
  }
  return `{"timestamp":${timestamp},"values":{${values}},"errors":{${errors}}}`;
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
