import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../../core/config/validate.js';
import { createRegistry } from '../../../../core/registry.js';
import { opcuaDriver } from '../../../../drivers/opcua/index.js';
import { checkSettings } from '../../../../drivers/opcua/settings.js';

const registry = createRegistry([opcuaDriver], []);

function validate(settings: Record<string, unknown>, tags: Array<Record<string, unknown>> = []) {
  return validateConfig(
    { devices: [{ name: 'ua', driver: 'opcua', settings, groups: [{ name: 'g', tags }] }] },
    registry,
  );
}

describe('opcua settings', () => {
  it('fills in the documented defaults', () => {
    const result = validate({ endpointUrl: 'opc.tcp://plc:4840' });
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(result.config.devices[0]?.settings).toEqual({
      endpointUrl: 'opc.tcp://plc:4840',
      securityMode: 'None',
      securityPolicy: 'None',
      mode: 'subscribe',
      trustServerCertificate: false,
      timeoutMs: 5000,
      samplingIntervalMs: -1,
      queueSize: 1,
    });
  });

  it('refuses unknown keys, other URL schemes and unknown policies', () => {
    const result = validate({ endpointUrl: 'http://plc:4840', securityPolicy: 'Basic128Rsa15', foo: 1 });
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors.join('\n');
    expect(errors).toMatch(/endpointUrl/);
    expect(errors).toMatch(/securityPolicy/);
    expect(errors).toMatch(/foo/);
  });

  it('cross-checks security mode and policy, and username with password', () => {
    expect(checkSettings({ securityMode: 'None', securityPolicy: 'None' })).toEqual([]);
    expect(checkSettings({ securityMode: 'SignAndEncrypt', securityPolicy: 'Basic256Sha256' })).toEqual([]);
    expect(checkSettings({ securityMode: 'None', securityPolicy: 'Basic256Sha256' })).toEqual([
      'securityMode: security policy Basic256Sha256 needs securityMode Sign or SignAndEncrypt; or set securityPolicy None',
    ]);
    expect(checkSettings({ securityMode: 'Sign', securityPolicy: 'None' })).toEqual([
      'securityPolicy: securityMode Sign needs a security policy other than None (e.g. Basic256Sha256)',
    ]);
    expect(checkSettings({ username: 'op' })).toEqual(['password: required with username']);
    expect(checkSettings({ password: 'x' })).toEqual(['username: required with password']);
    expect(checkSettings({ username: 'op', password: '' })).toEqual([]);
  });

  it('reports the cross-check through config validation with the settings path', () => {
    const result = validate({ endpointUrl: 'opc.tcp://plc:4840', securityMode: 'SignAndEncrypt' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.join('\n')).toMatch(/devices\[0\]\.settings\.securityPolicy: securityMode/);
  });

  it('checks tag addresses as NodeIds', () => {
    const result = validate({ endpointUrl: 'opc.tcp://plc:4840' }, [
      { name: 'a', address: 'ns=2;s=Line1.Temp' },
      { name: 'b', address: 'hr:100' },
    ]);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors).toHaveLength(1);
      expect(result.errors[0]).toMatch(
        /address: "hr:100" is not a NodeId \(e\.g\. ns=2;s=Line1\.Temp or ns=3;i=1001\)/,
      );
    }
  });
});
