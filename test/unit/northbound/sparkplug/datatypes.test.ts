import { describe, expect, it } from 'vitest';
import { TAG_TYPES, type TagConfig } from '../../../../core/config/schema.js';
import { decodePayload, encodePayload, type SpbType } from '../../../../northbound/sparkplug/codec.js';
import { inferType, metricType, QUALITY_CODES, toSpbValue } from '../../../../northbound/sparkplug/datatypes.js';

const tag = (t: Partial<TagConfig>): Pick<TagConfig, 'type' | 'scale' | 'offset'> => ({ scale: 1, offset: 0, ...t });

/** Through Tahu's encoder and back, as a host would read it. */
function roundTrip(type: SpbType, value: Parameters<typeof toSpbValue>[1]) {
  const bytes = encodePayload({ timestamp: 1, seq: 1, metrics: [{ alias: 1, type, value: toSpbValue(type, value) }] });
  return decodePayload(bytes).metrics[0]?.value;
}

describe('tag type → Sparkplug datatype', () => {
  it.each([
    ['bool', 'Boolean'],
    ['int16', 'Int16'],
    ['uint16', 'UInt16'],
    ['int32', 'Int32'],
    ['uint32', 'UInt32'],
    ['int64', 'Int64'],
    ['uint64', 'UInt64'],
    ['float32', 'Float'],
    ['float64', 'Double'],
    ['string', 'String'],
  ] as const)('%s → %s', (type, expected) => {
    expect(metricType(tag({ type }))).toBe(expected);
  });

  it('covers every tag type of the configuration schema', () => {
    for (const type of TAG_TYPES) expect(metricType(tag({ type }))).toBeDefined();
  });

  it('makes scaled numbers Double (raw * scale + offset is no longer the register type)', () => {
    expect(metricType(tag({ type: 'int16', scale: 0.1 }))).toBe('Double');
    expect(metricType(tag({ type: 'uint32', offset: -40 }))).toBe('Double');
    expect(metricType(tag({ type: 'float32', scale: 2 }))).toBe('Double');
  });

  it('infers the datatype of a tag without type (OPC UA) from its value', () => {
    expect(metricType(tag({}), true)).toBe('Boolean');
    expect(metricType(tag({}), 21.5)).toBe('Double');
    expect(metricType(tag({}), 42)).toBe('Double');
    expect(metricType(tag({}), -1234567890123456789n)).toBe('Int64');
    expect(metricType(tag({}), 18446744073709551615n)).toBe('UInt64');
    expect(metricType(tag({}), 'abc')).toBe('String');
    expect(metricType(tag({}), [1.5, 2.5])).toBe('String');
    expect(metricType(tag({}), null)).toBeUndefined();
    expect(inferType(undefined)).toBeUndefined();
  });
});

describe('values through the Tahu encoder', () => {
  it('keeps 64-bit integers exact', () => {
    expect(roundTrip('Int64', 1234567890123456789n)).toBe(1234567890123456789n);
    expect(roundTrip('Int64', -1234567890123456789n)).toBe(-1234567890123456789n);
    expect(roundTrip('Int64', -5)).toBe(-5);
    expect(roundTrip('UInt64', 18446744073709551615n)).toBe(18446744073709551615n);
    expect(roundTrip('UInt64', 1732390000123)).toBe(1732390000123);
  });

  it('keeps signed and unsigned 8–32 bit integers', () => {
    expect(roundTrip('Int16', -5)).toBe(-5);
    expect(roundTrip('Int32', -123456)).toBe(-123456);
    expect(roundTrip('UInt16', 65535)).toBe(65535);
    expect(roundTrip('UInt32', 3_000_000_000)).toBe(3_000_000_000);
  });

  it('sends floats, booleans, strings and null (is_null)', () => {
    expect(roundTrip('Float', 22.5)).toBe(22.5);
    expect(roundTrip('Double', 123456.789012345)).toBe(123456.789012345);
    expect(roundTrip('Boolean', true)).toBe(true);
    expect(roundTrip('String', 'TAGWIRE-SIM')).toBe('TAGWIRE-SIM');
    expect(roundTrip('String', [1.5, 2.5])).toBe('[1.5,2.5]');
    expect(roundTrip('Double', null)).toBeNull();
  });

  it('converts across number kinds where a tag needs it', () => {
    expect(toSpbValue('Boolean', 0)).toBe(false);
    expect(toSpbValue('Double', 5n)).toBe(5);
    expect(toSpbValue('Int16', 12.7)).toBe(12);
    expect(toSpbValue('Double', 'abc')).toBeNull();
  });

  it('uses Sparkplug 3.0 quality codes', () => {
    expect(QUALITY_CODES).toEqual({ good: 192, uncertain: 500, bad: 0 });
  });
});
