/** The compute driver on the plugin contract: what its manifest declares, as the registry and the UI see it. */
import { describe, expect, it } from 'vitest';
import { builtinRegistry } from '../../../../app/builtin-plugins.js';
import { ErrorCodes } from '../../../../core/errors.js';

const registry = builtinRegistry();

describe('compute manifest', () => {
  it('offers no test read, browse or writes, and says its values are derived', () => {
    const compute = registry.drivers.get('compute');
    expect(compute?.capabilities).toMatchObject({
      testRead: false,
      browse: false,
      writes: false,
      decodeLab: false,
      derivesValues: true,
    });
    expect(compute?.address.text).toMatch(/expression/);
    expect(compute?.address.text).toMatch(/aggregate/);
  });

  it('declares its error codes in the error table, not among the core codes', () => {
    for (const code of ['input-bad', 'expression-error', 'no-data']) {
      expect(Object.hasOwn(ErrorCodes, code)).toBe(false);
      expect(registry.explain(code)).toBeTruthy();
    }
  });

  it('has tags with expression and aggregate and without an address; no other driver has expression', () => {
    const tag = registry.tagSchema('compute') as unknown as { properties: Record<string, unknown> };
    expect(Object.keys(tag.properties)).toEqual(expect.arrayContaining(['expression', 'aggregate']));
    expect(tag.properties.address).toBeUndefined();
    const modbus = registry.tagSchema('modbus-tcp') as unknown as {
      properties: Record<string, unknown>;
      required?: string[];
    };
    expect(modbus.properties.expression).toBeUndefined();
    expect(modbus.required).toContain('address');
    expect(registry.driverTagFields.get('expression')).toEqual(['compute']);
  });
});
