/** One DataValue from a Read or a notification → the tag's TagValue (SPEC §4). */
import type { DataValue } from 'node-opcua';
import type { TagConfig } from '../../core/config/schema.js';
import { GatewayError } from '../../core/errors.js';
import { badValue, type TagValue, type Value } from '../../core/values.js';
import { coerceToTagType, toEngineering, variantToValue } from './convert.js';
import { statusError, statusQuality } from './status.js';

/** Before 1601 is OPC UA's "no timestamp"; node-opcua decodes it as that date or null. */
const OPCUA_MIN_DATE = Date.UTC(1601, 0, 2);

/** A DataValue timestamp in ms, or undefined when it is missing or OPC UA's "no timestamp". */
export function usable(date: Date | null | undefined): number | undefined {
  const ms = date?.getTime();
  return ms !== undefined && Number.isFinite(ms) && ms > OPCUA_MIN_DATE ? ms : undefined;
}

/** The source timestamp when the server gives one, else the server timestamp, else now. */
export function timestampOf(dv: DataValue, now = Date.now()): number {
  return usable(dv.sourceTimestamp) ?? usable(dv.serverTimestamp) ?? now;
}

/**
 * Quality from the status code; value converted, coerced to the tag's `type`, scaled. NaN or
 * ±Infinity anywhere in it: bad `not-a-number` (JSON cannot carry them).
 */
export function toTagValue(dv: DataValue, tag: TagConfig, now = Date.now()): TagValue {
  const timestamp = timestampOf(dv, now);
  const quality = statusQuality(dv.statusCode);
  if (quality === 'bad') return badValue(statusError(dv.statusCode), timestamp);
  try {
    let value: Value = variantToValue(dv.value);
    if (tag.type !== undefined) value = coerceToTagType(value, tag.type, tag.length);
    value = toEngineering(value, tag.scale, tag.offset);
    // A huge number times `scale` can overflow to Infinity, which has no JSON form either.
    if (typeof value === 'number' && !Number.isFinite(value)) return badValue('not-a-number', timestamp);
    return { value, timestamp, quality };
  } catch (err) {
    return badValue(err instanceof GatewayError ? err.code : 'bad-response', timestamp);
  }
}
