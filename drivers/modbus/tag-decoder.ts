/**
 * A tag's whole decode — bit or register reader, float32 shortening, scale and offset —
 * put together once when the tag is compiled, so that turning an answer into values is a
 * call per tag with no decisions left.
 */

import type { TagType } from '../../core/config/schema.js';
import { GatewayError } from '../../core/errors.js';
import { shortestFloat32 } from '../../core/float32.js';
import { linearScale } from '../../core/linear-scale.js';
import type { Value } from '../../core/values.js';
import type { ModbusAddress } from './address.js';
import { registerBit } from './codec.js';
import { type RegisterReader, registerReader } from './register-readers.js';
import type { ByteOrder } from './tag-fields.js';

/**
 * Reads a tag from one read's answer. `data` holds registers as big-endian bytes, or for
 * coils and discrete inputs the packed bits (least significant first); `at` is the tag's
 * register or bit index in the answer.
 */
export type TagDecoder = (data: Buffer, at: number) => Value;

export interface DecodeSpec {
  address: ModbusAddress;
  type: TagType;
  byteOrder: ByteOrder;
  scale: number;
  offset: number;
  /** Bytes, for strings. */
  length?: number | undefined;
}

export function compileTagDecoder(spec: DecodeSpec): TagDecoder {
  const { address, type } = spec;
  if (address.area === 'coil' || address.area === 'di') {
    return (data, at) => ((data[at >> 3] as number) & (1 << (at & 7))) !== 0;
  }
  const bit = address.bit;
  if (bit !== undefined) return (data, at) => registerBit(data.readUInt16BE(2 * at), bit);
  if (type === 'bool') {
    // Configuration checks refuse this; a value that cannot be read is bad, not a crash.
    return () => {
      throw new GatewayError('bad-response', 'a bool on a register needs a bit address (hr:N.B)');
    };
  }
  const read = registerReader(type, spec.byteOrder, spec.length);
  if (type === 'string') return read;
  const raw = type === 'float32' ? shortenedFloat32(read) : read;
  const { scale, offset } = spec;
  // The identity returns the raw value, so 64-bit integers stay exact.
  if (scale === 1 && offset === 0) return raw;
  const scaled = linearScale(scale, offset);
  return (data, at) => scaled(Number(raw(data, at)));
}

/**
 * float32 shortened, remembering the tag's last value: most tags read the same value again
 * and again, and then the comparison is all the work. (0 and -0 compare equal and both
 * shorten to 0; NaN never compares equal and is passed through.)
 */
function shortenedFloat32(read: RegisterReader): (data: Buffer, at: number) => number {
  let lastRaw = Number.NaN;
  let lastShort = Number.NaN;
  return (data, at) => {
    const f = read(data, at) as number;
    if (f !== lastRaw) {
      lastRaw = f;
      lastShort = shortestFloat32(f);
    }
    return lastShort;
  };
}
