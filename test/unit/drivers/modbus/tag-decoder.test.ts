import { describe, expect, it } from 'vitest';
import type { TagType } from '../../../../core/config/schema.js';
import { shortestFloat32Reference } from '../../../../core/float32.js';
import { parseAddress } from '../../../../drivers/modbus/address.js';
import { registerCount } from '../../../../drivers/modbus/codec.js';
import { compileTagDecoder, Float32Memo } from '../../../../drivers/modbus/tag-decoder.js';
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

function compile(
  address: string,
  type: TagType,
  byteOrder: ByteOrder = 'ABCD',
  scale = 1,
  offset = 0,
  length?: number,
) {
  return compileTagDecoder({ address: parseAddress(address), type, byteOrder, scale, offset, length });
}

/** One tag's decode, with a memo of its own. */
function decoder(...spec: Parameters<typeof compile>) {
  const decode = compile(...spec);
  const memo = new Float32Memo(1);
  return (data: Buffer, at: number) => decode(data, at, memo, 0);
}

function float32Answer(...values: number[]): Buffer {
  const b = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => {
    b.writeFloatBE(v, 4 * i);
  });
  return b;
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

  it('gives tags that decode alike one decoder, whatever their address', () => {
    expect(compile('hr:0', 'float32')).toBe(compile('ir:100', 'float32'));
    expect(compile('hr:0', 'float32', 'CDAB', 10, 1)).toBe(compile('hr:50', 'float32', 'CDAB', 10, 1));
    expect(compile('hr:0', 'int16', 'ABCD', 0.1, -5)).toBe(compile('hr:7', 'int16', 'ABCD', 0.1, -5));
    expect(compile('hr:0', 'uint64')).toBe(compile('hr:9', 'uint64'));
    expect(compile('hr:0', 'string', 'BADC', 1, 0, 6)).toBe(compile('hr:20', 'string', 'BADC', 1, 0, 6));
    expect(compile('coil:0', 'bool')).toBe(compile('di:17', 'bool'));
    expect(compile('hr:1.3', 'bool')).toBe(compile('ir:8.3', 'bool'));

    const f32 = compile('hr:0', 'float32');
    expect(compile('hr:0', 'float32', 'CDAB')).not.toBe(f32);
    expect(compile('hr:0', 'float32', 'ABCD', 10)).not.toBe(f32);
    expect(compile('hr:0', 'float32', 'ABCD', 1, 1)).not.toBe(f32);
    expect(compile('hr:0', 'float32', 'ABCD', 10, 1)).not.toBe(compile('hr:0', 'float32', 'ABCD', 10, 2));
    expect(compile('hr:0', 'int32')).not.toBe(compile('hr:0', 'uint32'));
    expect(compile('hr:0', 'string', 'BADC', 1, 0, 6)).not.toBe(compile('hr:0', 'string', 'BADC', 1, 0, 8));
    expect(compile('hr:1.3', 'bool')).not.toBe(compile('hr:1.4', 'bool'));
    // A scale of -0 gives -0 where 0 gives 0: not the same decode.
    expect(compile('hr:0', 'int16', 'ABCD', -0)).not.toBe(compile('hr:0', 'int16', 'ABCD', 0));
    expect(Object.is(compile('hr:0', 'int16', 'ABCD', -0)(answer([5]), 0, new Float32Memo(0), 0), -0)).toBe(true);
    expect(Object.is(compile('hr:0', 'int16', 'ABCD', 0)(answer([5]), 0, new Float32Memo(0), 0), 0)).toBe(true);
  });

  it('keeps each float32 tag its last value in its own memo slot, with a shared decoder', () => {
    const decode = compile('hr:0', 'float32');
    const memo = new Float32Memo(2);
    const a = 0;
    const b = 1;
    const values = float32Answer(1.1, 2.2);
    expect(decode(values, 0, memo, a)).toBe(1.1);
    expect(decode(values, 2, memo, b)).toBe(2.2);
    expect(decode(values, 0, memo, a)).toBe(1.1);
    expect([...memo.raw]).toEqual([Math.fround(1.1), Math.fround(2.2)]);
    expect(memo.short).toEqual([1.1, 2.2]);
    // Values that change are shortened afresh; the other slot keeps its own.
    const swapped = float32Answer(2.2, 1.1);
    expect(decode(swapped, 0, memo, a)).toBe(2.2);
    expect(decode(values, 2, memo, b)).toBe(2.2);
    expect(decode(swapped, 2, memo, b)).toBe(1.1);
    expect([...memo.raw]).toEqual([Math.fround(2.2), Math.fround(1.1)]);
    expect(memo.short).toEqual([2.2, 1.1]);
    // Scale and offset follow the shortening, from a memo slot of the scaled tag's own.
    const scaled = compile('hr:0', 'float32', 'ABCD', 10, 1);
    const scaledMemo = new Float32Memo(1);
    expect(scaled(values, 0, scaledMemo, 0)).toBe(1.1 * 10 + 1);
    expect(scaled(values, 2, scaledMemo, 0)).toBe(2.2 * 10 + 1);
  });

  it('shortens 0 and -0 to 0 and passes NaN through, before and after other values', () => {
    const decode = compile('hr:0', 'float32');
    const memo = new Float32Memo(1);
    const read = (v: number) => decode(float32Answer(v), 0, memo, 0);
    expect(Object.is(read(-0), 0)).toBe(true);
    expect(Object.is(read(0), 0)).toBe(true);
    expect(Object.is(read(-0), 0)).toBe(true);
    expect(read(Number.NaN)).toBeNaN();
    expect(read(Number.NaN)).toBeNaN();
    expect(read(1.5)).toBe(1.5);
    expect(read(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
    expect(read(-3.3)).toBe(-3.3);
  });

  it('answers a bool on a register without a bit with a bad-response error', () => {
    const decode = compile('hr:0', 'bool');
    expect(() => decode(answer([1]), 0, new Float32Memo(0), 0)).toThrow(
      expect.objectContaining({ code: 'bad-response' }),
    );
  });
});
