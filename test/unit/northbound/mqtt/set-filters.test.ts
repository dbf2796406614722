import { describe, expect, it } from 'vitest';
import { type SetSource, setFilters } from '../../../../northbound/mqtt/set-filters.js';

const source = (topic: string, tags: string[]): SetSource => ({ topic, tags: new Set(tags) });

/** Whether an MQTT topic filter matches a topic (`+` one level, no `#` here). */
function matches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  return f.length === t.length && f.every((level, i) => level === '+' || level === t[i]);
}

/** Every filter of `filters` that a broker seeing topics `rewrite`d would match `topic` with. */
function matching(filters: string[], topic: string, rewrite = (s: string) => s): string[] {
  return filters.filter((f) => matches(rewrite(f), rewrite(topic)));
}

const dotted = (s: string) => s.replaceAll('.', '/');

describe('setFilters', () => {
  it('subscribes a device with one filter per level count of its tag names, not per tag', () => {
    const tags = Array.from({ length: 5000 }, (_, i) => `t${i}`);
    const filters = setFilters([source('acme/line1/plc1', [...tags, 'motor/speed', 'motor/temp', 'a/b/c'])]);
    expect(filters.sort()).toEqual([
      'acme/line1/plc1/+/+/+/_set',
      'acme/line1/plc1/+/+/_set',
      'acme/line1/plc1/+/_set',
    ]);
    for (const tag of ['t0', 't4999', 'motor/speed', 'a/b/c']) {
      expect(matching(filters, `acme/line1/plc1/${tag}/_set`)).toHaveLength(1);
    }
    // Not the device's values, nor a write result.
    expect(matching(filters, 'acme/line1/plc1/t1')).toEqual([]);
    expect(matching(filters, 'acme/line1/plc1/t1/_set/result')).toEqual([]);
  });

  it('also counts the levels of dotted names as a broker that rewrites "." as "/" sees them', () => {
    const filters = setFilters([source('acme/line.1/filler', ['motor.speed', 'pump'])]);
    expect(filters.sort()).toEqual(['acme/line.1/filler/+/+/_set', 'acme/line.1/filler/+/_set']);
    expect(matching(filters, 'acme/line.1/filler/motor.speed/_set')).toHaveLength(1);
    expect(matching(filters, 'acme/line.1/filler/motor.speed/_set', dotted)).toHaveLength(1);
    expect(matching(filters, 'acme/line.1/filler/pump/_set', dotted)).toHaveLength(1);
  });

  it('subscribes tag by tag the devices whose filters could match one topic, so no request arrives twice', () => {
    const line = source('acme/line1', ['motor/speed', 'state']);
    const motor = source('acme/line1/motor', ['speed', 'temp']);
    const other = source('acme/line2', ['motor/speed']);
    const filters = setFilters([line, motor, other]);
    expect(filters.sort()).toEqual([
      'acme/line1/motor/speed/_set',
      'acme/line1/motor/temp/_set',
      'acme/line1/state/_set',
      'acme/line2/+/+/_set',
    ]);
    // Two devices with one tag topic: one subscription, one delivery (the request is the last device's).
    expect(matching(filters, 'acme/line1/motor/speed/_set')).toHaveLength(1);
  });

  it('keeps wildcards for nested devices whose filters differ in length', () => {
    const filters = setFilters([source('acme/line1', ['state']), source('acme/line1/motor', ['speed'])]);
    expect(filters.sort()).toEqual(['acme/line1/+/_set', 'acme/line1/motor/+/_set']);
    expect(matching(filters, 'acme/line1/motor/_set')).toEqual(['acme/line1/+/_set']);
    expect(matching(filters, 'acme/line1/motor/speed/_set')).toEqual(['acme/line1/motor/+/_set']);
  });

  it('finds overlaps a broker that rewrites "." as "/" would make', () => {
    // As written these never overlap; rewritten, "acme/line.1" is "acme/line/1" and nests "acme/line".
    const filters = setFilters([source('acme/line', ['a/b']), source('acme/line.1', ['x'])]);
    expect(filters.sort()).toEqual(['acme/line.1/x/_set', 'acme/line/a/b/_set']);
  });

  it('treats two devices on one topic as overlapping, and an empty device topic as the root', () => {
    expect(setFilters([source('a', ['x']), source('a', ['y'])]).sort()).toEqual(['a/x/_set', 'a/y/_set']);
    expect(setFilters([source('', ['x', 'y/z'])]).sort()).toEqual(['+/+/_set', '+/_set']);
    expect(setFilters([source('', ['x']), source('b', ['y'])]).sort()).toEqual(['+/_set', 'b/+/_set']);
    expect(setFilters([source('', ['x/z']), source('b', ['y'])]).sort()).toEqual(['b/y/_set', 'x/z/_set']);
  });

  it('no two filters it returns match one topic, for any request of any device (as written and rewritten)', () => {
    const devices = [
      source('p', ['a', 'b/c', 'd.e']),
      source('p/a', ['x', 'y/z']),
      source('p/b.c', ['q']),
      source('r', ['s.t.u', 'v']),
      source('r/s', ['t']),
      source('w', ['x']),
    ];
    const filters = setFilters(devices);
    for (const rewrite of [(s: string) => s, dotted]) {
      for (const d of devices) {
        for (const tag of d.tags) {
          const topic = `${d.topic}/${tag}/_set`;
          expect(matching(filters, topic, rewrite), `${topic}`).toHaveLength(1);
        }
      }
    }
  });
});
