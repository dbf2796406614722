import { describe, expect, it } from 'vitest';
import type { DeviceConfig } from '../../../../core/config/schema.js';
import type { NorthDevice } from '../../../../core/plugin.js';
import { setOwnerGroup } from '../../../../northbound/mqtt/set-owners.js';
import { SetTargets } from '../../../../northbound/mqtt/set-targets.js';

function northDevice(name: string, topic: string, tags: string[]): NorthDevice {
  const config = { name, groups: [{ name: 'g', tags: tags.map((t) => ({ name: t })) }] } as unknown as DeviceConfig;
  return { config, topic, state: { state: 'connected', timestamp: 0 } };
}

describe('SetTargets', () => {
  const targets = new SetTargets();
  targets.refresh([northDevice('filler', 'acme/line.1/filler', ['motor.speed', 'pump'])]);

  it('matches a _set topic of a configured tag', () => {
    expect(targets.match('acme/line.1/filler/motor.speed/_set')).toEqual({ device: 'filler', tag: 'motor.speed' });
    expect(targets.match('acme/line.1/filler/other/_set')).toBeUndefined();
  });

  it('lists the _set topics of the wanted devices only', () => {
    expect(targets.topics(() => true)).toEqual(['acme/line.1/filler/motor.speed/_set', 'acme/line.1/filler/pump/_set']);
    expect(targets.topics(() => false)).toEqual([]);
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
