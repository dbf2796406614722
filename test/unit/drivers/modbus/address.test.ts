import { describe, expect, it } from 'vitest';
import { formatAddress, isWritableArea, parseAddress } from '../../../../drivers/modbus/address.js';

describe('parseAddress', () => {
  it('parses prefixed register and bit addresses', () => {
    expect(parseAddress('hr:0')).toEqual({ area: 'hr', offset: 0 });
    expect(parseAddress('hr:65535')).toEqual({ area: 'hr', offset: 65535 });
    expect(parseAddress('ir:100')).toEqual({ area: 'ir', offset: 100 });
    expect(parseAddress('coil:3')).toEqual({ area: 'coil', offset: 3 });
    expect(parseAddress('di:7')).toEqual({ area: 'di', offset: 7 });
    expect(parseAddress('hr:12.0')).toEqual({ area: 'hr', offset: 12, bit: 0 });
    expect(parseAddress('ir:5.15')).toEqual({ area: 'ir', offset: 5, bit: 15 });
  });

  it('parses five- and six-digit Modicon numbers (one-based)', () => {
    expect(parseAddress('40001')).toEqual({ area: 'hr', offset: 0 });
    expect(parseAddress('49999')).toEqual({ area: 'hr', offset: 9998 });
    expect(parseAddress('400001')).toEqual({ area: 'hr', offset: 0 });
    expect(parseAddress('465536')).toEqual({ area: 'hr', offset: 65535 });
    expect(parseAddress('30001')).toEqual({ area: 'ir', offset: 0 });
    expect(parseAddress('300101')).toEqual({ area: 'ir', offset: 100 });
    expect(parseAddress('10001')).toEqual({ area: 'di', offset: 0 });
    expect(parseAddress('100010')).toEqual({ area: 'di', offset: 9 });
    expect(parseAddress('00001')).toEqual({ area: 'coil', offset: 0 });
    expect(parseAddress('000001')).toEqual({ area: 'coil', offset: 0 });
    expect(parseAddress('065536')).toEqual({ area: 'coil', offset: 65535 });
  });

  it('names the problem for out-of-range numbers and bits', () => {
    expect(() => parseAddress('hr:70000')).toThrow('hr:70000: register number must be 0..65535');
    expect(() => parseAddress('hr:65536')).toThrow('hr:65536: register number must be 0..65535');
    expect(() => parseAddress('coil:65536')).toThrow('coil:65536: coil number must be 0..65535');
    expect(() => parseAddress('hr:1.16')).toThrow('hr:1.16: bit must be 0..15');
    expect(() => parseAddress('hr:1.')).toThrow('hr:1.: bit must be 0..15');
    expect(() => parseAddress('ir:1.x')).toThrow('ir:1.x: bit must be 0..15');
    expect(() => parseAddress('coil:1.2')).toThrow('coil:1.2: bits can only be taken from hr or ir');
    expect(() => parseAddress('di:1.2')).toThrow('di:1.2: bits can only be taken from hr or ir');
  });

  it('accepts decimal digits only', () => {
    for (const text of ['hr:', 'hr:-1', 'hr:+1', 'hr:0x10', 'hr:1e3', 'hr:1.5.3', 'hr:١']) {
      expect(() => parseAddress(text)).toThrow(/register number must be 0\.\.65535|bit must be 0\.\.15/);
    }
  });

  it('refuses zero in Modicon numbers and numbers past 65536', () => {
    expect(() => parseAddress('40000')).toThrow('40000: Modicon numbers are one-based; 40001 is hr:0');
    expect(() => parseAddress('400000')).toThrow('400000: Modicon numbers are one-based; 400001 is hr:0');
    expect(() => parseAddress('00000')).toThrow('00000: Modicon numbers are one-based; 00001 is coil:0');
    expect(() => parseAddress('465537')).toThrow('465537: register number must be 1..65536 in a Modicon number');
  });

  it('refuses unknown forms with the usage hint', () => {
    const usage = 'unknown address; use hr:N, ir:N, coil:N, di:N, hr:N.B or a Modicon number like 40001';
    expect(() => parseAddress('x:1')).toThrow(`x:1: ${usage}`);
    for (const text of ['HR:1', 'hr1', '4001', '4000001', '20001', '50001', 'holding:1', '4000a']) {
      expect(() => parseAddress(text)).toThrow(`${text}: ${usage}`);
    }
    expect(() => parseAddress('')).toThrow(/^empty address; use hr:N/);
  });

  it('is strict about whitespace', () => {
    expect(() => parseAddress(' hr:1')).toThrow('" hr:1": address must not start or end with spaces');
    expect(() => parseAddress('40001\n')).toThrow('must not start or end with spaces');
    expect(() => parseAddress('hr: 1')).toThrow('hr: 1: register number must be 0..65535');
  });
});

describe('formatAddress', () => {
  it('writes the canonical form', () => {
    expect(formatAddress({ area: 'hr', offset: 0 })).toBe('hr:0');
    expect(formatAddress({ area: 'ir', offset: 3, bit: 15 })).toBe('ir:3.15');
    expect(formatAddress({ area: 'coil', offset: 9 })).toBe('coil:9');
    expect(formatAddress(parseAddress('400101'))).toBe('hr:100');
    expect(formatAddress(parseAddress('10001'))).toBe('di:0');
  });
});

describe('isWritableArea', () => {
  it('allows hr and coil only', () => {
    expect(isWritableArea('hr')).toBe(true);
    expect(isWritableArea('coil')).toBe(true);
    expect(isWritableArea('ir')).toBe(false);
    expect(isWritableArea('di')).toBe(false);
  });
});
