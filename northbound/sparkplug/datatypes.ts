/**
 * Tag types and values → Sparkplug datatypes and metric values, and back for commands.
 * Quality travels as the `Quality` metric property with Sparkplug 3.0's codes (§6.4.9.1).
 */
import type { TagConfig, TagType } from '../../core/config/schema.js';
import { valueToJson } from '../../core/json.js';
import type { Quality, Value } from '../../core/values.js';
import { longBits, type SpbType, type SpbValue } from './codec.js';

const TAG_TYPES: Record<TagType, SpbType> = {
  bool: 'Boolean',
  int8: 'Int8',
  uint8: 'UInt8',
  int16: 'Int16',
  uint16: 'UInt16',
  int32: 'Int32',
  uint32: 'UInt32',
  int64: 'Int64',
  uint64: 'UInt64',
  float32: 'Float',
  float64: 'Double',
  string: 'String',
};

/**
 * The datatype of a tag's metric. A scaled numeric tag publishes raw * scale + offset, which
 * is no longer of the register's type: Double. A tag without a type (OPC UA) takes its
 * datatype from a value; undefined while there is none.
 */
export function metricType(tag: Pick<TagConfig, 'type' | 'scale' | 'offset'>, sample?: Value): SpbType | undefined {
  if (tag.type === undefined) return inferType(sample);
  const scaled = tag.scale !== 1 || tag.offset !== 0;
  if (scaled && tag.type !== 'bool' && tag.type !== 'string') return 'Double';
  return TAG_TYPES[tag.type];
}

const INT64_MAX = 2n ** 63n - 1n;

/** Datatype from a value: numbers are Double (an OPC UA Int32 fits exactly), arrays and objects travel as JSON text. */
export function inferType(value: Value | undefined): SpbType | undefined {
  switch (typeof value) {
    case 'boolean':
      return 'Boolean';
    case 'number':
      return 'Double';
    case 'bigint':
      return value > INT64_MAX ? 'UInt64' : 'Int64';
    case 'string':
      return 'String';
    case 'object':
      return value === null ? undefined : 'String';
    default:
      return undefined;
  }
}

const INTEGER_TYPES = new Set<SpbType>(['Int8', 'Int16', 'Int32', 'UInt8', 'UInt16', 'UInt32']);

/** A tag value as the metric value of `type`; null when it has none (sent as is_null). */
export function toSpbValue(type: SpbType, value: Value): SpbValue {
  if (value === null) return null;
  if (type === 'String') return typeof value === 'string' ? value : valueToJson(value);
  if (type === 'Boolean') {
    if (typeof value === 'boolean') return value;
    return typeof value === 'number' || typeof value === 'bigint' ? Number(value) !== 0 : null;
  }
  const n =
    typeof value === 'bigint' || typeof value === 'number' ? value : typeof value === 'boolean' ? Number(value) : null;
  if (n === null) return null;
  if (type === 'Int64' || type === 'UInt64') {
    // Exact through bigint: a double cannot hold 1234567890123456789.
    if (typeof n === 'bigint') return longBits(n, type === 'UInt64');
    return Number.isFinite(n) ? longBits(BigInt(Math.trunc(n)), type === 'UInt64') : null;
  }
  if (INTEGER_TYPES.has(type)) return Number.isFinite(Number(n)) ? Math.trunc(Number(n)) : null;
  return Number(n);
}

/** Sparkplug 3.0 defines three quality codes; OPC UA's "uncertain" maps to the nearest, STALE. */
export const QUALITY_CODES: Record<Quality, number> = { good: 192, uncertain: 500, bad: 0 };
