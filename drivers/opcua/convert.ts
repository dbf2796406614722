/**
 * Variant ⇄ Value: what an OPC UA server sends becomes plain JSON-able values (SPEC §4), a
 * tag's `type` coerces it, and a written JSON value becomes a Variant of the node's DataType.
 */

import {
  DataType,
  DataValue,
  LocalizedText,
  NodeId,
  QualifiedName,
  StatusCode,
  Variant,
  VariantArrayType,
} from 'node-opcua';
import type { TagType } from '../../core/config/schema.js';
import { GatewayError } from '../../core/errors.js';
import { shortestFloat32 } from '../../core/float32.js';
import { linearScale } from '../../core/linear-scale.js';
import type { Value } from '../../core/values.js';
import { wholeRaw } from '../../core/write-value.js';
import { statusName } from './status.js';

export { shortestFloat32 };

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const TWO_64 = 2n ** 64n;
/** OPC UA's "null" DateTime is 1601-01-01 (and anything before it). */
const OPCUA_MIN_DATE = Date.UTC(1601, 0, 1);

/** Inclusive limits of the integer types, as bigint so 64-bit bounds are exact. */
const INT_RANGE: Partial<Record<DataType, [bigint, bigint]>> = {
  [DataType.SByte]: [-128n, 127n],
  [DataType.Byte]: [0n, 255n],
  [DataType.Int16]: [-(2n ** 15n), 2n ** 15n - 1n],
  [DataType.UInt16]: [0n, 2n ** 16n - 1n],
  [DataType.Int32]: [-(2n ** 31n), 2n ** 31n - 1n],
  [DataType.UInt32]: [0n, 2n ** 32n - 1n],
  [DataType.Int64]: [-(2n ** 63n), 2n ** 63n - 1n],
  [DataType.UInt64]: [0n, TWO_64 - 1n],
};

/** The OPC UA type a tag `type` coerces to (for ranges and rounding). */
const TAG_DATA_TYPE: Record<TagType, DataType> = {
  bool: DataType.Boolean,
  int16: DataType.Int16,
  uint16: DataType.UInt16,
  int32: DataType.Int32,
  uint32: DataType.UInt32,
  int64: DataType.Int64,
  uint64: DataType.UInt64,
  float32: DataType.Float,
  float64: DataType.Double,
  string: DataType.String,
};

/** A plain number when that loses nothing, else the bigint. */
export function exact(v: bigint): number | bigint {
  return v >= MIN_SAFE && v <= MAX_SAFE ? Number(v) : v;
}

/** node-opcua carries 64-bit integers as [high, low] unsigned 32-bit words. */
export function wordsToBigInt(words: readonly number[], signed: boolean): bigint {
  const unsigned = (BigInt((words[0] ?? 0) >>> 0) << 32n) | BigInt((words[1] ?? 0) >>> 0);
  return signed ? BigInt.asIntN(64, unsigned) : unsigned;
}

export function bigIntToWords(v: bigint): [number, number] {
  const u = BigInt.asUintN(64, v);
  return [Number(u >> 32n), Number(u & 0xffffffffn)];
}

function int64Value(raw: unknown, signed: boolean): number | bigint | null {
  if (typeof raw === 'bigint') return exact(raw);
  if (typeof raw === 'number') return raw;
  if (Array.isArray(raw)) return exact(wordsToBigInt(raw as number[], signed));
  return null;
}

/**
 * JSON has no NaN or ±Infinity, and a string in their place would pass for a good value: such a
 * number anywhere in a value (scalar, array element, structure field) makes the whole value bad.
 */
function finite(n: number): number {
  if (Number.isFinite(n)) return n;
  throw new GatewayError('not-a-number', `the server sent ${n}, which has no JSON form`);
}

/** One scalar of a known built-in type → Value. */
function scalarToValue(dataType: DataType, raw: unknown): Value {
  if (raw === null || raw === undefined) return null;
  switch (dataType) {
    case DataType.Null:
      return null;
    case DataType.Boolean:
      return Boolean(raw);
    case DataType.Float:
      return typeof raw === 'number' ? shortestFloat32(finite(raw)) : null;
    case DataType.Int64:
      return int64Value(raw, true);
    case DataType.UInt64:
      return int64Value(raw, false);
    case DataType.DateTime:
      return dateToValue(raw);
    case DataType.ByteString:
      return Buffer.isBuffer(raw) ? raw.toString('base64') : null;
    default:
      return anyToValue(raw);
  }
}

function dateToValue(raw: unknown): Value {
  if (!(raw instanceof Date) || Number.isNaN(raw.getTime()) || raw.getTime() <= OPCUA_MIN_DATE) return null;
  return raw.toISOString();
}

/** Flat array + dimensions (a Matrix variant) → nested arrays, first dimension outermost. */
function nest(flat: Value[], dimensions: readonly number[]): Value[] {
  if (dimensions.length <= 1) return flat;
  const [first, ...rest] = dimensions;
  const size = rest.reduce((a, b) => a * b, 1);
  const out: Value[] = [];
  for (let i = 0; i < (first ?? 0); i++) out.push(nest(flat.slice(i * size, (i + 1) * size), rest));
  return out;
}

/** A Variant as read from a server → Value (null for an empty variant). */
export function variantToValue(variant: Variant | null | undefined): Value {
  if (!variant) return null;
  const { dataType, arrayType, value } = variant;
  if (arrayType === VariantArrayType.Scalar) return scalarToValue(dataType, value);
  if (value === null || value === undefined) return null;
  const flat = Array.from(value as ArrayLike<unknown>, (v) => scalarToValue(dataType, v));
  return arrayType === VariantArrayType.Matrix && variant.dimensions ? nest(flat, variant.dimensions) : flat;
}

interface SchemaField {
  name: string;
  fieldType: string;
  isArray?: boolean;
}
interface SchemaLike {
  fields?: SchemaField[];
}

/** A structure (ExtensionObject, decoded custom type) → a plain object of its fields. */
function structureToValue(obj: object, schema: SchemaLike | undefined): { [key: string]: Value } {
  const out: { [key: string]: Value } = {};
  const record = obj as Record<string, unknown>;
  if (schema?.fields && schema.fields.length > 0) {
    for (const field of schema.fields) out[field.name] = fieldToValue(record[field.name], field);
    return out;
  }
  for (const [key, v] of Object.entries(record)) {
    if (typeof v !== 'function' && key !== 'schema') out[key] = anyToValue(v);
  }
  return out;
}

function fieldToValue(raw: unknown, field: SchemaField): Value {
  // 64-bit fields are [high, low] word pairs: only the schema tells them from an array of two numbers.
  if (field.fieldType === 'Int64' || field.fieldType === 'UInt64') {
    const signed = field.fieldType === 'Int64';
    if (field.isArray && Array.isArray(raw)) return raw.map((w) => int64Value(w, signed));
    return int64Value(raw, signed);
  }
  if (field.fieldType === 'Float') {
    if (typeof raw === 'number') return shortestFloat32(finite(raw));
    if (raw instanceof Float32Array) return Array.from(raw, (f) => shortestFloat32(finite(f)));
  }
  return anyToValue(raw);
}

/** Anything found inside a value (structure fields, Variant elements) → Value; never a class instance. */
export function anyToValue(raw: unknown): Value {
  if (raw === null || raw === undefined) return null;
  switch (typeof raw) {
    case 'number':
      return finite(raw);
    case 'bigint':
      return exact(raw);
    case 'boolean':
    case 'string':
      return raw;
    case 'function':
    case 'symbol':
      return null;
  }
  if (raw instanceof Date) return dateToValue(raw);
  if (Buffer.isBuffer(raw)) return raw.toString('base64');
  if (ArrayBuffer.isView(raw)) return Array.from(raw as unknown as ArrayLike<number>, (n) => anyToValue(n));
  if (Array.isArray(raw)) return raw.map((v) => anyToValue(v));
  if (raw instanceof Variant) return variantToValue(raw);
  if (raw instanceof DataValue) return variantToValue(raw.value);
  if (raw instanceof LocalizedText) return raw.text ?? null;
  if (raw instanceof QualifiedName) return raw.name ?? null;
  if (raw instanceof NodeId) return raw.toString();
  if (raw instanceof StatusCode) return statusName(raw);
  return structureToValue(raw, (raw as { schema?: SchemaLike }).schema);
}

/** published = raw * scale + offset; the identity keeps 64-bit integers exact. */
export function toEngineering(raw: Value, scale: number, offset: number): Value {
  if (scale === 1 && offset === 0) return raw;
  if (typeof raw === 'number' || typeof raw === 'bigint') return linearScale(scale, offset)(Number(raw));
  return raw;
}

function failCoerce(value: Value, type: TagType): GatewayError {
  const shown = typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
  return new GatewayError('bad-response', `the server's value ${shown.slice(0, 80)} cannot be read as ${type}`);
}

// -2.5 → -3 like 2.5 → 3: symmetric, which is what people expect of "nearest".
function roundHalfAwayFromZero(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x)) || 0;
}

/** A read value as a number or bigint, or undefined when it is not numeric. */
function numericOf(value: Value): number | bigint | undefined {
  if (typeof value === 'number' || typeof value === 'bigint') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string' && value.trim() !== '') {
    if (/^-?\d+$/.test(value.trim())) return exact(BigInt(value.trim()));
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/**
 * Coerces a read value to the tag's `type` (e.g. Double 21.7 read as int16 → 22). Throws
 * GatewayError('bad-response') when it cannot be represented.
 */
export function coerceToTagType(value: Value, type: TagType, length?: number): Value {
  if (value === null) return null;
  if (type === 'string') {
    const text = typeof value === 'object' ? JSON.stringify(value, bigintReplacer) : String(value);
    return length === undefined ? text : truncateUtf8(text, length);
  }
  if (type === 'bool') {
    if (typeof value === 'boolean') return value;
    if (typeof value === 'number' || typeof value === 'bigint') return Number(value) !== 0;
    if (value === 'true' || value === 'false') return value === 'true';
    throw failCoerce(value, type);
  }
  const n = numericOf(value);
  if (n === undefined) throw failCoerce(value, type);
  if (type === 'float64') return Number(n);
  if (type === 'float32') {
    const f = Math.fround(Number(n));
    if (!Number.isFinite(f) && Number.isFinite(Number(n))) throw failCoerce(value, type);
    return shortestFloat32(f);
  }
  const [min, max] = INT_RANGE[TAG_DATA_TYPE[type]] ?? [0n, 0n];
  let big: bigint;
  if (typeof n === 'bigint') big = n;
  else if (Number.isFinite(n)) big = BigInt(roundHalfAwayFromZero(n));
  else throw failCoerce(value, type);
  if (big < min || big > max) throw failCoerce(value, type);
  return exact(big);
}

function bigintReplacer(_key: string, v: unknown): unknown {
  return typeof v === 'bigint' ? v.toString() : v;
}

/** At most `length` UTF-8 bytes, never cutting a character in two. */
function truncateUtf8(text: string, length: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= length) return text;
  let end = length;
  // Back off continuation bytes (10xxxxxx) so the cut lands on a character boundary.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}

/** The tag's `type` as the OPC UA built-in type, for reports and writes. */
export function tagDataType(type: TagType): DataType {
  return TAG_DATA_TYPE[type];
}

export function dataTypeName(dataType: DataType): string {
  return DataType[dataType] ?? `DataType${dataType}`;
}

/** What a write needs to know about a node, read once per node and cached. */
export interface NodeType {
  dataType: DataType;
  /** OPC UA ValueRank: -1 scalar, 1 one dimension, 0/-2/-3 either, … */
  valueRank: number;
}

export interface WriteScaling {
  /** The tag's name, for messages. */
  name?: string;
  scale: number;
  offset: number;
  length?: number;
}

function invalid(value: unknown, dataType: DataType): GatewayError {
  const got = Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`;
  return new GatewayError('invalid-value', `${dataTypeName(dataType)} cannot be written from ${got}`);
}

/** (value - offset) / scale as a number or an exact bigint, checking the JSON type. */
function scaledInput(value: unknown, dataType: DataType, tag: WriteScaling): number | bigint {
  const is64 = dataType === DataType.Int64 || dataType === DataType.UInt64;
  let input: number | bigint;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new GatewayError('invalid-value', `${value} cannot be written`);
    input = value;
  } else if (typeof value === 'bigint') {
    input = value;
  } else if (typeof value === 'string' && is64 && /^-?\d+$/.test(value)) {
    // JSON numbers lose digits beyond 2^53, so 64-bit values may come as decimal strings.
    input = BigInt(value);
  } else {
    throw invalid(value, dataType);
  }
  if (tag.scale === 1 && tag.offset === 0) return input;
  const scaled = (Number(input) - tag.offset) / tag.scale;
  if (!Number.isFinite(scaled)) throw new GatewayError('out-of-range', `${value} scales to ${scaled}`);
  return scaled;
}

function integerFromJson(value: unknown, dataType: DataType, tag: WriteScaling): number | [number, number] {
  const [min, max] = INT_RANGE[dataType] ?? [0n, 0n];
  const input = scaledInput(value, dataType, tag);
  // A fraction is refused, never rounded (SPEC §3.1).
  const n =
    typeof input === 'bigint' ? input : BigInt(wholeRaw(Number(value), { ...tag, type: dataTypeName(dataType) }));
  if (n < min || n > max) {
    throw new GatewayError('out-of-range', `${String(value)} does not fit ${dataTypeName(dataType)} (${min}..${max})`);
  }
  // Beyond 2^53 a JSON number has already lost digits; writing it would store a different value.
  if (typeof input === 'number' && tag.scale === 1 && tag.offset === 0 && !Number.isSafeInteger(Number(n))) {
    throw new GatewayError(
      'invalid-value',
      `${value} is not exact as a JSON number; send ${dataTypeName(dataType)} as a decimal string`,
    );
  }
  return dataType === DataType.Int64 || dataType === DataType.UInt64 ? bigIntToWords(n) : Number(n);
}

function floatFromJson(value: unknown, dataType: DataType, tag: WriteScaling): number {
  const f = Number(scaledInput(value, dataType, tag));
  if (dataType === DataType.Float && !Number.isFinite(Math.fround(f))) {
    throw new GatewayError('out-of-range', `${String(value)} does not fit Float (float32)`);
  }
  return f;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

function stringFromJson(value: unknown, dataType: DataType, tag: WriteScaling): string {
  if (typeof value !== 'string') throw invalid(value, dataType);
  if (tag.length !== undefined && Buffer.byteLength(value, 'utf8') > tag.length) {
    throw new GatewayError('out-of-range', `string of ${Buffer.byteLength(value)} bytes is longer than ${tag.length}`);
  }
  return value;
}

/** One JSON scalar → the raw value node-opcua expects in a Variant of `dataType`. */
function scalarFromJson(value: unknown, dataType: DataType, tag: WriteScaling): unknown {
  switch (dataType) {
    case DataType.Boolean:
      if (typeof value !== 'boolean') throw invalid(value, dataType);
      return value;
    case DataType.SByte:
    case DataType.Byte:
    case DataType.Int16:
    case DataType.UInt16:
    case DataType.Int32:
    case DataType.UInt32:
    case DataType.Int64:
    case DataType.UInt64:
      return integerFromJson(value, dataType, tag);
    case DataType.Float:
    case DataType.Double:
      return floatFromJson(value, dataType, tag);
    case DataType.String:
    case DataType.XmlElement:
      return stringFromJson(value, dataType, tag);
    case DataType.LocalizedText:
      return new LocalizedText({ text: stringFromJson(value, dataType, tag) });
    case DataType.QualifiedName:
      return new QualifiedName({ name: stringFromJson(value, dataType, tag) });
    case DataType.DateTime: {
      const date = typeof value === 'string' || typeof value === 'number' ? new Date(value) : undefined;
      if (!date) throw invalid(value, dataType);
      if (Number.isNaN(date.getTime())) {
        throw new GatewayError('invalid-value', `${JSON.stringify(value)} is not a date (use ISO 8601)`);
      }
      return date;
    }
    case DataType.ByteString:
      if (typeof value !== 'string') throw invalid(value, dataType);
      if (!BASE64.test(value)) throw new GatewayError('invalid-value', 'ByteString is written as a base64 string');
      return Buffer.from(value, 'base64');
    case DataType.Guid:
      if (typeof value !== 'string' || !GUID.test(value)) throw invalid(value, dataType);
      return value;
    case DataType.NodeId:
      if (typeof value !== 'string') throw invalid(value, dataType);
      try {
        return NodeId.resolveNodeId(value);
      } catch {
        throw new GatewayError('invalid-value', `"${value}" is not a NodeId`);
      }
    default:
      throw new GatewayError('invalid-value', `writing ${dataTypeName(dataType)} values is not supported`);
  }
}

/**
 * A written JSON value → a Variant of the node's type. Every check happens here, before
 * anything is sent: wrong JSON type → invalid-value, does not fit the type → out-of-range.
 */
export function valueToVariant(value: unknown, node: NodeType, tag: WriteScaling): Variant {
  const { dataType, valueRank } = node;
  if (Array.isArray(value)) {
    if (valueRank === -1)
      throw new GatewayError('invalid-value', `the node holds one ${dataTypeName(dataType)}, not an array`);
    const items = value.map((v) => scalarFromJson(v, dataType, tag));
    return new Variant({ dataType, arrayType: VariantArrayType.Array, value: items });
  }
  if (valueRank >= 1) {
    throw new GatewayError('invalid-value', `the node holds an array of ${dataTypeName(dataType)}; write a JSON array`);
  }
  return new Variant({ dataType, arrayType: VariantArrayType.Scalar, value: scalarFromJson(value, dataType, tag) });
}
