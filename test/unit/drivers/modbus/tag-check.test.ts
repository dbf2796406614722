import { describe, expect, it } from 'vitest';
import type { TagConfig } from '../../../../core/config/schema.js';
import { checkModbusTag } from '../../../../drivers/modbus/tag-check.js';
import type { ByteOrder } from '../../../../drivers/modbus/tag-fields.js';

/** A tag with the schema defaults filled in, as the config loader hands it over. */
function tag(fields: Partial<TagConfig> & { address: string }): TagConfig {
  return { name: 't', access: 'read', scale: 1, offset: 0, deadband: 0, ...fields };
}

function check(fields: Partial<TagConfig> & { address: string }, order: ByteOrder = 'ABCD') {
  return checkModbusTag(tag(fields), order);
}

describe('checkModbusTag', () => {
  it('accepts valid tags without defaults when the type is given', () => {
    expect(check({ address: 'hr:100', type: 'float32', access: 'readwrite' })).toEqual({ errors: [], defaults: {} });
    expect(check({ address: '40001', type: 'int64', scale: 0.5, offset: -3 })).toEqual({ errors: [], defaults: {} });
    expect(check({ address: 'ir:0', type: 'string', length: 11 })).toEqual({ errors: [], defaults: {} });
    expect(check({ address: 'coil:1', type: 'bool', access: 'write' })).toEqual({ errors: [], defaults: {} });
    expect(check({ address: 'hr:4.15', type: 'bool' })).toEqual({ errors: [], defaults: {} });
  });

  it('defaults registers to uint16 and bits to bool', () => {
    expect(check({ address: 'hr:1' })).toEqual({ errors: [], defaults: { type: 'uint16' } });
    expect(check({ address: '30001' })).toEqual({ errors: [], defaults: { type: 'uint16' } });
    expect(check({ address: 'coil:1' })).toEqual({ errors: [], defaults: { type: 'bool' } });
    expect(check({ address: '10001' })).toEqual({ errors: [], defaults: { type: 'bool' } });
    expect(check({ address: 'ir:2.3' })).toEqual({ errors: [], defaults: { type: 'bool' } });
  });

  it('reports an address that does not parse', () => {
    expect(check({ address: 'hr:70000', type: 'uint16' }).errors).toEqual([
      'address: hr:70000: register number must be 0..65535',
    ]);
    const bad = check({ address: 'x:1' });
    expect(bad.errors).toEqual([
      'address: x:1: unknown address; use hr:N, ir:N, coil:N, di:N, hr:N.B or a Modicon number like 40001',
    ]);
    expect(bad.defaults).toEqual({});
  });

  it('requires bool for coils and discrete inputs', () => {
    expect(check({ address: 'coil:5', type: 'float32' }).errors).toEqual([
      'type: coil:5 is a single bit; use type bool',
    ]);
    expect(check({ address: '10003', type: 'uint16' }).errors).toEqual(['type: di:2 is a single bit; use type bool']);
  });

  it('requires bool and read access for a bit of a register', () => {
    expect(check({ address: 'hr:3.4', type: 'int16' }).errors).toEqual(['type: hr:3.4 is a single bit; use type bool']);
    expect(check({ address: 'hr:3.4', access: 'readwrite' }).errors).toEqual([
      'access: a bit of a register cannot be written',
    ]);
    expect(check({ address: 'ir:3.4', access: 'write' }).errors).toEqual([
      'access: a bit of a register cannot be written',
    ]);
  });

  it('refuses bool on a plain register', () => {
    expect(check({ address: 'hr:5', type: 'bool' }).errors).toEqual([
      'type: use hr:N.B to read one bit of a register, e.g. hr:5.0',
    ]);
  });

  it('keeps ir and di read-only', () => {
    expect(check({ address: 'ir:3', access: 'readwrite' }).errors).toEqual(['access: ir:3 is read-only']);
    expect(check({ address: '30004', access: 'write' }).errors).toEqual(['access: ir:3 is read-only']);
    expect(check({ address: 'di:9', access: 'write' }).errors).toEqual(['access: di:9 is read-only']);
  });

  it('checks length against the type', () => {
    expect(check({ address: 'hr:0', type: 'string' }).errors).toEqual(['length: required for type string']);
    expect(check({ address: 'hr:0', type: 'uint32', length: 4 }).errors).toEqual([
      'length: only used with type string',
    ]);
    expect(check({ address: 'hr:0', length: 4 }).errors).toEqual(['length: only used with type string']);
  });

  it('requires the value to end at register 65535 or before', () => {
    expect(check({ address: 'hr:65535', type: 'uint16' }).errors).toEqual([]);
    expect(check({ address: 'hr:65534', type: 'float32' }).errors).toEqual([]);
    expect(check({ address: 'hr:65535', type: 'float32' }).errors).toEqual([
      'address: float32 at hr:65535 needs 2 registers and runs past register 65535',
    ]);
    expect(check({ address: 'ir:65533', type: 'uint64' }).errors).toEqual([
      'address: uint64 at ir:65533 needs 4 registers and runs past register 65535',
    ]);
    expect(check({ address: 'hr:65530', type: 'string', length: 12 }).errors).toEqual([]);
    expect(check({ address: 'hr:65530', type: 'string', length: 13 }).errors).toEqual([
      'address: string at hr:65530 needs 7 registers and runs past register 65535',
    ]);
    expect(check({ address: 'coil:65535' }).errors).toEqual([]);
  });

  it('checks scale and offset', () => {
    expect(check({ address: 'hr:0', scale: 0 }).errors).toEqual(['scale: must be a non-zero number']);
    expect(check({ address: 'hr:0', scale: -0.1, offset: 40 }).errors).toEqual([]);
    expect(check({ address: 'coil:0', scale: 2 }).errors).toEqual([
      'scale: only numeric types are scaled; remove it for type bool',
    ]);
    expect(check({ address: 'hr:0', type: 'string', length: 4, offset: 1 }).errors).toEqual([
      'offset: only numeric types are scaled; remove it for type string',
    ]);
  });

  it('checks the effective byte order', () => {
    expect(check({ address: 'hr:0', type: 'float32' }, 'CDAB').errors).toEqual([]);
    expect(check({ address: 'hr:0', byteOrder: 'DCBA' }, 'ABCD').errors).toEqual([]);
    // Device settings are untyped, so a bad default can reach the check.
    expect(checkModbusTag(tag({ address: 'hr:0' }), 'abcd' as ByteOrder).errors).toEqual([
      'byteOrder: abcd is not one of ABCD, CDAB, BADC, DCBA',
    ]);
    expect(checkModbusTag(tag({ address: 'hr:0', byteOrder: 'BADC' }), 'abcd' as ByteOrder).errors).toEqual([]);
  });

  it('reports every problem at once', () => {
    const result = check({ address: 'ir:7.1', type: 'float32', access: 'readwrite', scale: 0, length: 2 });
    expect(result.errors).toEqual([
      'length: only used with type string',
      'scale: must be a non-zero number',
      'type: ir:7.1 is a single bit; use type bool',
      'access: a bit of a register cannot be written',
    ]);
  });
});
