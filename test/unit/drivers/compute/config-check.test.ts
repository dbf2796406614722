/** `tagwire validate` / PUT /api/v1/config on computed tags (SPEC §3.4): each mistake refused naming its path. */
import { describe, expect, it } from 'vitest';
import { builtinRegistry } from '../../../../app/builtin-plugins.js';
import { validateConfig } from '../../../../core/config/validate.js';

const registry = builtinRegistry();

function plc(intervalMs = 1000): Record<string, unknown> {
  return {
    name: 'plc',
    driver: 'modbus-tcp',
    settings: { host: '127.0.0.1' },
    groups: [
      {
        name: 'fast',
        intervalMs,
        tags: [
          { name: 'voltage', address: 'hr:0' },
          { name: 'current', address: 'hr:1' },
          { name: 'motor/speed', address: 'hr:2' },
          { name: 'command', address: 'hr:3', access: 'write' },
        ],
      },
    ],
  };
}

function kpi(tags: unknown[], group: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'kpi', driver: 'compute', groups: [{ name: 'derived', ...group, tags }] };
}

function errorsOf(devices: unknown[]): string[] {
  const result = validateConfig({ gateway: {}, devices, north: [] }, registry);
  return result.ok ? [] : result.errors;
}

describe('computed tags in the configuration', () => {
  it('accepts the SPEC example and fills in the defaults', () => {
    const result = validateConfig(
      {
        gateway: {},
        devices: [
          plc(),
          kpi([
            { name: 'power_kw', expression: '{plc/voltage} * {plc/current} / 1000', type: 'float64', unit: 'kW' },
            { name: 'speed_avg_1m', aggregate: { function: 'avg', of: '{plc/motor/speed}', windowMs: 60000 } },
          ]),
        ],
        north: [],
      },
      registry,
    );
    if (!result.ok) throw new Error(result.errors.join('\n'));
    const group = result.config.devices[1]?.groups[0];
    expect(group).toMatchObject({ trigger: 'change', publish: 'change', intervalMs: 1000 });
    expect(group?.tags[0]).toMatchObject({ access: 'read', scale: 1, offset: 0, deadband: 0 });
    expect(group?.tags[0]?.address).toBeUndefined();
  });

  it('refuses an unknown reference, naming the path and what is unknown', () => {
    expect(errorsOf([plc(), kpi([{ name: 'p', expression: '{plc/voltage} * {plc/nope}' }])])).toEqual([
      'devices[1].groups[0].tags[0].expression: unknown reference {plc/nope}: device "plc" has no tag "nope"',
    ]);
    expect(
      errorsOf([plc(), kpi([{ name: 'p', aggregate: { function: 'max', of: '{meter/v}', windowMs: 5000 } }])]),
    ).toEqual(['devices[1].groups[0].tags[0].aggregate.of: unknown reference {meter/v}: no device named "meter"']);
  });

  it('refuses a syntax error with its position', () => {
    expect(errorsOf([plc(), kpi([{ name: 'p', expression: '{plc/voltage} * * 2' }])])).toEqual([
      'devices[1].groups[0].tags[0].expression: Expected expression after * (at position 16)',
    ]);
    expect(errorsOf([plc(), kpi([{ name: 'p', expression: 'sin({plc/voltage})' }])])[0]).toMatch(
      /^devices\[1\]\.groups\[0\]\.tags\[0\]\.expression: unknown function 'sin'.*\(at position 0\)$/,
    );
  });

  it('refuses a cycle, naming its tags once', () => {
    const errors = errorsOf([
      plc(),
      kpi([
        { name: 'a', expression: '{kpi/c} + 1' },
        { name: 'b', expression: '{kpi/a} * 2' },
        { name: 'c', expression: '{kpi/b} - {plc/voltage}' },
        { name: 'self', expression: '{kpi/self} + 1' },
      ]),
    ]);
    expect(errors).toEqual([
      'devices[1].groups[0].tags[0].expression: cycle: {kpi/a} → {kpi/c} → {kpi/b} → {kpi/a} (a computed tag cannot depend on itself)',
      'devices[1].groups[0].tags[3].expression: cycle: {kpi/self} → {kpi/self} (a computed tag cannot depend on itself)',
    ]);
  });

  it('refuses a cycle across two compute devices once', () => {
    const other = {
      name: 'kpi2',
      driver: 'compute',
      groups: [{ name: 'g', tags: [{ name: 'y', expression: '{kpi/x}' }] }],
    };
    expect(errorsOf([kpi([{ name: 'x', expression: '{kpi2/y} + 1' }]), other])).toEqual([
      'devices[0].groups[0].tags[0].expression: cycle: {kpi/x} → {kpi2/y} → {kpi/x} (a computed tag cannot depend on itself)',
    ]);
  });

  it('refuses an aggregate window shorter than its input interval', () => {
    expect(
      errorsOf([plc(1000), kpi([{ name: 'avg', aggregate: { function: 'avg', of: '{plc/voltage}', windowMs: 500 } }])]),
    ).toEqual([
      'devices[1].groups[0].tags[0].aggregate.windowMs: 500 is below the interval of its input {plc/voltage} (1000 ms): a window would often hold no sample',
    ]);
  });

  it('refuses a writable computed tag, and a write-only input', () => {
    expect(errorsOf([plc(), kpi([{ name: 'p', expression: '{plc/voltage}', access: 'readwrite' }])])).toEqual([
      'devices[1].groups[0].tags[0].access: computed tags are read-only (access: read), not readwrite',
    ]);
    expect(errorsOf([plc(), kpi([{ name: 'p', expression: '{plc/command}' }])])).toEqual([
      'devices[1].groups[0].tags[0].expression: {plc/command} is write-only (access: write) and has no value to compute with',
    ]);
  });

  it('refuses a computed tag without a formula, or with an address', () => {
    expect(errorsOf([kpi([{ name: 'p' }])])).toEqual([
      'devices[0].groups[0].tags[0].expression: required (or an aggregate): the formula this tag is computed by',
    ]);
    expect(errorsOf([kpi([{ name: 'p', address: 'hr:1', expression: '1' }])])).toEqual([
      'devices[0].groups[0].tags[0].address: a computed tag has an expression or an aggregate instead',
    ]);
  });

  it('refuses a Modbus or OPC UA tag without an address, and expressions or triggers outside compute devices', () => {
    const modbus = { ...plc(), groups: [{ name: 'g', trigger: 'change', tags: [{ name: 't', expression: '1' }] }] };
    expect(errorsOf([modbus]).sort()).toEqual([
      'devices[0].groups[0].tags[0].address: required (the register, node or area this tag reads)',
      // expression is the compute driver's own tag field: the core refuses it on any other driver's tag.
      'devices[0].groups[0].tags[0].expression: not used by Modbus TCP devices',
      'devices[0].groups[0].trigger: only groups of devices whose values are computed from other tags have a trigger',
    ]);
    const opcua = {
      name: 'ua',
      driver: 'opcua',
      settings: { endpointUrl: 'opc.tcp://127.0.0.1:4840' },
      groups: [{ name: 'g', tags: [{ name: 't' }] }],
    };
    expect(errorsOf([opcua])).toEqual([
      'devices[0].groups[0].tags[0].address: required (the register, node or area this tag reads)',
    ]);
  });

  it('refuses unknown keys in an aggregate and unknown functions', () => {
    const errors = errorsOf([
      plc(),
      kpi([{ name: 'p', aggregate: { function: 'median', of: '{plc/voltage}', windowMs: 5000, extra: 1 } }]),
    ]);
    expect(errors.join('\n')).toMatch(/devices\[1\]\.groups\[0\]\.tags\[0\]\.aggregate/);
  });
});
