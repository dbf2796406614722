import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { DeviceConfig } from '../../../../core/config/schema.js';
import type { NorthDevice } from '../../../../core/plugin.js';
import { setOwnerGroup } from '../../../../northbound/mqtt/set-owners.js';
import { SetTargets } from '../../../../northbound/mqtt/set-targets.js';
import { UnexpectedTopics } from '../../../../northbound/unexpected-topics.js';

function northDevice(name: string, topic: string, tags: string[]): NorthDevice {
  const config = { name, groups: [{ name: 'g', tags: tags.map((t) => ({ name: t })) }] } as unknown as DeviceConfig;
  return { config, topic, state: { state: 'connected', timestamp: 0 } };
}

describe('SetTargets', () => {
  const targets = new SetTargets();
  targets.refresh([northDevice('filler', 'acme/line.1/filler', ['motor.speed', 'pump'])]);

  it('matches a _set topic as configured and as a broker that rewrites "." as "/" delivers it', () => {
    expect(targets.match('acme/line.1/filler/motor.speed/_set')).toEqual({ device: 'filler', tag: 'motor.speed' });
    expect(targets.match('acme/line/1/filler/motor/speed/_set')).toEqual({ device: 'filler', tag: 'motor.speed' });
    expect(targets.match('acme/line/1/filler/pump/_set')).toEqual({ device: 'filler', tag: 'pump' });
    expect(targets.match('acme/line/1/filler/other/_set')).toBeUndefined();
  });

  it('lists the _set filters of the wanted devices only', () => {
    expect(targets.filters(() => true).sort()).toEqual(['acme/line.1/filler/+/+/_set', 'acme/line.1/filler/+/_set']);
    expect(targets.filters(() => false)).toEqual([]);
  });

  it('matches the tags of two devices that share a device topic', () => {
    const shared = new SetTargets();
    shared.refresh([northDevice('plc', 'acme/line1', ['speed']), northDevice('meter', 'acme/line1', ['kwh'])]);
    expect(shared.match('acme/line1/speed/_set')).toEqual({ device: 'plc', tag: 'speed' });
    expect(shared.match('acme/line1/kwh/_set')).toEqual({ device: 'meter', tag: 'kwh' });
    expect(shared.match('acme/line1/volts/_set')).toBeUndefined();
    expect(shared.filters(() => true).sort()).toEqual(['acme/line1/kwh/_set', 'acme/line1/speed/_set']);
  });

  it('names the device and the tag asked for when a request matches no tag', () => {
    const nested = new SetTargets();
    nested.refresh([northDevice('line', 'acme/line1', ['state']), northDevice('drive', 'acme/line1/motor', ['speed'])]);
    expect(nested.match('acme/line1/motor/sped/_set')).toBeUndefined();
    expect(nested.unknownTag('acme/line1/motor/sped/_set')).toEqual({ device: 'drive', tag: 'sped' });
    expect(nested.unknownTag('acme/line1/stat/_set')).toEqual({ device: 'line', tag: 'stat' });
    expect(nested.unknownTag('acme/line2/x/_set')).toBeUndefined();
    expect(nested.unknownTag('acme/line1/x')).toBeUndefined();
  });
});

describe('setOwnerGroup', () => {
  it('is one group for one broker however its loopback address and default port are written', () => {
    const g = (url: string) => setOwnerGroup(url, '/data', 'gw1');
    expect(g('mqtt://localhost')).toBe(g('mqtt://127.0.0.1:1883'));
    expect(g('mqtt://Broker.example:1883')).toBe(g('mqtt://broker.example'));
    expect(g('mqtt://broker.example:1884')).not.toBe(g('mqtt://broker.example'));
    expect(setOwnerGroup('mqtt://b', '/data', 'gw1')).not.toBe(setOwnerGroup('mqtt://b', '/other', 'gw1'));
  });
});

describe('UnexpectedTopics', () => {
  it('logs a topic that matches nothing once, naming it', () => {
    const lines: Array<{ msg: string; topic: string }> = [];
    const log = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const unexpected = new UnexpectedTopics(log);
    unexpected.report('a/b/_set', "tag's _set topic");
    unexpected.report('a/b/_set', "tag's _set topic");
    unexpected.report('c/_set', "tag's _set topic");
    expect(lines.map((l) => l.topic)).toEqual(['a/b/_set', 'c/_set']);
    expect(lines[0]?.msg).toContain('"a/b/_set"');
  });

  it('names the device and the missing tag of a request under a device topic, once per topic', () => {
    const lines: Array<{ msg: string; topic: string }> = [];
    const log = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const unexpected = new UnexpectedTopics(log);
    unexpected.reportUnknownTag('acme/line1/sped/_set', 'line', 'sped');
    unexpected.reportUnknownTag('acme/line1/sped/_set', 'line', 'sped');
    expect(lines.map((l) => l.msg)).toEqual([
      'ignored a write request on "acme/line1/sped/_set": device "line" has no tag "sped"',
    ]);
  });
});
