/** Register ⇄ value conversion for Modbus tags (SPEC §3.1 types, byte orders, writes). */
import type { TagType } from '../../core/config/schema.js';
import { GatewayError } from '../../core/errors.js';
import { wholeRaw } from '../../core/write-value.js';
import { orderSwaps, type RawValue, registerReader } from './register-readers.js';
import type { ByteOrder } from './tag-fields.js';

type Raw = number | bigint | string | boolean;

const WIDTH: Record<Exclude<TagType, 'string'>, number> = {
  bool: 1,
  int16: 1,
  uint16: 1,
  int32: 2,
  uint32: 2,
  float32: 2,
  int64: 4,
  uint64: 4,
  float64: 4,
};

/** Inclusive limits of the integer types, as bigint so 64-bit bounds are exact. */
const INT_RANGE: Partial<Record<TagType, [bigint, bigint]>> = {
  int16: [-(2n ** 15n), 2n ** 15n - 1n],
  uint16: [0n, 2n ** 16n - 1n],
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
};

function isInteger(type: TagType): boolean {
  return INT_RANGE[type] !== undefined;
}

function is64(type: TagType): boolean {
  return type === 'int64' || type === 'uint64';
}

/** Registers a tag occupies; `bool` is one register bit (coils count as one bit in the planner). */
export function registerCount(type: TagType, length?: number): number {
  if (type !== 'string') return WIDTH[type];
  if (length === undefined) throw new Error('length is required for type string');
  return Math.ceil(length / 2);
}

/** Big-endian bytes → register values, in the byte order of SPEC §3.1. */
function bytesToRegisters(buf: Uint8Array, words: boolean, bytes: boolean): number[] {
  const count = buf.length / 2;
  const regs: number[] = [];
  for (let i = 0; i < count; i++) {
    const a = buf[2 * i] ?? 0;
    const b = buf[2 * i + 1] ?? 0;
    regs.push(bytes ? (b << 8) | a : (a << 8) | b);
  }
  return words ? regs.reverse() : regs;
}

/**
 * Decodes register values (as numbers) into a value, with the readers the driver uses on
 * answers; 64-bit integers beyond 2^53 stay exact as bigint. For the decode lab and tests.
 */
export function decodeRegisters(
  regs: Uint16Array | number[],
  type: TagType,
  byteOrder: ByteOrder,
  length?: number,
): RawValue {
  if (type === 'bool') throw new Error('a register bit is decoded with registerBit');
  const count = registerCount(type, length);
  if (regs.length < count)
    throw new GatewayError('bad-response', `${type} needs ${count} registers, got ${regs.length}`);
  const bytes = Buffer.alloc(count * 2);
  for (let i = 0; i < count; i++) bytes.writeUInt16BE((regs[i] ?? 0) & 0xffff, 2 * i);
  return registerReader(type, byteOrder, length)(bytes, 0);
}

/** Encodes a raw value into register values; throws invalid-value / out-of-range before anything is written. */
export function encodeValue(
  value: number | bigint | string | boolean,
  type: TagType,
  byteOrder: ByteOrder,
  length?: number,
): number[] {
  if (type === 'bool') {
    if (typeof value !== 'boolean') throw invalid(value, type);
    return [value ? 1 : 0];
  }
  const { words, bytes } = orderSwaps(byteOrder);
  if (type === 'string') {
    const buf = encodeString(value, registerCount(type, length), length ?? 0);
    return bytesToRegisters(buf, false, bytes);
  }
  const buf = new Uint8Array(WIDTH[type] * 2);
  const view = new DataView(buf.buffer);
  if (isInteger(type)) {
    const n = checkInteger(value, type);
    if (type === 'int64') view.setBigInt64(0, n);
    else if (type === 'uint64') view.setBigUint64(0, n);
    else if (type === 'int32' || type === 'uint32') view.setUint32(0, Number(n) >>> 0);
    else view.setUint16(0, Number(n) & 0xffff);
  } else {
    const f = checkFloat(value, type);
    if (type === 'float32') view.setFloat32(0, f);
    else view.setFloat64(0, f);
  }
  return bytesToRegisters(buf, words, bytes);
}

function encodeString(value: Raw, count: number, length: number): Uint8Array {
  if (typeof value !== 'string') throw invalid(value, 'string');
  const text = new TextEncoder().encode(value);
  if (text.length > length) {
    throw new GatewayError('out-of-range', `string of ${text.length} bytes does not fit in ${length} bytes`);
  }
  const buf = new Uint8Array(count * 2); // zero-filled: shorter strings are NUL padded
  buf.set(text);
  return buf;
}

/** Checks that a raw value is an exact integer inside the type's range. */
function checkInteger(value: Raw, type: TagType): bigint {
  const [min, max] = INT_RANGE[type] ?? [0n, 0n];
  if (typeof value !== 'number' && typeof value !== 'bigint') throw invalid(value, type);
  if (typeof value === 'number' && !Number.isInteger(value)) {
    throw new GatewayError('invalid-value', `${type} needs an integer, got ${value}`);
  }
  const n = BigInt(value);
  if (n < min || n > max) throw new GatewayError('out-of-range', `${value} does not fit ${type} (${min}..${max})`);
  // Beyond 2^53 a JSON number has already lost digits; writing it would store a different value.
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    throw new GatewayError('invalid-value', `${value} is not exact as a number; send ${type} as a decimal string`);
  }
  return n;
}

function checkFloat(value: Raw, type: TagType): number {
  if (typeof value !== 'number' && typeof value !== 'bigint') throw invalid(value, type);
  const f = Number(value);
  if (!Number.isFinite(f)) throw new GatewayError('invalid-value', `${type} cannot be written as ${f}`);
  if (type === 'float32' && !Number.isFinite(Math.fround(f))) {
    throw new GatewayError('out-of-range', `${value} does not fit float32`);
  }
  return f;
}

function invalid(value: unknown, type: TagType): GatewayError {
  return new GatewayError('invalid-value', `${type} cannot be written from a ${typeof value}`);
}

/** published = raw * scale + offset; the identity keeps 64-bit integers exact. */
export function toEngineering(raw: number | bigint, scale: number, offset: number): number | bigint {
  if (scale === 1 && offset === 0) return raw;
  return Number(raw) * scale + offset;
}

/**
 * Turns a written value (as parsed from JSON) into raw: (value - offset) / scale, which must be
 * a whole number for integer types (never rounded). Checks JSON type and range, so a bad
 * write is refused before any request.
 */
export function toRaw(
  value: unknown,
  tag: { name?: string; type: TagType; scale: number; offset: number; length?: number },
): number | bigint | string | boolean {
  const { type, scale, offset } = tag;
  if (type === 'bool' || type === 'string') {
    if (typeof value !== (type === 'bool' ? 'boolean' : 'string')) throw invalid(value, type);
    encodeValue(value as Raw, type, 'ABCD', tag.length);
    return value as Raw;
  }
  const input = numericInput(value, type);
  let raw: number | bigint;
  if (typeof input === 'bigint' && scale === 1 && offset === 0) {
    raw = isInteger(type) ? input : Number(input); // exact path for 64-bit values
  } else {
    const scaled = (Number(input) - offset) / scale;
    if (!Number.isFinite(scaled)) throw new GatewayError('out-of-range', `${value} scales to ${scaled}`);
    raw = isInteger(type) ? wholeRaw(Number(input), { ...tag, type }) : scaled;
  }
  encodeValue(raw, type, 'ABCD'); // range check only; the driver encodes with the real byte order
  return raw;
}

/** Numbers (finite), bigint, and for 64-bit types decimal integer strings, for exact values from JSON. */
function numericInput(value: unknown, type: TagType): number | bigint {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new GatewayError('invalid-value', `${type} cannot be written as ${value}`);
    return value;
  }
  if (typeof value === 'bigint') return value;
  if (typeof value === 'string' && is64(type)) {
    if (!/^-?[0-9]+$/.test(value)) throw new GatewayError('invalid-value', `"${value}" is not a decimal integer`);
    return BigInt(value);
  }
  throw invalid(value, type);
}

/** Bit `bit` (0 = least significant) of a register value. */
export function registerBit(reg: number, bit: number): boolean {
  return ((reg >> bit) & 1) === 1;
}
