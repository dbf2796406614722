import { describe, expect, it } from 'vitest';
import { builtinRegistry } from '../../../../app/builtin-plugins.js';
import { validateConfig } from '../../../../core/config/validate.js';

const registry = builtinRegistry();
const doc = (settings: Record<string, unknown>) => ({
  gateway: { id: 'gw1' },
  north: [{ name: 'scada', plugin: 'sparkplug-b', settings: { url: 'mqtt://broker:1883', ...settings } }],
});

describe('sparkplug-b settings', () => {
  it('is a registered plugin; defaults are filled in', () => {
    const result = validateConfig(doc({ groupId: 'Plant A' }), registry);
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(result.config.north[0]?.settings).toMatchObject({
      groupId: 'Plant A',
      dataQos: 1,
      protocolVersion: 4,
      keepalive: 30,
      buffer: { maxMessages: 100_000 },
    });
  });

  it('requires a group id without the MQTT reserved characters', () => {
    const errors = (settings: Record<string, unknown>) => {
      const result = validateConfig(doc(settings), registry);
      return result.ok ? [] : result.errors;
    };
    expect(errors({})).toContain('north[0].settings.groupId: is required');
    expect(errors({ groupId: 'a/b' })).toContain(
      'north[0].settings.groupId: must be any characters except "+", "#" and "/"',
    );
    expect(errors({ groupId: 'g', primaryHostId: 'host#1' })[0]).toMatch(/^north\[0\]\.settings\.primaryHostId: /);
    expect(errors({ groupId: 'g', dataQos: 2 })[0]).toMatch(/^north\[0\]\.settings\.dataQos/);
    expect(errors({ groupId: 'g', retain: true })).toContain('north[0].settings.retain: unknown key');
  });
});
