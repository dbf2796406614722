import { describe, expect, it } from 'vitest';
import { parseExact, stringifyExact, valueToJson } from '../../../core/json.js';

const UINT64_MAX = 2n ** 64n - 1n; // 18446744073709551615
const INT64_MIN = -(2n ** 63n); // -9223372036854775808

describe('valueToJson', () => {
  it('writes 64-bit integers as exact JSON integers', () => {
    expect(valueToJson(UINT64_MAX)).toBe('18446744073709551615');
    expect(valueToJson(INT64_MIN)).toBe('-9223372036854775808');
    expect(valueToJson(2n ** 53n + 1n)).toBe('9007199254740993');
    expect(valueToJson(0n)).toBe('0');
  });

  it('writes numbers, booleans, strings and null as JSON', () => {
    expect(valueToJson(21.5)).toBe('21.5');
    expect(valueToJson(-3)).toBe('-3');
    expect(valueToJson(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(valueToJson(true)).toBe('true');
    expect(valueToJson(false)).toBe('false');
    expect(valueToJson('say "hi"\n')).toBe('"say \\"hi\\"\\n"');
    expect(valueToJson(null)).toBe('null');
  });

  it('writes non-finite floats as null', () => {
    expect(valueToJson(Number.NaN)).toBe('null');
    expect(valueToJson(Number.POSITIVE_INFINITY)).toBe('null');
    expect(valueToJson(Number.NEGATIVE_INFINITY)).toBe('null');
    expect(valueToJson([1, Number.NaN])).toBe('[1,null]');
  });

  it('writes arrays and objects with exact bigints inside', () => {
    expect(valueToJson([UINT64_MAX, 1, 'x'])).toBe('[18446744073709551615,1,"x"]');
    expect(valueToJson({ a: INT64_MIN, b: { c: [true] } })).toBe('{"a":-9223372036854775808,"b":{"c":[true]}}');
  });
});

describe('stringifyExact', () => {
  it('writes a payload with a bigint exactly', () => {
    expect(stringifyExact({ value: UINT64_MAX, timestamp: 1732390000123, quality: 'good' })).toBe(
      '{"value":18446744073709551615,"timestamp":1732390000123,"quality":"good"}',
    );
  });

  it('is JSON.stringify when there is no bigint, including the indent', () => {
    const data = { a: 1.5, b: 'x', c: [null, false], d: Number.NaN };
    expect(stringifyExact(data)).toBe(JSON.stringify(data));
    expect(stringifyExact(data, 2)).toBe(JSON.stringify(data, null, 2));
    expect(stringifyExact({ v: UINT64_MAX }, 2)).toBe('{\n  "v": 18446744073709551615\n}');
  });

  it('leaves strings that look like numbers as strings', () => {
    expect(stringifyExact({ s: '18446744073709551615', v: 1n })).toBe('{"s":"18446744073709551615","v":1}');
  });

  it('writes null for undefined', () => {
    expect(stringifyExact(undefined)).toBe('null');
  });
});

describe('parseExact', () => {
  it('reads integers beyond 2^53 as exact bigints', () => {
    expect(parseExact('18446744073709551615')).toBe(UINT64_MAX);
    expect(parseExact('-9223372036854775808')).toBe(INT64_MIN);
    expect(parseExact('9007199254740993')).toBe(2n ** 53n + 1n);
    expect(parseExact('9007199254740992')).toBe(2n ** 53n);
    expect(parseExact('{"value": 18446744073709551615, "id": "abc"}')).toEqual({ value: UINT64_MAX, id: 'abc' });
    expect(parseExact('[1,18446744073709551615,-9223372036854775808]')).toEqual([1, UINT64_MAX, INT64_MIN]);
  });

  it('keeps safe integers as numbers, including 16-digit ones', () => {
    expect(parseExact('42')).toBe(42);
    expect(parseExact('9007199254740991')).toBe(9_007_199_254_740_991);
    expect(parseExact('-9007199254740991')).toBe(-9_007_199_254_740_991);
    expect(parseExact('1234567890123456')).toBe(1_234_567_890_123_456);
    expect(parseExact('{"value": 1732390000123}')).toEqual({ value: 1_732_390_000_123 });
  });

  it('leaves long digit runs inside strings untouched', () => {
    expect(parseExact('"18446744073709551615"')).toBe('18446744073709551615');
    expect(parseExact('{"serial": "SN-12345678901234567890", "n": 1}')).toEqual({
      serial: 'SN-12345678901234567890',
      n: 1,
    });
    // An escaped quote does not end the string early.
    expect(parseExact('{"s": "a\\"12345678901234567890\\"b"}')).toEqual({ s: 'a"12345678901234567890"b' });
    expect(parseExact('{"12345678901234567890": 12345678901234567890}')).toEqual({
      '12345678901234567890': 12_345_678_901_234_567_890n,
    });
  });

  it('leaves floats with many digits as numbers', () => {
    // JSON.parse is the reference: these are doubles, not integers to keep exact.
    for (const text of [
      '3.14159265358979323846',
      '12345678901234567890.5',
      '0.12345678901234567890',
      '12345678901234567890e2',
      '12345678901234567890E-2',
      '1.5e-12345678901234567',
      '[-12345678901234567890.25]',
      '{"f": 98765432109876543210.0}',
    ]) {
      expect(parseExact(text), text).toEqual(JSON.parse(text));
    }
    expect(typeof parseExact('12345678901234567890.5')).toBe('number');
    expect(parseExact('3.14159265358979323846')).toBe(Math.PI);
  });

  it('parses booleans, strings and null as JSON.parse does', () => {
    expect(parseExact('true')).toBe(true);
    expect(parseExact('"AB"')).toBe('AB');
    expect(parseExact('null')).toBe(null);
    expect(parseExact(' { "value" : 42 , "id" : "x" } ')).toEqual({ value: 42, id: 'x' });
  });

  it('rejects what JSON.parse rejects', () => {
    expect(() => parseExact('{value: 1}')).toThrow(SyntaxError);
    expect(() => parseExact('')).toThrow(SyntaxError);
  });

  it('round-trips with stringifyExact', () => {
    const data = { u: UINT64_MAX, i: INT64_MIN, f: 1.25, s: '99999999999999999999', b: [true, null, 7] };
    const text = stringifyExact(data);
    expect(text).toBe(
      '{"u":18446744073709551615,"i":-9223372036854775808,"f":1.25,"s":"99999999999999999999","b":[true,null,7]}',
    );
    expect(parseExact(text)).toEqual(data);
  });
});
