import {
  DataType,
  LocalizedText,
  NodeId,
  QualifiedName,
  Range,
  ServerStatusDataType,
  StatusCodes,
  Variant,
  VariantArrayType,
} from 'node-opcua';
import { describe, expect, it } from 'vitest';
import type { TagType } from '../../../../core/config/schema.js';
import { GatewayError } from '../../../../core/errors.js';
import type { Value } from '../../../../core/values.js';
import {
  anyToValue,
  bigIntToWords,
  coerceToTagType,
  type NodeType,
  shortestFloat32,
  toEngineering,
  valueToVariant,
  variantToValue,
  wordsToBigInt,
} from '../../../../drivers/opcua/convert.js';

const scalar = (dataType: DataType, value: unknown) =>
  new Variant({ dataType, arrayType: VariantArrayType.Scalar, value });

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof GatewayError) return err.code;
    throw err;
  }
  throw new Error('expected a GatewayError');
}

/** A value that went through JSON-like publishing must carry no class instances or functions. */
function isPlain(v: Value): boolean {
  if (v === null || typeof v !== 'object') return true;
  if (Array.isArray(v)) return v.every(isPlain);
  const proto = Object.getPrototypeOf(v);
  return (proto === Object.prototype || proto === null) && Object.values(v).every(isPlain);
}

describe('variantToValue: every scalar type', () => {
  const cases: Array<[string, Variant, Value]> = [
    ['Boolean', scalar(DataType.Boolean, true), true],
    ['SByte', scalar(DataType.SByte, -128), -128],
    ['Byte', scalar(DataType.Byte, 255), 255],
    ['Int16', scalar(DataType.Int16, -32768), -32768],
    ['UInt16', scalar(DataType.UInt16, 65535), 65535],
    ['Int32', scalar(DataType.Int32, -2147483648), -2147483648],
    ['UInt32', scalar(DataType.UInt32, 4294967295), 4294967295],
    ['Int64 small', scalar(DataType.Int64, [0xffffffff, 0xfffffffe]), -2],
    ['Int64 min', scalar(DataType.Int64, [0x80000000, 0]), -(2n ** 63n)],
    ['Int64 max', scalar(DataType.Int64, [0x7fffffff, 0xffffffff]), 2n ** 63n - 1n],
    ['Int64 2^53', scalar(DataType.Int64, [0x200000, 0]), 2n ** 53n],
    ['Int64 2^53-1', scalar(DataType.Int64, [0x1fffff, 0xffffffff]), 2 ** 53 - 1],
    ['UInt64 max', scalar(DataType.UInt64, [0xffffffff, 0xffffffff]), 18446744073709551615n],
    ['UInt64 small', scalar(DataType.UInt64, [0, 42]), 42],
    ['Float', scalar(DataType.Float, Math.fround(3.14)), 3.14],
    ['Double', scalar(DataType.Double, 123456.789012345), 123456.789012345],
    ['String', scalar(DataType.String, 'héllo'), 'héllo'],
    ['String null', scalar(DataType.String, null), null],
    ['DateTime', scalar(DataType.DateTime, new Date('2024-01-01T00:00:00.000Z')), '2024-01-01T00:00:00.000Z'],
    ['DateTime min', scalar(DataType.DateTime, new Date(Date.UTC(1601, 0, 1))), null],
    ['Guid', scalar(DataType.Guid, '72962B91-FA75-4AE6-8D28-B404DC7DAF63'), '72962B91-FA75-4AE6-8D28-B404DC7DAF63'],
    ['ByteString', scalar(DataType.ByteString, Buffer.from('deadbeef', 'hex')), '3q2+7w=='],
    ['ByteString null', scalar(DataType.ByteString, null), null],
    ['NodeId', scalar(DataType.NodeId, NodeId.resolveNodeId('ns=2;s=Line1.Temp')), 'ns=2;s=Line1.Temp'],
    ['StatusCode', scalar(DataType.StatusCode, StatusCodes.BadNodeIdUnknown), 'BadNodeIdUnknown'],
    ['QualifiedName', scalar(DataType.QualifiedName, new QualifiedName({ namespaceIndex: 2, name: 'Temp' })), 'Temp'],
    ['LocalizedText', scalar(DataType.LocalizedText, new LocalizedText({ text: 'Hallo', locale: 'de' })), 'Hallo'],
    ['Null', new Variant({ dataType: DataType.Null }), null],
  ];
  for (const [name, variant, expected] of cases) {
    it(name, () => {
      expect(variantToValue(variant)).toEqual(expected);
    });
  }

  it('keeps 64-bit integers exact: bigint beyond 2^53, number within', () => {
    expect(typeof variantToValue(scalar(DataType.UInt64, [0xffffffff, 0xffffffff]))).toBe('bigint');
    expect(typeof variantToValue(scalar(DataType.Int64, [0, 5]))).toBe('number');
    for (const v of [0n, 1n, -1n, 2n ** 53n + 1n, -(2n ** 53n) - 1n, 2n ** 63n - 1n, -(2n ** 63n)]) {
      expect(wordsToBigInt(bigIntToWords(v), true)).toBe(v);
    }
    expect(wordsToBigInt(bigIntToWords(2n ** 64n - 1n), false)).toBe(2n ** 64n - 1n);
  });

  it('empty variants are null', () => {
    expect(variantToValue(undefined)).toBeNull();
    expect(variantToValue(null)).toBeNull();
  });
});

describe('variantToValue: arrays and structures', () => {
  it('arrays become JSON arrays of converted elements', () => {
    const doubles = new Variant({ dataType: DataType.Double, arrayType: VariantArrayType.Array, value: [1.5, 2.5] });
    expect(variantToValue(doubles)).toEqual([1.5, 2.5]);
    const u64 = new Variant({
      dataType: DataType.UInt64,
      arrayType: VariantArrayType.Array,
      value: [
        [0, 1],
        [0xffffffff, 0xffffffff],
      ],
    });
    expect(variantToValue(u64)).toEqual([1, 18446744073709551615n]);
    const texts = new Variant({
      dataType: DataType.LocalizedText,
      arrayType: VariantArrayType.Array,
      value: [new LocalizedText({ text: 'a' }), new LocalizedText({ text: 'b' })],
    });
    expect(variantToValue(texts)).toEqual(['a', 'b']);
    const bytes = new Variant({ dataType: DataType.Byte, arrayType: VariantArrayType.Array, value: [1, 2, 3] });
    expect(variantToValue(bytes)).toEqual([1, 2, 3]);
  });

  it('a matrix becomes nested arrays, first dimension outermost', () => {
    const m = new Variant({
      dataType: DataType.Int32,
      arrayType: VariantArrayType.Matrix,
      value: [1, 2, 3, 4, 5, 6],
      dimensions: [2, 3],
    });
    expect(variantToValue(m)).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
  });

  it('structures become plain JSON objects, nested ones too', () => {
    const status = new ServerStatusDataType({
      startTime: new Date('2024-01-01T00:00:00Z'),
      currentTime: new Date('2024-01-01T00:00:01Z'),
      state: 0,
      buildInfo: { productName: 'PLC', buildNumber: '42', buildDate: new Date('2023-06-01T00:00:00Z') },
      secondsTillShutdown: 0,
      shutdownReason: new LocalizedText({ text: 'none' }),
    });
    const value = variantToValue(scalar(DataType.ExtensionObject, status));
    expect(value).toMatchObject({
      startTime: '2024-01-01T00:00:00.000Z',
      state: 0,
      buildInfo: { productName: 'PLC', buildNumber: '42', buildDate: '2023-06-01T00:00:00.000Z' },
      shutdownReason: 'none',
    });
    expect(isPlain(value)).toBe(true);
    expect(variantToValue(scalar(DataType.ExtensionObject, new Range({ low: 0, high: 100 })))).toEqual({
      low: 0,
      high: 100,
    });
  });

  it('anyToValue never lets a class instance or a function through', () => {
    const v = anyToValue({ a: new Date('2024-01-01T00:00:00Z'), b: Buffer.from([1]), c: () => 1, d: [1n, 2] });
    expect(v).toEqual({ a: '2024-01-01T00:00:00.000Z', b: 'AQ==', d: [1, 2] });
    expect(isPlain(v)).toBe(true);
  });

  it('NaN or ±Infinity anywhere in a value (scalar, array, structure field, Float) is not-a-number', () => {
    const arrayOf = (dataType: DataType, value: unknown) =>
      new Variant({ dataType, arrayType: VariantArrayType.Array, value });
    const nan = [
      scalar(DataType.Double, Number.NaN),
      scalar(DataType.Double, Number.POSITIVE_INFINITY),
      scalar(DataType.Float, Number.NaN),
      scalar(DataType.Float, Number.NEGATIVE_INFINITY),
      arrayOf(DataType.Double, new Float64Array([1, Number.NaN])),
      arrayOf(DataType.Float, new Float32Array([Number.POSITIVE_INFINITY])),
    ];
    for (const variant of nan)
      expect(
        codeOf(() => variantToValue(variant)),
        variant.toString(),
      ).toBe('not-a-number');
    expect(codeOf(() => anyToValue({ d: [1, Number.NaN] }))).toBe('not-a-number');
  });
});

describe('shortestFloat32 and scaling', () => {
  it('prints float32 values the way they were written', () => {
    expect(shortestFloat32(Math.fround(0.1))).toBe(0.1);
    expect(shortestFloat32(Math.fround(22.53))).toBe(22.53);
    expect(shortestFloat32(Math.fround(1e-7))).toBe(1e-7);
    expect(shortestFloat32(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
  });

  it('published = raw * scale + offset; the identity keeps bigint exact', () => {
    expect(toEngineering(100, 0.1, 5)).toBeCloseTo(15, 12);
    expect(toEngineering(2n ** 64n - 1n, 1, 0)).toBe(2n ** 64n - 1n);
    expect(toEngineering('text', 2, 1)).toBe('text');
    expect(toEngineering(true, 2, 1)).toBe(true);
  });
});

describe('coerceToTagType', () => {
  const ok: Array<[Value, TagType, Value]> = [
    [21.7, 'int16', 22],
    [-2.5, 'int16', -3],
    [2.5, 'uint16', 3],
    [true, 'int32', 1],
    ['42', 'int32', 42],
    [18446744073709551615n, 'uint64', 18446744073709551615n],
    ['18446744073709551615', 'uint64', 18446744073709551615n],
    [5, 'int64', 5],
    [0.1, 'float32', 0.1],
    [3000000000, 'float64', 3000000000],
    [0, 'bool', false],
    [2, 'bool', true],
    ['true', 'bool', true],
    [12, 'string', '12'],
    [true, 'string', 'true'],
    [[1, 2], 'string', '[1,2]'],
    [null, 'int16', null],
  ];
  for (const [input, type, expected] of ok) {
    it(`${String(input)} as ${type} → ${String(expected)}`, () => {
      expect(coerceToTagType(input, type)).toEqual(expected);
    });
  }

  const bad: Array<[Value, TagType]> = [
    [40000, 'int16'],
    [-1, 'uint16'],
    [-1, 'uint64'],
    [2n ** 64n, 'uint64'],
    [1e40, 'float32'],
    ['abc', 'int32'],
    ['maybe', 'bool'],
    [[1], 'int16'],
    [{ a: 1 }, 'float64'],
  ];
  for (const [input, type] of bad) {
    it(`${JSON.stringify(input, (_k, v) => (typeof v === 'bigint' ? String(v) : v))} as ${type} → bad-response`, () => {
      expect(codeOf(() => coerceToTagType(input, type))).toBe('bad-response');
    });
  }

  it('string with a length keeps at most that many UTF-8 bytes, whole characters only', () => {
    expect(coerceToTagType('abcdef', 'string', 3)).toBe('abc');
    expect(coerceToTagType('aéb', 'string', 2)).toBe('a');
  });
});

describe('valueToVariant (writes)', () => {
  const node = (dataType: DataType, valueRank = -1): NodeType => ({ dataType, valueRank });
  const plain = { scale: 1, offset: 0 };

  it('builds a Variant of the node type for every writable scalar type', () => {
    const cases: Array<[DataType, unknown, unknown]> = [
      [DataType.Boolean, true, true],
      [DataType.SByte, -128, -128],
      [DataType.Byte, 255, 255],
      [DataType.Int16, -32768, -32768],
      [DataType.UInt16, 65535, 65535],
      [DataType.Int32, 2147483647, 2147483647],
      [DataType.UInt32, 4294967295, 4294967295],
      [DataType.Int64, -2, [0xffffffff, 0xfffffffe]],
      [DataType.Int64, '-9223372036854775808', [0x80000000, 0]],
      [DataType.UInt64, '18446744073709551615', [0xffffffff, 0xffffffff]],
      [DataType.UInt64, 18446744073709551615n, [0xffffffff, 0xffffffff]],
      [DataType.Float, 3.5, 3.5],
      [DataType.Double, 123456.789012345, 123456.789012345],
      [DataType.String, 'abc', 'abc'],
      [DataType.DateTime, '2024-01-01T00:00:00Z', new Date('2024-01-01T00:00:00Z')],
      [DataType.ByteString, '3q2+7w==', Buffer.from('deadbeef', 'hex')],
      [DataType.Guid, '72962B91-FA75-4AE6-8D28-B404DC7DAF63', '72962B91-FA75-4AE6-8D28-B404DC7DAF63'],
    ];
    for (const [dataType, input, raw] of cases) {
      const v = valueToVariant(input, node(dataType), plain);
      expect(v.dataType, DataType[dataType]).toBe(dataType);
      expect(v.arrayType).toBe(VariantArrayType.Scalar);
      expect(v.value, DataType[dataType]).toEqual(raw);
    }
    expect(valueToVariant('Hallo', node(DataType.LocalizedText), plain).value.text).toBe('Hallo');
  });

  it('refuses a fraction for an integer type, after applying (value - offset) / scale', () => {
    expect(codeOf(() => valueToVariant(21.7, node(DataType.Int16), plain))).toBe('invalid-value');
    expect(() => valueToVariant(-2.5, node(DataType.Int16), { ...plain, name: 'valve' })).toThrow(
      'valve is Int16: -2.5 is not a whole number',
    );
    expect(valueToVariant(25, node(DataType.Int16), { scale: 0.1, offset: 5 }).value).toBe(200);
    expect(valueToVariant(150.6, node(DataType.UInt16), { scale: 0.1, offset: 0 }).value).toBe(1506);
    expect(codeOf(() => valueToVariant(150.65, node(DataType.UInt16), { scale: 0.1, offset: 0 }))).toBe(
      'invalid-value',
    );
    expect(valueToVariant(25, node(DataType.Double), { scale: 2, offset: 1 }).value).toBe(12);
  });

  it('refuses a wrong JSON type with invalid-value', () => {
    expect(codeOf(() => valueToVariant('12', node(DataType.Int16), plain))).toBe('invalid-value');
    expect(codeOf(() => valueToVariant(1, node(DataType.Boolean), plain))).toBe('invalid-value');
    expect(codeOf(() => valueToVariant(true, node(DataType.Double), plain))).toBe('invalid-value');
    expect(codeOf(() => valueToVariant(5, node(DataType.String), plain))).toBe('invalid-value');
    expect(codeOf(() => valueToVariant(null, node(DataType.Int32), plain))).toBe('invalid-value');
    expect(codeOf(() => valueToVariant('not a date', node(DataType.DateTime), plain))).toBe('invalid-value');
    expect(codeOf(() => valueToVariant('@@@', node(DataType.ByteString), plain))).toBe('invalid-value');
    expect(codeOf(() => valueToVariant(Number.NaN, node(DataType.Double), plain))).toBe('invalid-value');
    expect(codeOf(() => valueToVariant({ a: 1 }, node(DataType.ExtensionObject), plain))).toBe('invalid-value');
    // A JSON number beyond 2^53 has already lost digits.
    expect(codeOf(() => valueToVariant(2 ** 60, node(DataType.UInt64), plain))).toBe('invalid-value');
  });

  it('refuses integers outside the OPC UA type with out-of-range', () => {
    const limits: Array<[DataType, number | string, number | string]> = [
      [DataType.SByte, -129, 128],
      [DataType.Byte, -1, 256],
      [DataType.Int16, -32769, 32768],
      [DataType.UInt16, -1, 65536],
      [DataType.Int32, -2147483649, 2147483648],
      [DataType.UInt32, -1, 4294967296],
      [DataType.Int64, '-9223372036854775809', '9223372036854775808'],
      [DataType.UInt64, '-1', '18446744073709551616'],
    ];
    for (const [dataType, below, above] of limits) {
      expect(
        codeOf(() => valueToVariant(below, node(dataType), plain)),
        `${DataType[dataType]} ${below}`,
      ).toBe('out-of-range');
      expect(
        codeOf(() => valueToVariant(above, node(dataType), plain)),
        `${DataType[dataType]} ${above}`,
      ).toBe('out-of-range');
    }
    expect(codeOf(() => valueToVariant(1e39, node(DataType.Float), plain))).toBe('out-of-range');
    expect(codeOf(() => valueToVariant(3300, node(DataType.Int16), { scale: 0.1, offset: 0 }))).toBe('out-of-range');
    expect(codeOf(() => valueToVariant('abcd', node(DataType.String), { ...plain, length: 3 }))).toBe('out-of-range');
  });

  it('arrays need an array node, and scalars a scalar node', () => {
    const arr = valueToVariant([1, 2.5], node(DataType.Double, 1), plain);
    expect(arr.arrayType).toBe(VariantArrayType.Array);
    expect(Array.from(arr.value as Float64Array)).toEqual([1, 2.5]);
    expect(codeOf(() => valueToVariant([1], node(DataType.Double, -1), plain))).toBe('invalid-value');
    expect(codeOf(() => valueToVariant(1, node(DataType.Double, 1), plain))).toBe('invalid-value');
    expect(codeOf(() => valueToVariant([1, 'x'], node(DataType.Double, 1), plain))).toBe('invalid-value');
    // ValueRank -2 (any) and -3 (scalar or one dimension) take either.
    expect(valueToVariant(1, node(DataType.Int32, -2), plain).arrayType).toBe(VariantArrayType.Scalar);
    expect(valueToVariant([1], node(DataType.Int32, -3), plain).arrayType).toBe(VariantArrayType.Array);
  });
});
