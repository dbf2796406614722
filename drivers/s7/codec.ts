/**
 * S7 values ⇄ bytes. S7 data is big-endian; a STRING is two header bytes (declared maximum,
 * actual length) then the characters (one byte each, Latin-1). Writes are checked completely
 * (JSON type, whole number, range) before a byte goes out.
 */

import { TAG_TYPES, type TagType } from '../../core/config/schema.js';
import { GatewayError } from '../../core/errors.js';
import { shortestFloat32 } from '../../core/float32.js';
import { linearScale } from '../../core/linear-scale.js';
import type { Value } from '../../core/values.js';
import { wholeRaw } from '../../core/write-value.js';

/** S7 data holds every tag type of the core. */
export const S7_TYPES = TAG_TYPES;
export type S7Type = TagType;

export function isS7Type(type: string): type is S7Type {
  return (S7_TYPES as readonly string[]).includes(type);
}

/** Bytes a value of the type occupies in the PLC (a bool reads its byte). */
export function byteSize(type: S7Type, length?: number): number {
  switch (type) {
    case 'bool':
    case 'int8':
    case 'uint8':
      return 1;
    case 'int16':
    case 'uint16':
      return 2;
    case 'int32':
    case 'uint32':
    case 'float32':
      return 4;
    case 'int64':
    case 'uint64':
    case 'float64':
      return 8;
    case 'string':
      return (length ?? 0) + 2;
  }
}

/** Reads a tag's value from `data` at byte `at`; throws a GatewayError for a value that cannot be. */
export type S7Decoder = (data: Buffer, at: number) => Value;

export interface DecodeSpec {
  type: S7Type;
  bit?: number | undefined;
  length?: number | undefined;
  scale: number;
  offset: number;
}

const RAW: Record<Exclude<S7Type, 'bool' | 'string'>, (b: Buffer, o: number) => number | bigint> = {
  int8: (b, o) => b.readInt8(o),
  uint8: (b, o) => b.readUInt8(o),
  int16: (b, o) => b.readInt16BE(o),
  uint16: (b, o) => b.readUInt16BE(o),
  int32: (b, o) => b.readInt32BE(o),
  uint32: (b, o) => b.readUInt32BE(o),
  float32: (b, o) => shortestFloat32(b.readFloatBE(o)),
  float64: (b, o) => b.readDoubleBE(o),
  int64: (b, o) => exact(b.readBigInt64BE(o)),
  uint64: (b, o) => exact(b.readBigUInt64BE(o)),
};

/** A 64-bit integer as a plain number when that loses nothing, else the exact bigint. */
function exact(n: bigint): number | bigint {
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

export function compileDecoder(spec: DecodeSpec): S7Decoder {
  const { type, bit, length, scale, offset } = spec;
  if (type === 'bool') {
    const mask = 1 << (bit ?? 0);
    return (data, at) => ((data[at] as number) & mask) !== 0;
  }
  if (type === 'string') return (data, at) => decodeString(data, at, length ?? 0);
  const raw = RAW[type];
  const scaled = scale === 1 && offset === 0 ? undefined : linearScale(scale, offset);
  return (data, at) => {
    const value = raw(data, at);
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new GatewayError('not-a-number', `the PLC holds ${value}, which JSON cannot carry`);
    }
    // published = raw * scale + offset; the identity keeps 64-bit integers exact.
    return scaled ? scaled(Number(value)) : value;
  };
}

function decodeString(data: Buffer, at: number, declared: number): string {
  const max = data[at] as number;
  const actual = data[at + 1] as number;
  if (actual > max || actual > declared) {
    throw new GatewayError(
      'bad-response',
      `STRING header says ${actual} of ${max} characters, the tag declares length ${declared}`,
    );
  }
  return data.toString('latin1', at + 2, at + 2 + actual);
}

const INT_RANGE: Partial<Record<S7Type, [bigint, bigint]>> = {
  int8: [-128n, 127n],
  uint8: [0n, 255n],
  int16: [-(2n ** 15n), 2n ** 15n - 1n],
  uint16: [0n, 2n ** 16n - 1n],
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
};

export interface WriteSpec {
  name?: string;
  type: S7Type;
  scale: number;
  offset: number;
  length?: number | undefined;
}

/**
 * The bytes a write of `value` puts into the PLC, or a GatewayError (invalid-value,
 * out-of-range) when the value does not fit; raw = (value - offset) / scale.
 * A bool is one byte, 0 or 1 (written with BIT transport); a string is its length byte and characters.
 */
export function encodeWrite(value: unknown, spec: WriteSpec): Buffer {
  const { type } = spec;
  if (type === 'bool') {
    if (typeof value !== 'boolean') throw wrongJson(value, type);
    return Buffer.from([value ? 1 : 0]);
  }
  if (type === 'string') return encodeString(value, spec.length ?? 0);
  const range = INT_RANGE[type];
  const buf = Buffer.alloc(byteSize(type));
  if (range) {
    const n = integerRaw(value, spec, range);
    if (type === 'int64') buf.writeBigInt64BE(n);
    else if (type === 'uint64') buf.writeBigUInt64BE(n);
    else buf.writeUIntBE(Number(BigInt.asUintN(buf.length * 8, n)), 0, buf.length);
    return buf;
  }
  const f = floatRaw(value, spec);
  if (type === 'float32') buf.writeFloatBE(f);
  else buf.writeDoubleBE(f);
  return buf;
}

function integerRaw(value: unknown, spec: WriteSpec, [min, max]: [bigint, bigint]): bigint {
  const { type, scale, offset } = spec;
  let n: bigint;
  if (typeof value === 'bigint' || (typeof value === 'string' && (type === 'int64' || type === 'uint64'))) {
    if (typeof value === 'string' && !/^-?[0-9]+$/.test(value)) {
      throw new GatewayError('invalid-value', `"${value}" is not a decimal integer`);
    }
    if (scale !== 1 || offset !== 0) throw new GatewayError('invalid-value', `send a number to a scaled ${type}`);
    n = BigInt(value);
  } else if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new GatewayError('invalid-value', `${type} cannot be written as ${value}`);
    const raw = wholeRaw(value, { ...spec, type });
    // Beyond 2^53 a JSON number has already lost digits; writing it would store a different value.
    if (!Number.isSafeInteger(raw)) {
      throw new GatewayError('invalid-value', `${value} is not exact as a number; send ${type} as a decimal string`);
    }
    n = BigInt(raw);
  } else {
    throw wrongJson(value, type);
  }
  if (n < min || n > max) throw new GatewayError('out-of-range', `${n} does not fit ${type} (${min}..${max})`);
  return n;
}

function floatRaw(value: unknown, spec: WriteSpec): number {
  if (typeof value !== 'number') throw wrongJson(value, spec.type);
  const raw = (value - spec.offset) / spec.scale;
  if (!Number.isFinite(raw)) throw new GatewayError('invalid-value', `${spec.type} cannot be written as ${raw}`);
  if (spec.type === 'float32' && !Number.isFinite(Math.fround(raw))) {
    throw new GatewayError('out-of-range', `${raw} does not fit float32`);
  }
  return raw;
}

/** The actual-length byte and the characters; the maximum-length byte in the PLC is left alone. */
function encodeString(value: unknown, declared: number): Buffer {
  if (typeof value !== 'string') throw wrongJson(value, 'string');
  if ([...value].some((ch) => (ch.codePointAt(0) ?? 0) > 0xff)) {
    throw new GatewayError('invalid-value', 'an S7 STRING holds Latin-1 characters only');
  }
  if (value.length > declared) {
    throw new GatewayError('out-of-range', `string of ${value.length} characters does not fit STRING[${declared}]`);
  }
  return Buffer.concat([Buffer.from([value.length]), Buffer.from(value, 'latin1')]);
}

function wrongJson(value: unknown, type: S7Type): GatewayError {
  return new GatewayError('invalid-value', `${type} cannot be written from a ${typeof value}`);
}
