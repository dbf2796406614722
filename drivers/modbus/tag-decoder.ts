/**
 * A tag's whole decode — bit or register reader, float32 shortening, scale and offset —
 * put together when the tag is compiled, so that turning an answer into values is a call
 * per tag with no decisions left. Decoders hold nothing of a tag's own: tags that decode
 * alike (same bit, or same type, byte order, length, scale and offset) share one, and what
 * a float32 tag remembers lives in its group's Float32Memo.
 */

import type { TagType } from '../../core/config/schema.js';
import { GatewayError } from '../../core/errors.js';
import { shortestFloat32 } from '../../core/float32.js';
import { linearScale } from '../../core/linear-scale.js';
import type { Value } from '../../core/values.js';
import type { ModbusAddress } from './address.js';
import { registerBit } from './codec.js';
import { type RawValue, type RegisterReader, registerReader } from './register-readers.js';
import type { ByteOrder } from './tag-fields.js';

/** What float32 tags remember between reads, a slot per tag (see shortenedFloat32). */
export class Float32Memo {
  /** The float each slot last read; NaN before the first read. */
  readonly raw: Float64Array;
  /**
   * Its shortened value. A plain array of any values, not a Float64Array: it holds the number
   * that is published as it is, so that publishing it again allocates nothing. (An array that
   * held only numbers would store them unboxed and box each one again on every read.)
   */
  readonly short: Array<number | undefined>;

  constructor(slots: number) {
    this.raw = new Float64Array(slots).fill(Number.NaN);
    this.short = new Array(slots).fill(undefined);
  }
}

/**
 * Reads a tag from one read's answer. `data` holds registers as big-endian bytes, or for
 * coils and discrete inputs the packed bits (least significant first); `at` is the tag's
 * register or bit index in the answer. `memo` and `slot` are where a float32 tag remembers
 * its last value; the slot must lie in the memo and belong to this tag alone. Other
 * decoders ignore them.
 */
export type TagDecoder = (data: Buffer, at: number, memo: Float32Memo, slot: number) => Value;

type RawDecoder = (data: Buffer, at: number, memo: Float32Memo, slot: number) => RawValue;

export interface DecodeSpec {
  address: ModbusAddress;
  type: TagType;
  byteOrder: ByteOrder;
  scale: number;
  offset: number;
  /** Bytes, for strings. */
  length?: number | undefined;
}

const packedBit: TagDecoder = (data, at) => ((data[at >> 3] as number) & (1 << (at & 7))) !== 0;

// Configuration checks refuse this; a value that cannot be read is bad, not a crash.
const boolWithoutBit: TagDecoder = () => {
  throw new GatewayError('bad-response', 'a bool on a register needs a bit address (hr:N.B)');
};

/**
 * Every decoder made so far, by what it does. Bounded by the configuration's variety (bits,
 * types × byte orders, string lengths, scale/offset pairs), not by its number of tags.
 */
const decoders = new Map<string, TagDecoder>();

function shared(key: string, make: () => TagDecoder): TagDecoder {
  let decoder = decoders.get(key);
  if (!decoder) {
    decoder = make();
    decoders.set(key, decoder);
  }
  return decoder;
}

/** A number as a key: -0 apart from 0 (a scale of -0 gives -0 where 0 gives 0). */
function numberKey(n: number): string {
  return Object.is(n, -0) ? '-0' : String(n);
}

/** The decoder for a tag; the same function for every tag that decodes alike. */
export function compileTagDecoder(spec: DecodeSpec): TagDecoder {
  const { address, type, byteOrder } = spec;
  if (address.area === 'coil' || address.area === 'di') return packedBit;
  const bit = address.bit;
  if (bit !== undefined) {
    return shared(`bit/${bit}`, () => (data, at) => registerBit(data.readUInt16BE(2 * at), bit));
  }
  if (type === 'bool') return boolWithoutBit;
  const length = spec.length;
  if (type === 'string') {
    return shared(`string/${byteOrder}/${length}`, () => registerReader(type, byteOrder, length));
  }
  const read = registerReader(type, byteOrder);
  const { scale, offset } = spec;
  // The identity returns the raw value, so 64-bit integers stay exact.
  if (type !== 'float32' && scale === 1 && offset === 0) return read;
  return shared(`${type}/${byteOrder}/${numberKey(scale)}/${numberKey(offset)}`, () => {
    const raw: RawDecoder = type === 'float32' ? shortenedFloat32(read) : read;
    if (scale === 1 && offset === 0) return raw;
    const scaled = linearScale(scale, offset);
    return (data, at, memo, slot) => scaled(Number(raw(data, at, memo, slot)));
  });
}

/**
 * float32 shortened, remembering each tag's last value in its memo slot: most tags read the
 * same value again and again, and then the comparison is all the work. (0 and -0 compare
 * equal and both shorten to 0; NaN never compares equal and is passed through.)
 */
function shortenedFloat32(read: RegisterReader): (data: Buffer, at: number, memo: Float32Memo, slot: number) => number {
  return (data, at, memo, slot) => {
    const f = read(data, at) as number;
    const { raw, short } = memo;
    if (f !== raw[slot]) {
      raw[slot] = f;
      short[slot] = shortestFloat32(f);
    }
    return short[slot] as number;
  };
}
