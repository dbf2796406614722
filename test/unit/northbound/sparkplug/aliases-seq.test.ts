import { describe, expect, it } from 'vitest';
import { AliasTable } from '../../../../northbound/sparkplug/aliases.js';
import { SeqCounter } from '../../../../northbound/sparkplug/seq.js';

describe('AliasTable', () => {
  it('assigns unique aliases in the order given, across the node and its devices', () => {
    const t = new AliasTable();
    t.assign([{ metric: 'bdSeq' }, { metric: 'Node Control/Rebirth' }]);
    t.assign([
      { device: 'plc1', metric: 'speed' },
      { device: 'plc1', metric: 'motor/temp' },
      { device: 'plc2', metric: 'speed' },
    ]);
    expect(t.get({ metric: 'bdSeq' })).toBe(0);
    expect(t.get({ metric: 'Node Control/Rebirth' })).toBe(1);
    expect(t.get({ device: 'plc1', metric: 'speed' })).toBe(2);
    expect(t.get({ device: 'plc1', metric: 'motor/temp' })).toBe(3);
    expect(t.get({ device: 'plc2', metric: 'speed' })).toBe(4);
    expect(t.lookup(3)).toEqual({ device: 'plc1', metric: 'motor/temp' });
    expect(t.lookup(99)).toBeUndefined();
  });

  it('keeps every alias when the same configuration is assigned again (rebirth)', () => {
    const keys = [
      { device: 'plc1', metric: 'a' },
      { device: 'plc1', metric: 'b' },
    ];
    const t = new AliasTable();
    t.assign(keys);
    const before = keys.map((k) => t.get(k));
    t.assign(keys);
    expect(keys.map((k) => t.get(k))).toEqual(before);
  });

  it('keeps existing aliases when tags are added anywhere, and never reuses a number', () => {
    const t = new AliasTable();
    t.assign([
      { device: 'plc1', metric: 'a' },
      { device: 'plc1', metric: 'c' },
    ]);
    // A tag inserted between them, and one removed: the others keep theirs, the new one gets the next number.
    t.assign([
      { device: 'plc1', metric: 'a' },
      { device: 'plc1', metric: 'b' },
    ]);
    expect(t.get({ device: 'plc1', metric: 'a' })).toBe(0);
    expect(t.get({ device: 'plc1', metric: 'c' })).toBe(1);
    expect(t.get({ device: 'plc1', metric: 'b' })).toBe(2);
  });

  it('tells a node metric from a device metric of the same name', () => {
    const t = new AliasTable();
    t.assign([{ metric: 'x' }, { device: 'd', metric: 'x' }]);
    expect(t.get({ metric: 'x' })).not.toBe(t.get({ device: 'd', metric: 'x' }));
  });
});

describe('SeqCounter', () => {
  it('counts 0..255 and wraps to 0', () => {
    const s = new SeqCounter();
    const seen = Array.from({ length: 600 }, () => s.next());
    expect(seen.slice(0, 3)).toEqual([0, 1, 2]);
    expect(seen[255]).toBe(255);
    expect(seen[256]).toBe(0);
    expect(seen[511]).toBe(255);
    expect(seen[512]).toBe(0);
    expect(Math.max(...seen)).toBe(255);
    expect(s.last).toBe(599 % 256);
  });

  it('starts over at 0 for the next NBIRTH', () => {
    const s = new SeqCounter();
    for (let i = 0; i < 10; i++) s.next();
    s.reset();
    expect(s.next()).toBe(0);
  });
});
