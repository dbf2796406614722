/**
 * Reading register values straight from a Modbus answer's bytes (big-endian registers as
 * they arrive), one reader per type × byte order, chosen once when a tag is compiled.
 * ABCD reads big-endian and DCBA little-endian in place; the mixed orders (CDAB, BADC) put
 * the value's bytes into one shared scratch buffer first. Nothing is allocated per value
 * except what the result itself needs (a bigint, a string).
 */
import type { TagType } from '../../core/config/schema.js';
import type { ByteOrder } from './tag-fields.js';

/** A value as stored in registers, before float32 shortening and scaling. */
export type RawValue = number | bigint | string;

/** Reads the value whose first register is register `at` of `data`. */
export type RegisterReader = (data: Buffer, at: number) => RawValue;

type NumericType = Exclude<TagType, 'bool' | 'string'>;

const BYTES: Record<NumericType, number> = {
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  float32: 4,
  int64: 8,
  uint64: 8,
  float64: 8,
};

const MIN_SAFE = Number.MIN_SAFE_INTEGER;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/** A 64-bit value whose high 32 bits are within ±2^21 fits a double exactly. */
const EXACT_HIGH = 0x200000;
const TWO_32 = 4294967296;

/** The byte-order table of SPEC §3.1 reduces to two independent swaps. */
export function orderSwaps(order: ByteOrder): { words: boolean; bytes: boolean } {
  return { words: order === 'CDAB' || order === 'DCBA', bytes: order === 'BADC' || order === 'DCBA' };
}

/**
 * For each byte of the value (big-endian), its position among the registers' bytes:
 * word swap reverses the registers, byte swap exchanges the two bytes of each register.
 */
export function bytePositions(registers: number, order: ByteOrder): number[] {
  const { words, bytes } = orderSwaps(order);
  const positions: number[] = [];
  for (let i = 0; i < registers; i++) {
    const reg = words ? registers - 1 - i : i;
    positions.push(2 * reg + (bytes ? 1 : 0), 2 * reg + (bytes ? 0 : 1));
  }
  return positions;
}

/** Big-endian readers of a value's bytes at a byte offset. */
const BIG_ENDIAN: Record<NumericType, (b: Buffer, o: number) => number | bigint> = {
  int16: (b, o) => b.readInt16BE(o),
  uint16: (b, o) => b.readUInt16BE(o),
  int32: (b, o) => b.readInt32BE(o),
  uint32: (b, o) => b.readUInt32BE(o),
  float32: (b, o) => b.readFloatBE(o),
  float64: (b, o) => b.readDoubleBE(o),
  int64: (b, o) => int64(b.readInt32BE(o), b.readUInt32BE(o + 4), b, o, false),
  uint64: (b, o) => uint64(b.readUInt32BE(o), b.readUInt32BE(o + 4), b, o, false),
};

/** The same values when the bytes are stored fully reversed (DCBA). */
const LITTLE_ENDIAN: Record<NumericType, (b: Buffer, o: number) => number | bigint> = {
  int16: (b, o) => b.readInt16LE(o),
  uint16: (b, o) => b.readUInt16LE(o),
  int32: (b, o) => b.readInt32LE(o),
  uint32: (b, o) => b.readUInt32LE(o),
  float32: (b, o) => b.readFloatLE(o),
  float64: (b, o) => b.readDoubleLE(o),
  int64: (b, o) => int64(b.readInt32LE(o + 4), b.readUInt32LE(o), b, o, true),
  uint64: (b, o) => uint64(b.readUInt32LE(o + 4), b.readUInt32LE(o), b, o, true),
};

/** 64-bit integers: a plain number when that loses nothing, else the exact bigint. */
function int64(high: number, low: number, b: Buffer, o: number, little: boolean): number | bigint {
  if (high >= -EXACT_HIGH && high < EXACT_HIGH) {
    const v = high * TWO_32 + low;
    if (v >= MIN_SAFE && v <= MAX_SAFE) return v;
  }
  return little ? b.readBigInt64LE(o) : b.readBigInt64BE(o);
}

function uint64(high: number, low: number, b: Buffer, o: number, little: boolean): number | bigint {
  if (high < EXACT_HIGH) return high * TWO_32 + low; // at most 2^53 - 1
  return little ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o);
}

/** Where the mixed byte orders assemble a value; safe to share, the read is synchronous. */
const scratch = Buffer.alloc(8);

const numericReaders = new Map<string, RegisterReader>();

/** The reader for one numeric type in one byte order, shared by every tag that needs it. */
export function numericReader(type: NumericType, order: ByteOrder): RegisterReader {
  const key = `${type}/${order}`;
  let reader = numericReaders.get(key);
  if (!reader) {
    reader = makeNumericReader(type, order);
    numericReaders.set(key, reader);
  }
  return reader;
}

function makeNumericReader(type: NumericType, order: ByteOrder): RegisterReader {
  const size = BYTES[type];
  const positions = bytePositions(size / 2, order);
  if (positions.every((p, i) => p === i)) {
    const read = BIG_ENDIAN[type];
    return (data, at) => read(data, 2 * at);
  }
  if (positions.every((p, i) => p === size - 1 - i)) {
    const read = LITTLE_ENDIAN[type];
    return (data, at) => read(data, 2 * at);
  }
  const read = BIG_ENDIAN[type];
  return (data, at) => {
    const base = 2 * at;
    for (let i = 0; i < size; i++) scratch[i] = data[base + (positions[i] as number)] as number;
    return read(scratch, 0);
  };
}

const utf8 = new TextDecoder('utf-8', { fatal: false });
const TRAILING_PADDING = /[\0 ]+$/;

/**
 * Strings keep register order; only the byte order inside each register follows the
 * setting. Trailing NULs and spaces are dropped; bytes that are not UTF-8 become U+FFFD.
 */
export function stringReader(order: ByteOrder, length: number): RegisterReader {
  const { bytes } = orderSwaps(order);
  return (data, at) => {
    const start = 2 * at;
    let text: Uint8Array = data.subarray(start, start + length);
    if (bytes) {
      const swapped = new Uint8Array(length);
      for (let i = 0; i < length; i++) swapped[i] = data[start + (i ^ 1)] as number;
      text = swapped;
    }
    return utf8.decode(text).replace(TRAILING_PADDING, '');
  };
}

/** The reader of a register-based type; `length` (bytes) is needed for strings. */
export function registerReader(type: Exclude<TagType, 'bool'>, order: ByteOrder, length?: number): RegisterReader {
  if (type !== 'string') return numericReader(type, order);
  if (length === undefined) throw new Error('length is required for type string');
  return stringReader(order, length);
}
