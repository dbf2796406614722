import { describe, expect, it } from 'vitest';
import type { TagType } from '../../../../core/config/schema.js';
import { shortestFloat32Reference } from '../../../../core/float32.js';
import { parseAddress } from '../../../../drivers/modbus/address.js';
import { registerCount } from '../../../../drivers/modbus/codec.js';
import { compileTagDecoder } from '../../../../drivers/modbus/tag-decoder.js';
import type { ByteOrder } from '../../../../drivers/modbus/tag-fields.js';

const ORDERS: ByteOrder[] = ['ABCD', 'CDAB', 'BADC', 'DCBA'];
const NUMERIC: TagType[] = ['int16', 'uint16', 'int32', 'uint32', 'float32', 'int64', 'uint64', 'float64'];

/** An answer as it arrives: registers as big-endian bytes. */
function answer(regs: number[]): Buffer {
  const b = Buffer.alloc(regs.length * 2);
  regs.forEach((r, i) => {
    b.writeUInt16BE(r, 2 * i);
  });
  return b;
}

/** SPEC §3.1 spelled out: registers → the value's big-endian bytes → DataView. */
function reference(regs: number[], type: TagType, order: ByteOrder): number | bigint {
  const words = order === 'CDAB' || order === 'DCBA';
  const swapBytes = order === 'BADC' || order === 'DCBA';
  const ordered = words ? [...regs].reverse() : regs;
  const bytes = ordered.flatMap((r) => (swapBytes ? [r & 0xff, r >> 8] : [r >> 8, r & 0xff]));
  const view = new DataView(Uint8Array.from(bytes).buffer);
  const exact = (v: bigint) => (v >= -(2n ** 53n) + 1n && v <= 2n ** 53n - 1n ? Number(v) : v);
  switch (type) {
    case 'int16':
      return view.getInt16(0);
    case 'uint16':
      return view.getUint16(0);
    case 'int32':
      return view.getInt32(0);
    case 'uint32':
      return view.getUint32(0);
    case 'float32':
      return shortestFloat32Reference(view.getFloat32(0));
    case 'float64':
      return view.getFloat64(0);
    case 'int64':
      return exact(view.getBigInt64(0));
    default:
      return exact(view.getBigUint64(0));
  }
}

function decoder(
  address: string,
  type: TagType,
  byteOrder: ByteOrder = 'ABCD',
  scale = 1,
  offset = 0,
  length?: number,
) {
  return compileTagDecoder({ address: parseAddress(address), type, byteOrder, scale, offset, length });
}

describe('compileTagDecoder', () => {
  it('agrees with the SPEC byte-order table for every type and order, anywhere in an answer', () => {
    let seed = 7;
    const random16 = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed >>> 16;
    };
    // Registers that hit the 2^53 edges of the 64-bit types, then random ones.
    const edges = [
      [0x001f, 0xffff, 0xffff, 0xffff],
      [0x0020, 0, 0, 0],
      [0x0020, 0, 0, 1],
      [0xffe0, 0, 0, 0],
      [0xffe0, 0, 0, 1],
      [0xffdf, 0xffff, 0xffff, 0xffff],
      [0x8000, 0, 0, 0],
      [0xffff, 0xffff, 0xffff, 0xffff],
    ];
    for (const type of NUMERIC) {
      for (const order of ORDERS) {
        const decode = decoder('hr:0', type, order);
        const count = registerCount(type);
        const samples = [
          ...edges,
          ...Array.from({ length: 500 }, () => [random16(), random16(), random16(), random16()]),
        ];
        for (const sample of samples) {
          // Every order must see the same value: the sample is the value's big-endian registers in ABCD.
          const regs = sample.slice(0, count);
          const at = 3;
          const data = answer([1, 2, 3, ...regs, 4]);
          expect(decode(data, at)).toEqual(reference(regs, type, order));
        }
      }
    }
  });

  it('reads coils and discrete inputs from packed bits, and single bits of registers', () => {
    const bits = Buffer.from([0b1010_0001, 0b0000_0010]);
    const coil = decoder('coil:0', 'bool');
    expect([0, 1, 5, 7, 8, 9].map((at) => coil(bits, at))).toEqual([true, false, true, true, false, true]);
    const regs = answer([0x0000, 0x8001]);
    expect(decoder('hr:1.0', 'bool')(regs, 1)).toBe(true);
    expect(decoder('hr:1.15', 'bool')(regs, 1)).toBe(true);
    expect(decoder('hr:1.1', 'bool')(regs, 1)).toBe(false);
  });

  it('shortens float32 before scaling, and keeps 64-bit integers exact without scaling', () => {
    const regs = answer([0x41b4, 0x35e6]); // float32 22.5263...
    expect(decoder('hr:0', 'float32')(regs, 0)).toBe(shortestFloat32Reference(regs.readFloatBE(0)));
    expect(decoder('hr:0', 'float32', 'ABCD', 10, 1)(regs, 0)).toBe(
      shortestFloat32Reference(regs.readFloatBE(0)) * 10 + 1,
    );
    expect(decoder('hr:0', 'int16', 'ABCD', 0.1, -5)(answer([123]), 0)).toBe(123 * 0.1 - 5);
    const max = answer([0xffff, 0xffff, 0xffff, 0xffff]);
    expect(decoder('hr:0', 'uint64')(max, 0)).toBe(2n ** 64n - 1n);
    expect(decoder('hr:0', 'uint64', 'ABCD', 2, 0)(max, 0)).toBe(Number(2n ** 64n - 1n) * 2);
  });

  it('reads strings in register order with the byte order inside each register', () => {
    const data = answer([0, 0x4142, 0x4344, 0x2000]);
    expect(decoder('hr:1', 'string', 'ABCD', 1, 0, 5)(data, 1)).toBe('ABCD');
    expect(decoder('hr:1', 'string', 'BADC', 1, 0, 3)(data, 1)).toBe('BAD');
  });
});
