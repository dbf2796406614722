import { describe, expect, it } from 'vitest';
import type { TagType } from '../../../../core/config/schema.js';
import { GatewayError } from '../../../../core/errors.js';
import {
  decodeRegisters,
  encodeValue,
  registerBit,
  registerCount,
  toEngineering,
  toRaw,
} from '../../../../drivers/modbus/codec.js';
import type { ByteOrder } from '../../../../drivers/modbus/tag-fields.js';

const ORDERS: ByteOrder[] = ['ABCD', 'CDAB', 'BADC', 'DCBA'];

/** The code of the GatewayError thrown by fn; fails the test when fn does not throw one. */
function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    return (err as GatewayError).code;
  }
  throw new Error('expected a GatewayError');
}

describe('registerCount', () => {
  it('counts registers per type', () => {
    expect(registerCount('bool')).toBe(1);
    expect(registerCount('int16')).toBe(1);
    expect(registerCount('uint16')).toBe(1);
    expect(registerCount('int32')).toBe(2);
    expect(registerCount('uint32')).toBe(2);
    expect(registerCount('float32')).toBe(2);
    expect(registerCount('int64')).toBe(4);
    expect(registerCount('uint64')).toBe(4);
    expect(registerCount('float64')).toBe(4);
    expect(registerCount('string', 1)).toBe(1);
    expect(registerCount('string', 7)).toBe(4);
    expect(registerCount('string', 246)).toBe(123);
    expect(() => registerCount('string')).toThrow('length is required');
  });
});

describe('byte orders (SPEC §3.1 table)', () => {
  // Each row: the registers holding the value in ABCD, CDAB, BADC, DCBA order.
  const cases: Array<{ type: TagType; value: number | bigint; regs: Record<ByteOrder, number[]> }> = [
    {
      type: 'float32', // 1.5 = 3F C0 00 00
      value: 1.5,
      regs: { ABCD: [0x3fc0, 0x0000], CDAB: [0x0000, 0x3fc0], BADC: [0xc03f, 0x0000], DCBA: [0x0000, 0xc03f] },
    },
    {
      type: 'uint32', // 01 02 03 04
      value: 0x01020304,
      regs: { ABCD: [0x0102, 0x0304], CDAB: [0x0304, 0x0102], BADC: [0x0201, 0x0403], DCBA: [0x0403, 0x0201] },
    },
    {
      type: 'int32', // -2 = FF FF FF FE
      value: -2,
      regs: { ABCD: [0xffff, 0xfffe], CDAB: [0xfffe, 0xffff], BADC: [0xffff, 0xfeff], DCBA: [0xfeff, 0xffff] },
    },
    {
      type: 'int64', // 01 02 03 04 05 06 07 08
      value: 0x0102030405060708n,
      regs: {
        ABCD: [0x0102, 0x0304, 0x0506, 0x0708],
        CDAB: [0x0708, 0x0506, 0x0304, 0x0102],
        BADC: [0x0201, 0x0403, 0x0605, 0x0807],
        DCBA: [0x0807, 0x0605, 0x0403, 0x0201],
      },
    },
    {
      type: 'uint64', // 01 02 03 04 05 06 07 08
      value: 72623859790382856n,
      regs: {
        ABCD: [0x0102, 0x0304, 0x0506, 0x0708],
        CDAB: [0x0708, 0x0506, 0x0304, 0x0102],
        BADC: [0x0201, 0x0403, 0x0605, 0x0807],
        DCBA: [0x0807, 0x0605, 0x0403, 0x0201],
      },
    },
    {
      type: 'float64', // 1.5 = 3F F8 00 00 00 00 00 00
      value: 1.5,
      regs: {
        ABCD: [0x3ff8, 0, 0, 0],
        CDAB: [0, 0, 0, 0x3ff8],
        BADC: [0xf83f, 0, 0, 0],
        DCBA: [0, 0, 0, 0xf83f],
      },
    },
    {
      type: 'int16', // -2 = FF FE
      value: -2,
      regs: { ABCD: [0xfffe], CDAB: [0xfffe], BADC: [0xfeff], DCBA: [0xfeff] },
    },
    {
      type: 'uint16', // 12 34
      value: 0x1234,
      regs: { ABCD: [0x1234], CDAB: [0x1234], BADC: [0x3412], DCBA: [0x3412] },
    },
  ];

  for (const { type, value, regs } of cases) {
    for (const order of ORDERS) {
      it(`${type} ${value} in ${order}`, () => {
        expect(encodeValue(value, type, order)).toEqual(regs[order]);
        expect(decodeRegisters(regs[order], type, order)).toEqual(value);
        expect(decodeRegisters(Uint16Array.from(regs[order]), type, order)).toEqual(value);
      });
    }
  }
});

describe('decodeRegisters', () => {
  it('keeps 64-bit integers exact: number when safe, bigint beyond', () => {
    expect(decodeRegisters([0xffff, 0xffff, 0xffff, 0xffff], 'uint64', 'ABCD')).toBe(18446744073709551615n);
    expect(decodeRegisters([0xffff, 0xffff, 0xffff, 0xffff], 'int64', 'ABCD')).toBe(-1);
    expect(decodeRegisters([0x8000, 0, 0, 0], 'int64', 'ABCD')).toBe(-9223372036854775808n);
    expect(decodeRegisters([0x7fff, 0xffff, 0xffff, 0xffff], 'int64', 'ABCD')).toBe(9223372036854775807n);
    // 2^53 - 1 is the largest safe integer; 2^53 must stay a bigint.
    expect(decodeRegisters([0x001f, 0xffff, 0xffff, 0xffff], 'uint64', 'ABCD')).toBe(9007199254740991);
    expect(decodeRegisters([0x0020, 0, 0, 0], 'uint64', 'ABCD')).toBe(9007199254740992n);
    expect(decodeRegisters([0x0020, 0, 0, 1], 'uint64', 'ABCD')).toBe(9007199254740993n);
    expect(decodeRegisters([0xffe0, 0, 0, 0], 'int64', 'ABCD')).toBe(-9007199254740992n);
  });

  it('decodes signed and unsigned 16/32-bit edges', () => {
    expect(decodeRegisters([0xfffe], 'int16', 'ABCD')).toBe(-2);
    expect(decodeRegisters([0xfffe], 'uint16', 'ABCD')).toBe(65534);
    expect(decodeRegisters([0x8000], 'int16', 'ABCD')).toBe(-32768);
    expect(decodeRegisters([0xffff, 0xffff], 'uint32', 'ABCD')).toBe(4294967295);
    expect(decodeRegisters([0x8000, 0x0000], 'int32', 'ABCD')).toBe(-2147483648);
  });

  it('reads only the registers a type needs, and refuses too few', () => {
    expect(decodeRegisters([0x0001, 0x0002, 0x0003], 'uint32', 'ABCD')).toBe(0x00010002);
    expect(codeOf(() => decodeRegisters([1], 'float32', 'ABCD'))).toBe('bad-response');
  });

  it('decodes strings with the byte order inside each register', () => {
    expect(decodeRegisters([0x4142], 'string', 'ABCD', 2)).toBe('AB');
    expect(decodeRegisters([0x4142], 'string', 'CDAB', 2)).toBe('AB');
    expect(decodeRegisters([0x4142], 'string', 'BADC', 2)).toBe('BA');
    expect(decodeRegisters([0x4142], 'string', 'DCBA', 2)).toBe('BA');
    // Register order is never swapped for strings, even with CDAB / DCBA.
    expect(decodeRegisters([0x4142, 0x4344], 'string', 'CDAB', 4)).toBe('ABCD');
    expect(decodeRegisters([0x4241, 0x4443], 'string', 'DCBA', 4)).toBe('ABCD');
  });

  it('drops trailing NULs and spaces only', () => {
    expect(decodeRegisters([0x4142, 0x2000, 0x0000], 'string', 'ABCD', 6)).toBe('AB');
    expect(decodeRegisters([0x2041, 0x0020], 'string', 'ABCD', 4)).toBe(' A');
    expect(decodeRegisters([0x4100, 0x4200], 'string', 'ABCD', 4)).toBe('A\0B');
    expect(decodeRegisters([0x0000], 'string', 'ABCD', 2)).toBe('');
  });

  it('honours odd lengths', () => {
    // Length 3 takes the first byte of the second register only.
    expect(decodeRegisters([0x4142, 0x4344], 'string', 'ABCD', 3)).toBe('ABC');
    expect(decodeRegisters([0x4241, 0x4443], 'string', 'BADC', 3)).toBe('ABC');
  });

  it('decodes UTF-8 and replaces invalid bytes instead of failing', () => {
    expect(decodeRegisters([0xc3a9], 'string', 'ABCD', 2)).toBe('é');
    expect(decodeRegisters([0x41ff], 'string', 'ABCD', 2)).toBe('A\ufffd');
  });

  it('rounds float32 to the nearest float32 on the way out', () => {
    expect(decodeRegisters(encodeValue(0.1, 'float32', 'ABCD'), 'float32', 'ABCD')).toBe(Math.fround(0.1));
    expect(encodeValue(0.1, 'float32', 'ABCD')).toEqual([0x3dcc, 0xcccd]);
  });

  it('leaves bool to registerBit', () => {
    expect(() => decodeRegisters([1], 'bool', 'ABCD')).toThrow('registerBit');
  });
});

describe('encodeValue', () => {
  it('encodes strings padded with NULs', () => {
    expect(encodeValue('AB', 'string', 'ABCD', 2)).toEqual([0x4142]);
    expect(encodeValue('AB', 'string', 'BADC', 2)).toEqual([0x4241]);
    expect(encodeValue('ABC', 'string', 'ABCD', 3)).toEqual([0x4142, 0x4300]);
    expect(encodeValue('ABC', 'string', 'DCBA', 3)).toEqual([0x4241, 0x0043]);
    expect(encodeValue('A', 'string', 'ABCD', 6)).toEqual([0x4100, 0x0000, 0x0000]);
    expect(encodeValue('ABCD', 'string', 'CDAB', 4)).toEqual([0x4142, 0x4344]);
    expect(encodeValue('', 'string', 'ABCD', 2)).toEqual([0x0000]);
    expect(encodeValue('é', 'string', 'ABCD', 2)).toEqual([0xc3a9]);
  });

  it('encodes bool as 1/0 for coils', () => {
    expect(encodeValue(true, 'bool', 'ABCD')).toEqual([1]);
    expect(encodeValue(false, 'bool', 'DCBA')).toEqual([0]);
  });

  it('accepts numbers and bigints for 64-bit types', () => {
    expect(encodeValue(-1, 'int64', 'ABCD')).toEqual([0xffff, 0xffff, 0xffff, 0xffff]);
    expect(encodeValue(18446744073709551615n, 'uint64', 'ABCD')).toEqual([0xffff, 0xffff, 0xffff, 0xffff]);
    expect(encodeValue(-9223372036854775808n, 'int64', 'CDAB')).toEqual([0, 0, 0, 0x8000]);
    expect(encodeValue(5n, 'uint16', 'ABCD')).toEqual([5]);
  });

  it('refuses values that do not fit with out-of-range', () => {
    expect(codeOf(() => encodeValue(70000, 'uint16', 'ABCD'))).toBe('out-of-range');
    expect(codeOf(() => encodeValue(-1, 'uint16', 'ABCD'))).toBe('out-of-range');
    expect(codeOf(() => encodeValue(32768, 'int16', 'ABCD'))).toBe('out-of-range');
    expect(codeOf(() => encodeValue(-32769, 'int16', 'ABCD'))).toBe('out-of-range');
    expect(codeOf(() => encodeValue(2 ** 32, 'uint32', 'ABCD'))).toBe('out-of-range');
    expect(codeOf(() => encodeValue(-(2 ** 31) - 1, 'int32', 'ABCD'))).toBe('out-of-range');
    expect(codeOf(() => encodeValue(2n ** 63n, 'int64', 'ABCD'))).toBe('out-of-range');
    expect(codeOf(() => encodeValue(2 ** 63, 'int64', 'ABCD'))).toBe('out-of-range');
    expect(codeOf(() => encodeValue(2n ** 64n, 'uint64', 'ABCD'))).toBe('out-of-range');
    expect(codeOf(() => encodeValue(-1n, 'uint64', 'ABCD'))).toBe('out-of-range');
    expect(codeOf(() => encodeValue(4e38, 'float32', 'ABCD'))).toBe('out-of-range');
    expect(codeOf(() => encodeValue('ABC', 'string', 'ABCD', 2))).toBe('out-of-range');
    expect(codeOf(() => encodeValue('é', 'string', 'ABCD', 1))).toBe('out-of-range');
  });

  it('refuses wrong JS types and inexact numbers with invalid-value', () => {
    expect(codeOf(() => encodeValue('12', 'uint16', 'ABCD'))).toBe('invalid-value');
    expect(codeOf(() => encodeValue(true, 'int32', 'ABCD'))).toBe('invalid-value');
    expect(codeOf(() => encodeValue(1, 'bool', 'ABCD'))).toBe('invalid-value');
    expect(codeOf(() => encodeValue(12, 'string', 'ABCD', 4))).toBe('invalid-value');
    expect(codeOf(() => encodeValue('1.5', 'float32', 'ABCD'))).toBe('invalid-value');
    expect(codeOf(() => encodeValue(1.5, 'int16', 'ABCD'))).toBe('invalid-value');
    expect(codeOf(() => encodeValue(Number.NaN, 'float64', 'ABCD'))).toBe('invalid-value');
    expect(codeOf(() => encodeValue(Number.POSITIVE_INFINITY, 'float32', 'ABCD'))).toBe('invalid-value');
    // 2^60 is in range but a JSON number cannot say it exactly.
    expect(codeOf(() => encodeValue(2 ** 60, 'uint64', 'ABCD'))).toBe('invalid-value');
  });
});

describe('round trip: every type in every byte order', () => {
  const values: Record<Exclude<TagType, 'bool' | 'string'>, Array<number | bigint>> = {
    int16: [0, 1, -1, -2, 12345, -32768, 32767],
    uint16: [0, 1, 0x00ff, 0xff00, 0x1234, 65535],
    int32: [0, 1, -1, 0x01020304, -123456789, -2147483648, 2147483647],
    uint32: [0, 1, 0x01020304, 0x80000000, 4294967295],
    int64: [0, -1, 9007199254740991, -9007199254740991, 2n ** 53n, -(2n ** 63n), 2n ** 63n - 1n, 0x0102030405060708n],
    uint64: [0, 1, 9007199254740991, 2n ** 53n, 0x8000000000000000n, 2n ** 64n - 1n],
    float32: [0, 1.5, -1.5, 0.25, 3.4028234663852886e38, -1.1754943508222875e-38, 2 ** -149],
    float64: [0, 1.5, -1.5, Math.PI, Number.MAX_VALUE, Number.MIN_VALUE, -123456.789],
  };
  for (const [type, list] of Object.entries(values) as Array<[TagType, Array<number | bigint>]>) {
    for (const order of ORDERS) {
      it(`${type} ${order}`, () => {
        for (const value of list) {
          const regs = encodeValue(value, type, order);
          expect(regs).toHaveLength(registerCount(type));
          for (const r of regs) expect(r >= 0 && r <= 0xffff && Number.isInteger(r)).toBe(true);
          // 64-bit decode returns a number when safe, so compare through BigInt there.
          const back = decodeRegisters(regs, type, order);
          if (type === 'int64' || type === 'uint64') expect(BigInt(back)).toBe(BigInt(value));
          else expect(back).toBe(value);
        }
      });
    }
  }

  it('strings in every order and odd lengths', () => {
    for (const order of ORDERS) {
      for (const [text, length] of [
        ['AB', 2],
        ['ABC', 3],
        ['Hello, plant!', 20],
        ['ÄÖü', 7],
        ['', 1],
      ] as const) {
        const regs = encodeValue(text, 'string', order, length);
        expect(regs).toHaveLength(Math.ceil(length / 2));
        expect(decodeRegisters(regs, 'string', order, length)).toBe(text);
      }
    }
  });
});

describe('scale and offset', () => {
  it('toEngineering applies raw * scale + offset and keeps identity exact', () => {
    expect(toEngineering(123, 0.1, 0)).toBeCloseTo(12.3, 10);
    expect(toEngineering(10, 2, -5)).toBe(15);
    expect(toEngineering(2n ** 64n - 1n, 1, 0)).toBe(18446744073709551615n);
    expect(toEngineering(10n, 2, 1)).toBe(21);
  });

  it('toRaw divides and subtracts; for integer types the result must be whole within 1e-9', () => {
    const tag = { type: 'int16' as const, scale: 0.1, offset: 0 };
    expect(toRaw(12.3, tag)).toBe(123);
    expect(toRaw(150.6, { ...tag, type: 'uint16' })).toBe(1506); // 1505.9999999999998 in floating point
    expect(toRaw(100, { type: 'uint16', scale: 2, offset: 20 })).toBe(40);
    expect(toRaw(0.3, { type: 'uint16', scale: 0.1, offset: 0 })).toBe(3);
    expect(toRaw(1000000.3, { type: 'uint32', scale: 0.1, offset: 1000000 })).toBe(3);
    expect(toRaw(1500 + 1e-10, { type: 'uint16', scale: 1, offset: 0 })).toBe(1500);
    expect(toRaw(-0.0000000001, { type: 'uint16', scale: 1, offset: 0 })).toBe(0);
    expect(codeOf(() => toRaw(12.34, tag))).toBe('invalid-value');
    expect(codeOf(() => toRaw(2.5, { type: 'int16', scale: 1, offset: 0 }))).toBe('invalid-value');
    expect(codeOf(() => toRaw(-0.4, { type: 'uint16', scale: 1, offset: 0 }))).toBe('invalid-value');
    expect(codeOf(() => toRaw(1500 + 1e-8, { type: 'uint16', scale: 1, offset: 0 }))).toBe('invalid-value');
    expect(codeOf(() => toRaw(4294967290.5, { type: 'uint32', scale: 1, offset: 0 }))).toBe('invalid-value');
    expect(() => toRaw(1500.6, { name: 'motor/setpoint', type: 'uint16', scale: 1, offset: 0 })).toThrow(
      'motor/setpoint is uint16: 1500.6 is not a whole number',
    );
    expect(() => toRaw(150.65, { name: 'motor/setpoint', type: 'uint16', scale: 0.1, offset: 0 })).toThrow(
      /^motor\/setpoint is uint16 with scale 0\.1: 150\.65 gives raw 1506\.5\d*, not a whole number/,
    );
    expect(toRaw(25, { type: 'float32', scale: 10, offset: 5 })).toBe(2);
    expect(toRaw(1.25, { type: 'float64', scale: 1, offset: 0 })).toBe(1.25);
  });

  it('toRaw takes exact 64-bit values as bigint or decimal string', () => {
    const u64 = { type: 'uint64' as const, scale: 1, offset: 0 };
    expect(toRaw('18446744073709551615', u64)).toBe(18446744073709551615n);
    expect(toRaw(18446744073709551615n, u64)).toBe(18446744073709551615n);
    expect(toRaw('-9223372036854775808', { ...u64, type: 'int64' })).toBe(-9223372036854775808n);
    expect(toRaw(42, u64)).toBe(42);
    expect(toRaw(42n, { ...u64, type: 'float64' })).toBe(42);
    expect(toRaw(7n, { ...u64, type: 'int16' })).toBe(7n);
    expect(codeOf(() => toRaw('18446744073709551616', u64))).toBe('out-of-range');
    expect(codeOf(() => toRaw('1.5', u64))).toBe('invalid-value');
    expect(codeOf(() => toRaw('0x10', u64))).toBe('invalid-value');
    expect(codeOf(() => toRaw('12', { ...u64, type: 'uint32' }))).toBe('invalid-value');
  });

  it('toRaw checks JSON types', () => {
    expect(toRaw(true, { type: 'bool', scale: 1, offset: 0 })).toBe(true);
    expect(toRaw('hi', { type: 'string', scale: 1, offset: 0, length: 4 })).toBe('hi');
    expect(codeOf(() => toRaw(1, { type: 'bool', scale: 1, offset: 0 }))).toBe('invalid-value');
    expect(codeOf(() => toRaw('true', { type: 'bool', scale: 1, offset: 0 }))).toBe('invalid-value');
    expect(codeOf(() => toRaw(12, { type: 'string', scale: 1, offset: 0, length: 4 }))).toBe('invalid-value');
    expect(codeOf(() => toRaw('12', { type: 'float32', scale: 1, offset: 0 }))).toBe('invalid-value');
    expect(codeOf(() => toRaw(null, { type: 'int16', scale: 1, offset: 0 }))).toBe('invalid-value');
    expect(codeOf(() => toRaw({}, { type: 'int16', scale: 1, offset: 0 }))).toBe('invalid-value');
    expect(codeOf(() => toRaw(Number.NaN, { type: 'float64', scale: 1, offset: 0 }))).toBe('invalid-value');
    expect(codeOf(() => toRaw(Number.NEGATIVE_INFINITY, { type: 'int32', scale: 1, offset: 0 }))).toBe('invalid-value');
  });

  it('toRaw refuses values that do not fit after scaling', () => {
    expect(codeOf(() => toRaw(70000, { type: 'uint16', scale: 1, offset: 0 }))).toBe('out-of-range');
    expect(codeOf(() => toRaw(-1, { type: 'uint16', scale: 1, offset: 0 }))).toBe('out-of-range');
    expect(codeOf(() => toRaw(4000, { type: 'int16', scale: 0.1, offset: 0 }))).toBe('out-of-range');
    expect(codeOf(() => toRaw(1e308, { type: 'float64', scale: 1e-10, offset: 0 }))).toBe('out-of-range');
    expect(codeOf(() => toRaw('ABCDE', { type: 'string', scale: 1, offset: 0, length: 4 }))).toBe('out-of-range');
  });
});

describe('registerBit', () => {
  it('takes bit 0 as least significant', () => {
    expect(registerBit(0x0001, 0)).toBe(true);
    expect(registerBit(0x0001, 1)).toBe(false);
    expect(registerBit(0x8000, 15)).toBe(true);
    expect(registerBit(0x8000, 14)).toBe(false);
    expect(registerBit(0x00a0, 5)).toBe(true);
    expect(registerBit(0x00a0, 7)).toBe(true);
    expect(registerBit(0x00a0, 6)).toBe(false);
  });
});
