import type { DeviceState, ReadingItem } from '../../core/bus.js';
import { GatewayError } from '../../core/errors.js';
import { parseExact, stringifyExact, valueToJson } from '../../core/json.js';
import { ByReadingPosition } from '../../core/reading-positions.js';
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

/** `"name":` of each tag of one group, by the tag's position in the group's readings. */
export class GroupKeys extends ByReadingPosition<string> {
  constructor() {
    super((tag) => `${JSON.stringify(tag.name)}:`);
  }
}

/** Format `group`: every tag of one group read in one message. */
export function groupPayload(timestamp: number, items: ReadingItem[], keys: GroupKeys): string {
  let values = '';
  let errors = '';
  for (let k = 0; k < items.length; k++) {
    const item = items[k] as ReadingItem;
    const v = item.value;
    const key = keys.get(k, item.tag);
    if (v.quality === 'bad') errors += `${errors ? ',' : ''}${key}${JSON.stringify(v.error ?? 'bad')}`;
    else values += `${values ? ',' : ''}${key}${valueToJson(v.value)}`;
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

/** `_set` payload: a JSON value (`42`, `true`, `"AB"`) or `{"value": 42, "id": "abc"}`. */
export function parseSetPayload(payload: Buffer): { value: unknown; id?: unknown } {
  let parsed: unknown;
  try {
    parsed = parseExact(payload.toString('utf8'));
  } catch {
    throw new GatewayError('invalid-value', 'payload is not JSON; send e.g. 42, true, "text" or {"value": 42}');
  }
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const obj = parsed as Record<string, unknown>;
    if (!('value' in obj)) throw new GatewayError('invalid-value', 'object payload needs a "value" key');
    return { value: obj.value, id: obj.id };
  }
  return { value: parsed };
}
