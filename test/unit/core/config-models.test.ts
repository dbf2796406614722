import { describe, expect, it } from 'vitest';
import { builtinRegistry } from '../../../app/builtin-plugins.js';
import type { Config } from '../../../core/config/schema.js';
import { runningDevices, validateConfig } from '../../../core/config/validate.js';

/** SPEC §3.6's example. */
function pm5560(extra: { models?: unknown[]; devices?: unknown[] } = {}): Record<string, unknown> {
  return {
    gateway: { id: 'gw1', uns: 'acme' },
    models: extra.models ?? [
      {
        name: 'pm5560',
        description: 'Power meter',
        driver: 'modbus-tcp',
        settings: { port: 502, byteOrder: 'CDAB' },
        params: ['line'],
        groups: [
          {
            name: 'fast',
            intervalMs: 1000,
            tags: [
              { name: 'voltage', address: 'hr:3027', type: 'float32', unit: 'V' },
              { name: 'current', address: 'hr:3000', type: 'float32', unit: 'A' },
            ],
          },
        ],
      },
    ],
    devices: extra.devices ?? [
      {
        name: 'meter-01',
        model: 'pm5560',
        uns: 'hall1/${line}/meter-01',
        settings: { host: '10.0.0.21', unitId: 3 },
        params: { line: 'L1' },
      },
    ],
    north: [],
  };
}

function valid(input: unknown): Config {
  const result = validateConfig(input, builtinRegistry());
  if (!result.ok) throw new Error(`expected a valid config, got:\n${result.errors.join('\n')}`);
  return result.config;
}

function errorsOf(input: unknown): string[] {
  const result = validateConfig(input, builtinRegistry());
  if (result.ok) throw new Error('expected validation errors, the config was accepted');
  return result.errors;
}

const meter = (i: number, extra: Record<string, unknown> = {}) => ({
  name: `meter-${i}`,
  model: 'pm5560',
  settings: { host: '10.0.0.21', unitId: (i % 247) + 1 },
  params: { line: `L${i}` },
  ...extra,
});

describe('models: a device built from a model', () => {
  it('keeps the compact form in the configuration and runs the expanded device', () => {
    const config = valid(pm5560());
    expect(config.devices[0]).toEqual({
      name: 'meter-01',
      model: 'pm5560',
      enabled: true,
      uns: 'hall1/${line}/meter-01',
      settings: { host: '10.0.0.21', unitId: 3 },
      params: { line: 'L1' },
      reconnectMaxMs: 10_000,
      groups: [],
    });
    const [device] = runningDevices(config);
    expect(device?.driver).toBe('modbus-tcp');
    expect(device?.model).toBe('pm5560');
    expect(device?.uns).toBe('hall1/L1/meter-01');
    expect(device?.settings).toMatchObject({ host: '10.0.0.21', unitId: 3, port: 502, byteOrder: 'CDAB' });
    expect(device?.groups.map((g) => g.tags.map((t) => t.name))).toEqual([['voltage', 'current']]);
  });

  it('replaces ${param} in tag addresses and settings, and the device’s own settings win', () => {
    const config = valid({
      gateway: { id: 'gw1', uns: '' },
      models: [
        {
          name: 'filler',
          driver: 'opcua',
          params: ['line'],
          settings: { endpointUrl: 'opc.tcp://plc-${line}:4840' },
          groups: [{ name: 'g', tags: [{ name: 'speed', address: 'ns=2;s=${line}.Filler.Speed', type: 'float64' }] }],
        },
      ],
      devices: [
        { name: 'filler-l1', model: 'filler', params: { line: 'L1' } },
        { name: 'filler-l2', model: 'filler', params: { line: 'L2' }, settings: { endpointUrl: 'opc.tcp://x:4840' } },
      ],
    });
    const [l1, l2] = runningDevices(config);
    expect(l1?.groups[0]?.tags[0]?.address).toBe('ns=2;s=L1.Filler.Speed');
    expect(l2?.groups[0]?.tags[0]?.address).toBe('ns=2;s=L2.Filler.Speed');
    expect(l1?.settings.endpointUrl).toBe('opc.tcp://plc-L1:4840');
    expect(l2?.settings.endpointUrl).toBe('opc.tcp://x:4840');
  });

  it('adds the device’s own groups after the model’s', () => {
    const config = valid(
      pm5560({
        devices: [
          meter(1, { groups: [{ name: 'extra', tags: [{ name: 'energy', address: 'hr:3200', type: 'float32' }] }] }),
        ],
      }),
    );
    expect(runningDevices(config)[0]?.groups.map((g) => g.name)).toEqual(['fast', 'extra']);
    expect(config.devices[0]?.groups.map((g) => g.name)).toEqual(['extra']);
  });

  it('leaves out a driver equal to the model’s (the compact form names the model only)', () => {
    const config = valid(pm5560({ devices: [meter(1, { driver: 'modbus-tcp' })] }));
    expect(config.devices[0]).not.toHaveProperty('driver');
  });
});

describe('models: what validation refuses', () => {
  it('an unknown model', () => {
    expect(errorsOf(pm5560({ devices: [meter(1, { model: 'pm9999' })] }))).toContain(
      'devices[0].model: no model named "pm9999"',
    );
  });

  it('a missing and an unknown parameter', () => {
    const errors = errorsOf(pm5560({ devices: [meter(1, { params: { lane: 'L1' } })] }));
    expect(errors).toContain('devices[0].params.line: is required (a parameter of model pm5560)');
    expect(errors).toContain('devices[0].params.lane: model pm5560 has no parameter "lane"');
  });

  it('${x} that is not a parameter, in the model and in the device', () => {
    const model = pm5560().models as Array<Record<string, unknown>>;
    const bad = structuredClone(model);
    (bad[0] as { groups: Array<{ tags: Array<{ address: string }> }> }).groups[0]!.tags[0]!.address = 'hr:${reg}';
    const errors = errorsOf(pm5560({ models: bad, devices: [meter(1, { uns: 'x/${bay}' })] }));
    expect(errors).toContain('models[0].groups[0].tags[0].address: ${reg} is not a parameter of this model');
    expect(errors).toContain('devices[0].uns: ${bay} is not a parameter of model pm5560');
  });

  it('a group of the device named like one of the model', () => {
    const errors = errorsOf(pm5560({ devices: [meter(1, { groups: [{ name: 'fast', tags: [] }] })] }));
    expect(errors).toContain('devices[0].groups[0].name: model pm5560 has a group "fast" already; pick another name');
  });

  it('reports an error inside a model once, naming the model and how many devices use it', () => {
    const models = structuredClone(pm5560().models) as Array<{ groups: Array<{ tags: Array<{ address: string }> }> }>;
    models[0]!.groups[0]!.tags[1]!.address = 'hr:99999';
    const devices = Array.from({ length: 300 }, (_, i) => meter(i));
    const errors = errorsOf(pm5560({ models, devices }));
    const aboutTag = errors.filter((e) => e.includes('tags[1].address'));
    expect(aboutTag).toHaveLength(1);
    expect(aboutTag[0]).toMatch(
      /^models\[0\]\.groups\[0\]\.tags\[1\]\.address: .*\(model pm5560, used by 300 devices\)$/,
    );
    expect(errors).toHaveLength(1);
  });

  it('checks a model no device uses yet', () => {
    const models = structuredClone(pm5560().models) as Array<{ settings: Record<string, unknown> }>;
    models[0]!.settings.byteOrder = 'XYZW';
    const errors = errorsOf(pm5560({ models, devices: [] }));
    expect(errors).toContain(
      'models[0].settings.byteOrder: must be one of ABCD, CDAB, BADC, DCBA (model pm5560, used by 0 devices)',
    );
    expect(errors.every((e) => e.startsWith('models[0].'))).toBe(true);
  });

  it('an address made bad by one device’s params is that device’s error', () => {
    const models = structuredClone(pm5560().models) as Array<{ groups: Array<{ tags: Array<{ address: string }> }> }>;
    models[0]!.groups[0]!.tags[0]!.address = 'hr:${line}';
    const errors = errorsOf(pm5560({ models, devices: [meter(1, { params: { line: '100' } }), meter(2)] }));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^devices\[1\]\.params: with these values, model pm5560 groups\[0\]\.tags\[0\]\.address: /,
    );
  });

  it('a device’s own setting error stays with the device', () => {
    const errors = errorsOf(pm5560({ devices: [meter(1, { settings: { host: '10.0.0.1', unitId: 'three' } })] }));
    expect(errors).toEqual(['devices[0].settings.unitId: must be an integer']);
  });
});

describe('models: devices of one model in one place', () => {
  it('reports two devices with the same topic as the devices’ problem, not the model’s', () => {
    const errors = errorsOf(pm5560({ devices: [meter(1, { uns: 'hall/x' }), meter(2, { uns: 'hall/x' })] }));
    expect(errors).toContain('devices[1].uns: duplicate device topic "hall/x" (also at devices[0].uns)');
    expect(errors.some((e) => e.startsWith('models['))).toBe(false);
  });
});
