import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../../core/errors.js';
import { compileDecoder, encodeWrite, type S7Type } from '../../../../drivers/s7/codec.js';

const plain = { scale: 1, offset: 0 };

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof GatewayError ? err.code : 'not-a-gateway-error';
  }
  return undefined;
}

describe('S7 codec', () => {
  it('round-trips every numeric type through the bytes a PLC holds (big-endian)', () => {
    const cases: Array<[S7Type, number | bigint, string]> = [
      ['int8', -5, 'fb'],
      ['uint8', 200, 'c8'],
      ['int16', -2, 'fffe'],
      ['uint16', 65535, 'ffff'],
      ['int32', -123456789, 'f8a432eb'],
      ['uint32', 3000000000, 'b2d05e00'],
      ['float32', 21.5, '41ac0000'],
      ['float64', 0.1, '3fb999999999999a'],
      ['int64', -9007199254740993n, 'ffdfffffffffffff'],
      ['uint64', 18446744073709551615n, 'ffffffffffffffff'],
      ['int64', 42, '000000000000002a'],
    ];
    for (const [type, value, hex] of cases) {
      const bytes = encodeWrite(typeof value === 'bigint' ? value.toString() : value, { type, ...plain });
      expect(bytes.toString('hex'), type).toBe(hex);
      expect(compileDecoder({ type, ...plain })(bytes, 0), type).toEqual(value);
    }
  });

  it('decodes bits, strings and scaled values', () => {
    expect(compileDecoder({ type: 'bool', bit: 3, ...plain })(Buffer.from([0x08]), 0)).toBe(true);
    expect(compileDecoder({ type: 'bool', bit: 2, ...plain })(Buffer.from([0x08]), 0)).toBe(false);
    const s = Buffer.from([0, 10, 3, 0x41, 0xe4, 0x43, 0x44]);
    expect(compileDecoder({ type: 'string', length: 10, ...plain })(s, 1)).toBe('AäC');
    expect(compileDecoder({ type: 'int16', scale: 0.1, offset: 1 })(Buffer.from([0x04, 0xd2]), 0)).toBeCloseTo(124.4);
  });

  it('never turns a STRING header that does not fit into a value', () => {
    const decode = compileDecoder({ type: 'string', length: 4, ...plain });
    expect(codeOf(() => decode(Buffer.from([4, 9, 65, 65, 65, 65]), 0))).toBe('bad-response');
    expect(codeOf(() => decode(Buffer.from([10, 6, 65, 65, 65, 65, 65, 65]), 0))).toBe('bad-response');
  });

  it('refuses NaN as a value', () => {
    const nan = Buffer.alloc(4);
    nan.writeFloatBE(Number.NaN);
    expect(codeOf(() => compileDecoder({ type: 'float32', ...plain })(nan, 0))).toBe('not-a-number');
  });

  it('checks writes before encoding: JSON type, whole numbers, range, string fit', () => {
    expect(codeOf(() => encodeWrite('1', { type: 'int16', ...plain }))).toBe('invalid-value');
    expect(codeOf(() => encodeWrite(1.5, { type: 'int16', ...plain }))).toBe('invalid-value');
    expect(codeOf(() => encodeWrite(128, { type: 'int8', ...plain }))).toBe('out-of-range');
    expect(codeOf(() => encodeWrite(-1, { type: 'uint32', ...plain }))).toBe('out-of-range');
    expect(codeOf(() => encodeWrite(1, { type: 'bool', ...plain }))).toBe('invalid-value');
    expect(codeOf(() => encodeWrite('too long', { type: 'string', length: 4, ...plain }))).toBe('out-of-range');
    expect(codeOf(() => encodeWrite('€', { type: 'string', length: 4, ...plain }))).toBe('invalid-value');
    expect(codeOf(() => encodeWrite(1e39, { type: 'float32', ...plain }))).toBe('out-of-range');
    expect(codeOf(() => encodeWrite(2 ** 60, { type: 'int64', ...plain }))).toBe('invalid-value');
    // raw = (value - offset) / scale, and 150.6 / 0.1 is a whole number within 1e-9.
    expect(encodeWrite(150.6, { type: 'int16', scale: 0.1, offset: 0 }).readInt16BE(0)).toBe(1506);
    expect(encodeWrite('ab', { type: 'string', length: 4, ...plain }).toString('hex')).toBe('026162');
  });
});
