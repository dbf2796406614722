import { describe, expect, it } from 'vitest';
import { canonicalYaml } from '../../../core/config/canonical-yaml.js';
import { removedBy, summarizeChange } from '../../../core/config/change-summary.js';

const device = (tags: string[], more: Record<string, unknown> = {}) => ({
  name: 'press2',
  driver: 'modbus-tcp',
  enabled: true,
  settings: { host: '10.0.0.5', port: 502 },
  groups: [{ name: 'fast', intervalMs: 1000, tags: tags.map((name) => ({ name, address: 'hr:1' })) }],
  ...more,
});
const config = (devices: unknown[], north: unknown[] = []) => ({ gateway: { id: 'gw' }, devices, north });
const app = (name: string) => ({ name, plugin: 'mqtt', enabled: true, settings: { url: 'mqtt://b' } });

describe('configuration change summary', () => {
  it('names a single change the way a person would', () => {
    const before = config([device(['ramp'])]);
    expect(summarizeChange(before, config([device(['ramp', 'level'])]))).toBe('add tag press2/level');
    expect(summarizeChange(before, config([device([])]))).toBe('delete tag press2/ramp');
    const edited = config([device([])]);
    (edited.devices[0] as ReturnType<typeof device>).groups[0]?.tags.push({ name: 'ramp', address: 'hr:2' });
    expect(summarizeChange(before, edited)).toBe('edit tag press2/ramp');
    expect(summarizeChange(before, config([device(['ramp'], { enabled: false })]))).toBe('disable device press2');
    expect(summarizeChange(before, config([device(['ramp'])], [app('x')]))).toBe('add north app x');
    expect(summarizeChange(config([device(['ramp'])], [app('x')]), before)).toBe('delete north app x');
  });

  it('counts many tag changes of one device', () => {
    const before = config([device(['a', 'b'])]);
    const after = config([device(['b', 'c', 'd', 'e'])]);
    expect(summarizeChange(before, after)).toBe('3 tags added, 1 deleted in press2');
  });

  it('does not count reordered keys or items as changes', () => {
    const before = config([device(['a', 'b'])], [app('x'), app('y')]);
    const reordered = config(
      [{ ...device(['a', 'b']), settings: { port: 502, host: '10.0.0.5' } }],
      [app('x'), app('y')],
    );
    expect(summarizeChange(before, reordered)).toBe('no changes');
    expect(canonicalYaml(reordered)).toBe(canonicalYaml(before));
  });

  it('describes a first configuration by what it holds', () => {
    expect(summarizeChange(undefined, config([device([])], [app('x')]))).toBe('1 device, 1 north app');
  });

  it('lists what going back to an earlier configuration deletes', () => {
    const now = config([device(['a', 'b'])], [app('x'), app('late')]);
    const earlier = config([device(['a'])], [app('x')]);
    expect(removedBy(now, earlier)).toEqual(['tag press2/b', 'north app late']);
  });

  it('keeps a long summary to one line', () => {
    const many = config([], ['a', 'b', 'c', 'd', 'e', 'f'].map(app));
    expect(summarizeChange(config([]), many)).toBe(
      'add north app a, add north app b, add north app c, add north app d and 2 more changes',
    );
  });
});

describe('configuration change summary: models', () => {
  const model = (address: string) => ({
    name: 'pm5560',
    driver: 'modbus-tcp',
    groups: [{ name: 'g', tags: [{ name: 'v', address }] }],
  });
  const meters = Array.from({ length: 300 }, (_, i) => ({ name: `m${i}`, model: 'pm5560', params: {} }));
  const withModel = (address: string) => ({
    gateway: { id: 'gw' },
    models: [model(address)],
    devices: meters,
    north: [],
  });

  it('shows a model change once, with how many devices are built from it', () => {
    expect(summarizeChange(withModel('hr:1'), withModel('hr:2'))).toBe('edit model pm5560 (300 devices)');
    expect(summarizeChange({ ...withModel('hr:1'), models: [] }, withModel('hr:1'))).toBe('add model pm5560');
    expect(removedBy(withModel('hr:1'), { ...withModel('hr:1'), models: [] })).toEqual(['model pm5560']);
  });
});
