import type { DeviceState, ReadingItem } from '../../core/bus.js';
import type { TagConfig } from '../../core/config/schema.js';
import { stringifyExact, valueToJson } from '../../core/json.js';
import type { TagValue } from '../../core/values.js';

/** `{"value": …, "timestamp": …, "quality": …}` built by hand: this runs once per published value. */
export function valuePayload(v: TagValue): string {
  const head = `{"value":${valueToJson(v.value)},"timestamp":${v.timestamp},"quality":"${v.quality}"`;
  return v.error ? `${head},"error":${JSON.stringify(v.error)}}` : `${head}}`;
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

/** A device's `_status`; a device built from a model says which (SPEC §3.6). */
export function statusPayload(state: DeviceState, model?: string): string {
  return stringifyExact(model === undefined ? state : { ...state, model });
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
