import { describe, expect, it } from 'vitest';
import type { TagConfig } from '../../../../core/config/schema.js';
import { checkS7Tag } from '../../../../drivers/s7/tag-check.js';

function tag(address: string, type?: string, extra: Partial<TagConfig> = {}): TagConfig {
  return { name: 't', address, type, access: 'read', scale: 1, offset: 0, deadband: 0, ...extra } as TagConfig;
}

describe('S7 tag checks', () => {
  it('accepts every type at the size letter that fits it', () => {
    const ok: Array<[string, string, Partial<TagConfig>?]> = [
      ['DB1.DBX0.0', 'bool'],
      ['DB1.DBB0', 'int8'],
      ['DB1.DBB0', 'uint8'],
      ['DB1.DBW0', 'int16'],
      ['MW0', 'uint16'],
      ['DB1.DBD0', 'int32'],
      ['ID0', 'uint32'],
      ['QD0', 'float32'],
      ['DB1.DBB0', 'int64'],
      ['DB1.DBB0', 'uint64'],
      ['DB1.DBB0', 'float64'],
      ['DB1.DBB0', 'string', { length: 20 }],
    ];
    for (const [address, type, extra] of ok) expect(checkS7Tag(tag(address, type, extra)).errors).toEqual([]);
  });

  it('defaults a bit address to bool and requires a type elsewhere', () => {
    expect(checkS7Tag(tag('M0.1'))).toEqual({ errors: [], defaults: { type: 'bool' } });
    expect(checkS7Tag(tag('MW0')).errors).toEqual(['type: required for MW0 (only a bit address defaults to bool)']);
  });

  it('names the type and the address when the size letter does not fit', () => {
    expect(checkS7Tag(tag('DB1.DBW0', 'float32')).errors).toEqual([
      'type: float32 does not fit DB1.DBW0, a word address (it holds int16, uint16)',
    ]);
    expect(checkS7Tag(tag('DB1.DBD0', 'bool')).errors[0]).toContain('bool does not fit DB1.DBD0');
    expect(checkS7Tag(tag('DB1.DBX0.0', 'int16')).errors[0]).toContain('int16 does not fit DB1.DBX0.0, a bit address');
  });

  it('refuses a string without length, a length elsewhere, and a value running past the last byte', () => {
    expect(checkS7Tag(tag('DB1.DBB0', 'string')).errors).toEqual([
      'length: required for type string (the STRING[n] declared in the PLC)',
    ]);
    expect(checkS7Tag(tag('DB1.DBW0', 'int16', { length: 4 })).errors).toEqual(['length: only used with type string']);
    expect(checkS7Tag(tag('DB1.DBB65530', 'float64')).errors).toEqual([
      'address: float64 at DB1.DBB65530 needs 8 bytes and runs past byte 65535',
    ]);
  });

  it('refuses writes to process inputs and scaling of bools', () => {
    expect(checkS7Tag(tag('E0.0', 'bool', { access: 'readwrite' })).errors).toEqual([
      'access: E0.0 is a process input, read-only',
    ]);
    expect(checkS7Tag(tag('Q0.0', 'bool', { access: 'readwrite' })).errors).toEqual([]);
    expect(checkS7Tag(tag('M0.0', 'bool', { scale: 2 })).errors).toEqual([
      'scale: only numeric types are scaled; remove it for type bool',
    ]);
  });

  it('names an unknown area letter', () => {
    expect(checkS7Tag(tag('X1.0')).errors[0]).toMatch(/^address: X1\.0: unknown area "X"/);
  });
});
