import sparkplug from 'sparkplug-payload';
import { describe, expect, it } from 'vitest';
import { decodePayload, encodePayload, longBits } from '../../../../northbound/sparkplug/codec.js';
import { PrimaryHostState, parseStatePayload } from '../../../../northbound/sparkplug/host-state.js';
import { SparkplugTopics } from '../../../../northbound/sparkplug/topics.js';

const spb = sparkplug.get('spBv1.0');

describe('command decoding', () => {
  it('reads a DCMD as a host encodes it: names, aliases, exact 64-bit values', () => {
    if (!spb) throw new Error('no spBv1.0');
    const bytes = spb.encodePayload({
      timestamp: 1000,
      metrics: [
        { name: 'speed', type: 'UInt16', value: 1234 },
        { alias: 7, type: 'Int64', value: longBits(-1234567890123456789n, false) },
        { alias: 8, type: 'UInt64', value: longBits(2n ** 64n - 1n, true) },
        { alias: 9, type: 'UInt32', value: 3_000_000_000 },
        { name: 'pump', type: 'Boolean', value: false },
        { name: 'ratio', type: 'Float', value: 0.5 },
      ],
    });
    const decoded = decodePayload(bytes);
    expect(decoded.timestamp).toBe(1000);
    expect(decoded.metrics).toEqual([
      { name: 'speed', type: 'UInt16', value: 1234 },
      { alias: 7, type: 'Int64', value: -1234567890123456789n },
      { alias: 8, type: 'UInt64', value: 18446744073709551615n },
      { alias: 9, type: 'UInt32', value: 3_000_000_000 },
      { name: 'pump', type: 'Boolean', value: false },
      { name: 'ratio', type: 'Float', value: 0.5 },
    ]);
  });

  it('gives small 64-bit integers as plain numbers (as a JSON write would)', () => {
    const bytes = encodePayload({ timestamp: 1, metrics: [{ alias: 1, type: 'Int64', value: longBits(-5n, false) }] });
    expect(decodePayload(bytes).metrics[0]?.value).toBe(-5);
  });

  it('throws on bytes that are not a Sparkplug payload', () => {
    expect(() => decodePayload(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]))).toThrow();
  });
});

describe('topics', () => {
  const t = new SparkplugTopics('plant A', 'gw1');
  it('builds the Sparkplug topic namespace', () => {
    expect(t.node('NBIRTH')).toBe('spBv1.0/plant A/NBIRTH/gw1');
    expect(t.device('DDATA', 'plc1')).toBe('spBv1.0/plant A/DDATA/gw1/plc1');
    expect(t.deviceCommands).toBe('spBv1.0/plant A/DCMD/gw1/+');
  });
  it('reads the device id of a DCMD topic of this node only', () => {
    expect(t.commandDevice('spBv1.0/plant A/DCMD/gw1/plc1')).toBe('plc1');
    expect(t.commandDevice('spBv1.0/plant A/DCMD/gw2/plc1')).toBeUndefined();
    expect(t.commandDevice('spBv1.0/plant A/DDATA/gw1/plc1')).toBeUndefined();
  });
});

describe('primary host STATE', () => {
  const state = (online: boolean, timestamp?: number) => Buffer.from(JSON.stringify({ online, timestamp }));

  it('parses Sparkplug 3.0 JSON and 2.2 text', () => {
    expect(parseStatePayload(state(true, 5))).toEqual({ online: true, timestamp: 5 });
    expect(parseStatePayload(Buffer.from('OFFLINE'))).toEqual({ online: false });
    expect(parseStatePayload(Buffer.from('{"timestamp": 5}'))).toBeUndefined();
    expect(parseStatePayload(Buffer.from(''))).toBeUndefined();
  });

  it('reports changes and ignores a STATE older than the newest seen', () => {
    const host = new PrimaryHostState('h1');
    expect(host.update(state(true, 100))).toBe('online');
    expect(host.update(state(true, 150))).toBeUndefined();
    expect(host.update(state(false, 120))).toBeUndefined();
    expect(host.online).toBe(true);
    expect(host.update(state(false, 200))).toBe('offline');
    // After a reconnect the host must be seen online again; the retained copy (same timestamp) counts.
    host.reset();
    expect(host.update(state(false, 200))).toBeUndefined();
    expect(host.update(state(true, 300))).toBe('online');
  });
});
