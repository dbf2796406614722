import { describe, expect, it } from 'vitest';
import type { TagConfig } from '../../../../core/config/schema.js';
import { checkOpcuaTag } from '../../../../drivers/opcua/tag-check.js';

const tag = (extra: Partial<TagConfig>): TagConfig => ({
  name: 't',
  address: 'ns=2;s=Temp',
  access: 'read',
  scale: 1,
  offset: 0,
  deadband: 0,
  ...extra,
});

describe('checkOpcuaTag', () => {
  it('accepts a NodeId with or without a type, and fills in no defaults', () => {
    expect(checkOpcuaTag(tag({}))).toEqual({ errors: [] });
    expect(checkOpcuaTag(tag({ type: 'float32', deadband: 0.5, scale: 0.1 }))).toEqual({ errors: [] });
    expect(checkOpcuaTag(tag({ type: 'string', length: 20 }))).toEqual({ errors: [] });
  });

  it('explains a bad address', () => {
    expect(checkOpcuaTag(tag({ address: '40001' })).errors).toEqual([
      'address: "40001" is not a NodeId (e.g. ns=2;s=Line1.Temp or ns=3;i=1001)',
    ]);
  });

  it('length only with string; scale only for numbers', () => {
    expect(checkOpcuaTag(tag({ length: 4 })).errors).toEqual(['length: only used with type string']);
    expect(checkOpcuaTag(tag({ type: 'int16', length: 4 })).errors).toEqual(['length: only used with type string']);
    expect(checkOpcuaTag(tag({ type: 'bool', scale: 2 })).errors[0]).toMatch(/^scale: only numeric types/);
    expect(checkOpcuaTag(tag({ scale: 0 })).errors).toEqual(['scale: must be a non-zero number']);
    expect(checkOpcuaTag(tag({ deadband: -1 })).errors).toEqual(['deadband: must be 0 or more']);
  });
});
