import { describe, expect, it } from 'vitest';
import type { TagConfig } from '../../../../core/config/schema.js';
import { encodePayload } from '../../../../northbound/sparkplug/codec.js';
import {
  birthMetric,
  dataMetric,
  devicePayload,
  nodeBirthPayload,
  nodeDeathPayload,
  tagMetricDef,
} from '../../../../northbound/sparkplug/payloads.js';
import { decodeMessage } from '../../../helpers/sparkplug-host.js';

const T = 1_732_390_000_123;
const tag = (t: Partial<TagConfig> & { name: string }): TagConfig => ({
  address: 'hr:0',
  access: 'read',
  scale: 1,
  offset: 0,
  deadband: 0,
  ...t,
});

describe('NBIRTH / NDEATH', () => {
  it('NBIRTH has seq 0, bdSeq (Int64), Node Control/Rebirth false and the gateway properties, all with aliases', () => {
    const payload = nodeBirthPayload(
      { bdSeq: 7, version: '1.2.3', aliases: { bdSeq: 0, rebirth: 1, software: 2, version: 3 } },
      T,
    );
    const m = decodeMessage('spBv1.0/g/NBIRTH/gw1', encodePayload(payload));
    expect(m).toMatchObject({ type: 'NBIRTH', group: 'g', node: 'gw1', seq: 0, timestamp: T });
    expect(m.metrics.map((x) => [x.name, x.alias, x.type, x.value])).toEqual([
      ['bdSeq', 0, 'Int64', 7n],
      ['Node Control/Rebirth', 1, 'Boolean', false],
      ['Properties/Software', 2, 'String', 'tagwire'],
      ['Properties/Version', 3, 'String', '1.2.3'],
    ]);
    for (const x of m.metrics) expect(x.timestamp).toBe(T);
  });

  it('NDEATH has only the bdSeq metric and no seq', () => {
    const m = decodeMessage('spBv1.0/g/NDEATH/gw1', encodePayload(nodeDeathPayload(255, T)));
    expect(m.seq).toBeUndefined();
    expect(m.metrics).toHaveLength(1);
    expect(m.metrics[0]).toMatchObject({ name: 'bdSeq', type: 'Int64', value: 255n });
  });
});

describe('DBIRTH / DDATA / DDEATH', () => {
  const big = tagMetricDef(tag({ name: 'counter/total', type: 'int64', unit: 'pcs', description: 'Total' }), 10, 1n);
  const speed = tagMetricDef(tag({ name: 'speed', type: 'uint16', access: 'readwrite', unit: 'rpm' }), 11, 1500);
  const cmd = tagMetricDef(tag({ name: 'cmd', type: 'bool', access: 'write' }), 12, undefined);

  it('DBIRTH metrics carry name, alias, datatype, value, timestamp and properties', () => {
    const metrics = [
      birthMetric(big, { value: 1234567890123456789n, timestamp: T - 5, quality: 'good' }, T),
      birthMetric(speed, { value: null, timestamp: T - 3, quality: 'bad', error: 'timeout' }, T),
      birthMetric(cmd, undefined, T),
    ];
    const m = decodeMessage('spBv1.0/g/DBIRTH/gw1/plc1', encodePayload(devicePayload(1, metrics, T)));
    expect(m).toMatchObject({ type: 'DBIRTH', device: 'plc1', seq: 1, timestamp: T });
    const [b, s, c] = m.metrics;
    expect(b).toMatchObject({
      name: 'counter/total',
      alias: 10,
      type: 'Int64',
      value: 1234567890123456789n,
      timestamp: T - 5,
    });
    expect(b?.properties).toEqual({
      readOnly: { type: 'Boolean', value: true },
      engUnit: { type: 'String', value: 'pcs' },
      description: { type: 'String', value: 'Total' },
      Quality: { type: 'Int32', value: 192 },
    });
    // A bad value is is_null with quality 0.
    expect(s).toMatchObject({ name: 'speed', alias: 11, type: 'UInt16', value: null, timestamp: T - 3 });
    expect(s?.properties.Quality).toEqual({ type: 'Int32', value: 0 });
    expect(s?.properties.readOnly).toEqual({ type: 'Boolean', value: false });
    // Never read: no value, no quality.
    expect(c).toMatchObject({ name: 'cmd', alias: 12, type: 'Boolean', value: null, timestamp: T });
    expect(c?.properties.Quality).toBeUndefined();
  });

  it('DDATA metrics have aliases only, their own timestamps, quality, and is_historical when asked', () => {
    const metrics = [
      dataMetric(speed, { value: 1501, timestamp: T - 1, quality: 'good' }, false),
      dataMetric(big, { value: -2n, timestamp: T - 2, quality: 'uncertain' }, true),
    ];
    const m = decodeMessage('spBv1.0/g/DDATA/gw1/plc1', encodePayload(devicePayload(42, metrics, T)));
    expect(m.seq).toBe(42);
    expect(m.metrics.map((x) => x.name)).toEqual([undefined, undefined]);
    expect(m.metrics[0]).toMatchObject({ alias: 11, value: 1501, timestamp: T - 1 });
    expect(m.metrics[0]?.isHistorical).toBeUndefined();
    expect(m.metrics[0]?.properties).toEqual({ Quality: { type: 'Int32', value: 192 } });
    expect(m.metrics[1]).toMatchObject({ alias: 10, value: -2n, isHistorical: true });
    expect(m.metrics[1]?.properties.Quality?.value).toBe(500);
  });

  it('DDEATH has a seq and no metrics', () => {
    const m = decodeMessage('spBv1.0/g/DDEATH/gw1/plc1', encodePayload(devicePayload(200, [], T)));
    expect(m).toMatchObject({ type: 'DDEATH', seq: 200, timestamp: T, metrics: [] });
  });
});
