import { describe, expect, it } from 'vitest';
import { formatS7Address, parseS7Address } from '../../../../drivers/s7/address.js';

describe('S7 addresses (SPEC §3.3)', () => {
  it.each([
    ['DB5.DBX12.3', { area: 'DB', db: 5, start: 12, size: 'X', bit: 3 }],
    ['DB5.DBB12', { area: 'DB', db: 5, start: 12, size: 'B' }],
    ['DB5.DBW12', { area: 'DB', db: 5, start: 12, size: 'W' }],
    ['DB5.DBD12', { area: 'DB', db: 5, start: 12, size: 'D' }],
    ['db5.dbd12', { area: 'DB', db: 5, start: 12, size: 'D' }],
    ['M10.0', { area: 'M', db: 0, start: 10, size: 'X', bit: 0 }],
    ['MB10', { area: 'M', db: 0, start: 10, size: 'B' }],
    ['MW10', { area: 'M', db: 0, start: 10, size: 'W' }],
    ['MD10', { area: 'M', db: 0, start: 10, size: 'D' }],
    ['I0.7', { area: 'I', db: 0, start: 0, size: 'X', bit: 7 }],
    ['E0.7', { area: 'I', db: 0, start: 0, size: 'X', bit: 7 }],
    ['EW4', { area: 'I', db: 0, start: 4, size: 'W' }],
    ['IB0', { area: 'I', db: 0, start: 0, size: 'B' }],
    ['ID0', { area: 'I', db: 0, start: 0, size: 'D' }],
    ['Q1.1', { area: 'Q', db: 0, start: 1, size: 'X', bit: 1 }],
    ['A1.1', { area: 'Q', db: 0, start: 1, size: 'X', bit: 1 }],
    ['AW2', { area: 'Q', db: 0, start: 2, size: 'W' }],
    ['QD2', { area: 'Q', db: 0, start: 2, size: 'D' }],
    ['DB65535.DBB65535', { area: 'DB', db: 65535, start: 65535, size: 'B' }],
  ])('%s', (text, expected) => {
    expect(parseS7Address(text)).toEqual(expected);
  });

  it('formats the canonical English form', () => {
    expect(formatS7Address(parseS7Address('E0.7'))).toBe('I0.7');
    expect(formatS7Address(parseS7Address('AW2'))).toBe('QW2');
    expect(formatS7Address(parseS7Address('db1.dbx2.3'))).toBe('DB1.DBX2.3');
  });

  it.each([
    ['DB0.DBW0', 'DB0.DBW0: DB number must be 1..65535'],
    ['DB65536.DBW0', 'DB number must be 1..65535'],
    ['DB1.DBW65536', 'byte offset must be 0..65535'],
    ['DB1.DBX0.8', 'bit index must be 0..7'],
    ['M0.9', 'bit index must be 0..7'],
    ['DB1.DBX0', 'needs a bit index'],
    ['M10', 'needs a bit index'],
    ['MW10.1', 'a bit index belongs to a bit address'],
    ['T5', 'unknown area "T"'],
    ['PIW256', 'unknown area "P"'],
    ['DB1.W0', 'after DBn. comes DBX, DBB, DBW or DBD'],
    [' MW0', 'must not start or end with spaces'],
    ['', 'empty address'],
  ])('refuses %s', (text, message) => {
    expect(() => parseS7Address(text)).toThrow(message);
  });
});
