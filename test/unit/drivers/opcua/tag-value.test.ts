import { DataType, DataValue, StatusCodes, Variant } from 'node-opcua';
import { describe, expect, it } from 'vitest';
import type { TagConfig } from '../../../../core/config/schema.js';
import { timestampOf, toTagValue } from '../../../../drivers/opcua/tag-value.js';

const tag = (extra: Partial<TagConfig> = {}): TagConfig => ({
  name: 't',
  address: 'ns=2;s=Temp',
  access: 'read',
  scale: 1,
  offset: 0,
  deadband: 0,
  ...extra,
});
const double = (value: number) => new Variant({ dataType: DataType.Double, value });
const NOW = Date.UTC(2025, 0, 1);

describe('DataValue → TagValue', () => {
  it('takes the source timestamp, else the server timestamp, else now', () => {
    const source = new Date(NOW - 5000);
    const server = new Date(NOW - 1000);
    expect(
      timestampOf(new DataValue({ value: double(1), sourceTimestamp: source, serverTimestamp: server }), NOW),
    ).toBe(source.getTime());
    expect(timestampOf(new DataValue({ value: double(1), serverTimestamp: server }), NOW)).toBe(server.getTime());
    expect(timestampOf(new DataValue({ value: double(1) }), NOW)).toBe(NOW);
    // 1601-01-01 is OPC UA's "no timestamp".
    expect(timestampOf(new DataValue({ value: double(1), sourceTimestamp: new Date(Date.UTC(1601, 0, 1)) }), NOW)).toBe(
      NOW,
    );
  });

  it('good, uncertain and bad statuses', () => {
    const ts = new Date(NOW - 10);
    expect(toTagValue(new DataValue({ value: double(21.5), sourceTimestamp: ts }), tag(), NOW)).toEqual({
      value: 21.5,
      timestamp: ts.getTime(),
      quality: 'good',
    });
    expect(
      toTagValue(new DataValue({ value: double(21.5), statusCode: StatusCodes.UncertainLastUsableValue }), tag(), NOW),
    ).toEqual({ value: 21.5, timestamp: NOW, quality: 'uncertain' });
    expect(toTagValue(new DataValue({ statusCode: StatusCodes.BadNodeIdUnknown }), tag(), NOW)).toEqual({
      value: null,
      timestamp: NOW,
      quality: 'bad',
      error: 'opcua-BadNodeIdUnknown',
    });
  });

  it('coerces to the tag type, then scales; a failed coercion is bad-response', () => {
    expect(toTagValue(new DataValue({ value: double(21.7) }), tag({ type: 'int16' }), NOW).value).toBe(22);
    expect(toTagValue(new DataValue({ value: double(10) }), tag({ scale: 0.5, offset: 1 }), NOW).value).toBe(6);
    expect(toTagValue(new DataValue({ value: double(1e6) }), tag({ type: 'int16' }), NOW)).toMatchObject({
      quality: 'bad',
      error: 'bad-response',
    });
  });

  it('NaN and ±Infinity are bad not-a-number with the source timestamp, whatever the status or type', () => {
    const ts = new Date(NOW - 10);
    const bad = { value: null, timestamp: ts.getTime(), quality: 'bad', error: 'not-a-number' };
    const at = (value: number, statusCode = StatusCodes.Good) =>
      new DataValue({ value: double(value), sourceTimestamp: ts, statusCode });
    expect(toTagValue(at(Number.NaN), tag(), NOW)).toEqual(bad);
    expect(toTagValue(at(Number.NEGATIVE_INFINITY), tag(), NOW)).toEqual(bad);
    expect(toTagValue(at(Number.NaN, StatusCodes.UncertainLastUsableValue), tag(), NOW)).toEqual(bad);
    expect(toTagValue(at(Number.NaN), tag({ type: 'string' }), NOW)).toEqual(bad);
    // A finite value that scaling overflows.
    expect(toTagValue(at(1e308), tag({ scale: 10 }), NOW)).toEqual(bad);
  });
});
