import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { builtinRegistry } from '../../../app/builtin-plugins.js';
import type { Config } from '../../../core/config/schema.js';
import { validateConfig } from '../../../core/config/validate.js';
import { createRegistry } from '../../../core/registry.js';

/** SPEC §3's example, adapted to what this build ships (driver modbus-tcp, plugin mqtt). */
function specExample(): Record<string, unknown> {
  return {
    gateway: { id: 'gw1', uns: 'acme/dallas' },
    devices: [
      {
        name: 'filler1',
        driver: 'modbus-tcp',
        settings: { host: '10.0.0.5' },
        groups: [
          {
            name: 'fast',
            tags: [
              { name: 'motor/speed', address: 'hr:100', type: 'float32', unit: 'rpm', description: 'Main drive speed' },
              { name: 'count', address: 'hr:102' },
              { name: 'running', address: 'coil:3' },
            ],
          },
        ],
      },
    ],
    north: [{ name: 'plant-broker', plugin: 'mqtt', settings: { url: 'mqtt://broker:1883' } }],
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

/** A minimal valid device with one group holding `tags`. */
function device(name: string, tags: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, driver: 'modbus-tcp', settings: { host: '10.0.0.1' }, groups: [{ name: 'g', tags }], ...extra };
}

describe('validateConfig: a valid document', () => {
  it('accepts the SPEC example and fills in every default', () => {
    const config = valid(specExample());
    expect(config.gateway).toEqual({
      id: 'gw1',
      uns: 'acme/dallas',
      http: { host: '0.0.0.0', port: 8080, trustProxy: false },
      broker: { enabled: false, host: '127.0.0.1', port: 1883 },
    });

    const dev = config.devices[0]!;
    expect(dev.enabled).toBe(true);
    expect(dev.uns).toBe('filler1');
    expect(dev.reconnectMaxMs).toBe(10_000);
    expect(dev.settings).toEqual({
      host: '10.0.0.5',
      port: 502,
      unitId: 1,
      timeoutMs: 1000,
      retries: 1,
      byteOrder: 'ABCD',
      maxRegistersPerRead: 125,
      maxBitsPerRead: 2000,
      maxGap: 10,
      requestDelayMs: 0,
      maxInFlight: 1,
    });

    const group = dev.groups[0]!;
    expect(group.intervalMs).toBe(1000);
    expect(group.publish).toBe('change');
    expect(group.heartbeatMs).toBe(60000);
    expect(group.tags).toEqual([
      {
        name: 'motor/speed',
        address: 'hr:100',
        type: 'float32',
        access: 'read',
        scale: 1,
        offset: 0,
        deadband: 0,
        unit: 'rpm',
        description: 'Main drive speed',
      },
      { name: 'count', address: 'hr:102', type: 'uint16', access: 'read', scale: 1, offset: 0, deadband: 0 },
      { name: 'running', address: 'coil:3', type: 'bool', access: 'read', scale: 1, offset: 0, deadband: 0 },
    ]);

    const app = config.north[0]!;
    expect(app.enabled).toBe(true);
    expect(app.devices).toEqual(['*']);
    expect(app.settings).toMatchObject({ url: 'mqtt://broker:1883', qos: 1, retain: true, format: 'uns' });
  });

  it('keeps explicit values instead of defaults', () => {
    const input = specExample();
    const dev = (input.devices as Array<Record<string, unknown>>)[0]!;
    dev.uns = 'packaging/line3/filler1';
    dev.settings = { host: '10.0.0.5', port: 5020, unitId: 7, byteOrder: 'CDAB' };
    (dev.groups as Array<Record<string, unknown>>)[0]!.intervalMs = 250;
    dev.reconnectMaxMs = 60_000;
    const config = valid(input);
    expect(config.devices[0]!.reconnectMaxMs).toBe(60_000);
    expect(config.devices[0]!.uns).toBe('packaging/line3/filler1');
    expect(config.devices[0]!.settings).toMatchObject({ port: 5020, unitId: 7, byteOrder: 'CDAB', timeoutMs: 1000 });
    expect(config.devices[0]!.groups[0]!.intervalMs).toBe(250);
  });

  it('accepts an empty gateway.uns and fills a whole gateway section from nothing', () => {
    const config = valid({});
    expect(config).toEqual({
      gateway: {
        id: 'gw1',
        uns: '',
        http: { host: '0.0.0.0', port: 8080, trustProxy: false },
        broker: { enabled: false, host: '127.0.0.1', port: 1883 },
      },
      models: [],
      devices: [],
      north: [],
    });
    // Defaults are fresh objects each time, not a shared (now frozen) instance.
    expect(valid({}).gateway.http).not.toBe(config.gateway.http);
    expect(valid({ gateway: { uns: '' } }).gateway.uns).toBe('');
  });

  it('returns a deeply frozen config', () => {
    const config = valid(specExample());
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.gateway.http)).toBe(true);
    expect(Object.isFrozen(config.devices)).toBe(true);
    expect(Object.isFrozen(config.devices[0]!.settings)).toBe(true);
    expect(Object.isFrozen(config.devices[0]!.groups[0]!.tags[0])).toBe(true);
    expect(Object.isFrozen(config.north[0]!.settings)).toBe(true);
    expect(() => {
      (config.devices[0]!.groups[0] as { intervalMs: number }).intervalMs = 5;
    }).toThrow(TypeError);
  });

  it('does not modify the input', () => {
    const input = specExample();
    const before = structuredClone(input);
    valid(input);
    expect(input).toEqual(before);
    expect(Object.isFrozen(input)).toBe(false);
    const dev = (input.devices as Array<Record<string, unknown>>)[0]!;
    expect('uns' in dev).toBe(false);
    expect(dev.settings).toEqual({ host: '10.0.0.5' });

    // Nor on failure.
    const bad = specExample();
    (bad.gateway as Record<string, unknown>).bogus = 1;
    const badBefore = structuredClone(bad);
    errorsOf(bad);
    expect(bad).toEqual(badBefore);
  });

  it('refuses a document that is not an object', () => {
    for (const input of [null, 'gateway: x', 42, []]) {
      expect(errorsOf(input)).toEqual(['(root): must be an object with gateway, devices and north']);
    }
  });
});

describe('validateConfig: every error, with its path, at once', () => {
  it('reports type errors and unknown keys at every level in one pass', () => {
    const input = specExample();
    input.extra = true;
    (input.gateway as Record<string, unknown>).color = 'blue';
    (input.gateway as Record<string, unknown>).http = { port: 'eighty' };
    const dev = (input.devices as Array<Record<string, unknown>>)[0]!;
    dev.vendor = 'acme';
    dev.settings = { host: '10.0.0.5', speed: 9600 };
    const group = (dev.groups as Array<Record<string, unknown>>)[0]!;
    group.intervalMs = 'fast';
    (group.tags as Array<Record<string, unknown>>)[1]!.colour = 'red';
    (input.north as Array<Record<string, unknown>>)[0]!.settings = { url: 'mqtt://b', topicPrefix: 'x' };

    expect(errorsOf(input).sort()).toEqual(
      [
        'extra: unknown key',
        'gateway.color: unknown key',
        'gateway.http.port: must be an integer',
        'devices[0].vendor: unknown key',
        'devices[0].settings.speed: unknown key',
        'devices[0].groups[0].intervalMs: must be an integer',
        'devices[0].groups[0].tags[1].colour: unknown key',
        'north[0].settings.topicPrefix: unknown key',
      ].sort(),
    );
  });

  it('reports driver, address, type and name problems of several devices together', () => {
    const errors = errorsOf({
      gateway: { id: 'gw1' },
      devices: [
        device('press1', [
          { name: 'big', address: 'hr:70000' },
          { name: 'bit', address: 'hr:1.16' },
          { name: 'run', address: 'coil:5', type: 'float32' },
          { name: 'label', address: 'hr:10', type: 'string' },
        ]),
        { ...device('press1', []) },
        { name: 'robot', driver: 'profinet', settings: {} },
        { name: 'cnc', driver: 'opcua', settings: {} },
        device('oven', [{ name: 'temp', address: 'hr:1' }], {
          groups: [
            { name: 'a', tags: [{ name: 'temp', address: 'hr:1' }] },
            { name: 'b', intervalMs: 5, tags: [{ name: 'temp', address: 'hr:2' }] },
          ],
        }),
      ],
      north: [
        { name: 'n1', plugin: 'mqtt', devices: ['press1', 'ghost'], settings: { url: 'http://broker:1883' } },
        { name: 'n2', plugin: 'kafka', settings: {} },
        { name: 'n3', plugin: 'mqtt', settings: {} },
      ],
    });

    expect(errors).toEqual(
      expect.arrayContaining([
        'devices[0].groups[0].tags[0].address: hr:70000: register number must be 0..65535',
        'devices[0].groups[0].tags[1].address: hr:1.16: bit must be 0..15',
        'devices[0].groups[0].tags[2].type: coil:5 is a single bit; use type bool',
        'devices[0].groups[0].tags[3].length: required for type string',
        'devices[1].name: duplicate device name "press1" (also at devices[0].name)',
        'devices[2].driver: driver "profinet" is not available in this version (available: modbus-tcp, modbus-rtu, modbus-rtu-tcp, opcua, s7, compute)',
        'devices[3].settings.endpointUrl: is required',
        'devices[4].groups[1].intervalMs: must be >= 10',
        'devices[4].groups[1].tags[0].name: duplicate tag name in this device "temp" (also at devices[4].groups[0].tags[0].name)',
        'north[0].devices[1]: no device named "ghost"',
        'north[1].plugin: plugin "kafka" is not available in this version (available: mqtt, sparkplug-b)',
        'north[2].settings.url: is required',
      ]),
    );
    // The url's pattern error names the path (the wording of pattern errors is not pinned here).
    expect(errors.some((e) => /^north\[0\]\.settings\.url: must /.test(e))).toBe(true);
    // Reported once each, and "press1" exists so it is not reported as missing.
    expect(new Set(errors).size).toBe(errors.length);
    expect(errors.some((e) => e.includes('"press1"') && e.startsWith('north'))).toBe(false);
  });

  it('refuses a reconnect cap below the first retry (0.5 s) or above an hour', () => {
    const low = errorsOf({ devices: [device('a', [], { reconnectMaxMs: 100 })] });
    expect(low).toEqual([expect.stringMatching(/^devices\[0\]\.reconnectMaxMs: .*500/)]);
    const high = errorsOf({ devices: [device('a', [], { reconnectMaxMs: 3_600_001 })] });
    expect(high).toEqual([expect.stringMatching(/^devices\[0\]\.reconnectMaxMs: .*3600000/)]);
    expect(errorsOf({ devices: [device('a', [], { reconnectMaxMs: 2.5e3 + 0.5 })] })[0]).toMatch(
      /^devices\[0\]\.reconnectMaxMs: /,
    );
  });

  it('reports duplicate tag names within one group', () => {
    const errors = errorsOf({
      devices: [
        device('d', [
          { name: 'x', address: 'hr:1' },
          { name: 'x', address: 'hr:2' },
        ]),
      ],
    });
    expect(errors).toEqual([
      'devices[0].groups[0].tags[1].name: duplicate tag name in this device "x" (also at devices[0].groups[0].tags[0].name)',
    ]);
  });

  it('allows the same tag name in two different devices', () => {
    const config = valid({
      devices: [device('a', [{ name: 'x', address: 'hr:1' }]), device('b', [{ name: 'x', address: 'hr:1' }])],
    });
    expect(config.devices.map((d) => d.groups[0]!.tags[0]!.name)).toEqual(['x', 'x']);
  });

  it('refuses bad names: a leading underscore, spaces, empty tag levels', () => {
    const errors = errorsOf({
      devices: [
        device('_x', [
          { name: 'a b', address: 'hr:1' },
          { name: 'motor//speed', address: 'hr:2' },
          { name: 'motor/_speed', address: 'hr:3' },
        ]),
        { ...device('ok', []), groups: [{ name: 'a b', tags: [] }] },
        device('ok2', [], { uns: 'line 3/x' }),
      ],
    });
    for (const path of [
      'devices[0].name',
      'devices[0].groups[0].tags[0].name',
      'devices[0].groups[0].tags[1].name',
      'devices[0].groups[0].tags[2].name',
      'devices[1].groups[0].name',
      'devices[2].uns',
    ]) {
      expect(errors.filter((e) => e.startsWith(`${path}: must `))).toHaveLength(1);
    }
    expect(errors).toHaveLength(6);
  });

  it('accepts names of letters, digits, "_", "." and "-", and tag names with levels', () => {
    const config = valid({
      devices: [device('Line-3_press.2', [{ name: '3D/axis_x/pos.v2', address: 'hr:1' }], { uns: 'Plant-1/line_3' })],
    });
    expect(config.devices[0]!.uns).toBe('Plant-1/line_3');
    expect(config.devices[0]!.groups[0]!.tags[0]!.name).toBe('3D/axis_x/pos.v2');
  });

  it('reports a bad gateway id and uns', () => {
    const errors = errorsOf({ gateway: { id: 'GW 1', uns: '/acme' } });
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/^gateway\.id: must /);
    expect(errors[1]).toMatch(/^gateway\.uns: must /);
  });

  it('reports a missing required key and a wrong enum value', () => {
    const errors = errorsOf({
      devices: [
        { name: 'd', driver: 'modbus-tcp', settings: {} },
        device('e', [{ name: 't', address: 'hr:1', access: 'rw', type: 'float16' }]),
      ],
      north: [{ name: 'n', plugin: 'mqtt', settings: { url: 'mqtt://b', qos: 3 } }],
    });
    expect(errors).toEqual(
      expect.arrayContaining([
        'devices[0].settings.host: is required',
        'devices[1].groups[0].tags[0].access: must be one of read, readwrite, write',
        'devices[1].groups[0].tags[0].type: must be one of bool, int8, uint8, int16, uint16, int32, uint32, int64, uint64, float32, float64, string',
        'north[0].settings.qos: must be one of 0, 1, 2',
      ]),
    );
  });

  it('checks the tag fields a driver adds against the tag’s own driver', () => {
    const errors = errorsOf({
      devices: [
        device('m', [
          { name: 's', address: 'hr:0', type: 'string', length: 247 },
          { name: 'o', address: 'hr:200', byteOrder: 'XY' },
        ]),
        {
          name: 'u',
          driver: 'opcua',
          settings: { endpointUrl: 'opc.tcp://h:4840' },
          groups: [
            { name: 'g', tags: [{ name: 't', address: 'ns=2;s=x', byteOrder: 'CDAB', type: 'string', length: 300 }] },
          ],
        },
      ],
    });
    expect(errors).toEqual(
      expect.arrayContaining([
        // Modbus reads a string in one request: 123 registers at most.
        'devices[0].groups[0].tags[0].length: at most 246 bytes (one Modbus read holds 123 registers)',
        'devices[0].groups[0].tags[1].byteOrder: must be one of ABCD, CDAB, BADC, DCBA',
        'devices[1].groups[0].tags[0].byteOrder: not used by OPC UA devices',
      ]),
    );
    // OPC UA strings are not limited by a Modbus request.
    expect(errors.some((e) => e.startsWith('devices[1].groups[0].tags[0].length'))).toBe(false);
    expect(new Set(errors).size).toBe(errors.length);
  });

  it('checks a tag field two drivers declare differently against each device’s own driver', () => {
    // Two drivers that both add `mode`, each with its own values.
    const modbus = builtinRegistry().drivers.get('modbus-tcp');
    if (!modbus) throw new Error('no modbus-tcp driver');
    const modeOf = (...modes: string[]) => ({
      mode: Type.Optional(Type.Union(modes.map((m) => Type.Literal(m)))),
    });
    const registry = createRegistry(
      [
        { ...modbus, name: 'alpha', title: 'Alpha', tagFields: modeOf('fast', 'slow') },
        { ...modbus, name: 'beta', title: 'Beta', tagFields: modeOf('on', 'off') },
      ],
      [],
    );
    const doc = (driver: string, mode: string) => ({
      devices: [
        {
          name: 'd',
          driver,
          settings: { host: '10.0.0.1' },
          groups: [{ name: 'g', tags: [{ name: 't', address: 'hr:1', mode }] }],
        },
      ],
    });
    expect(validateConfig(doc('alpha', 'fast'), registry).ok).toBe(true);
    expect(validateConfig(doc('beta', 'on'), registry).ok).toBe(true);
    const refused = validateConfig(doc('alpha', 'on'), registry);
    expect(refused.ok ? [] : refused.errors).toEqual(['devices[0].groups[0].tags[0].mode: must be one of fast, slow']);
  });

  it('reports two devices that publish to the same topic', () => {
    const errors = errorsOf({
      devices: [device('a', [], { uns: 'line/x' }), device('b', [], { uns: 'line/x' })],
    });
    expect(errors).toEqual(['devices[1].uns: duplicate device topic "line/x" (also at devices[0].uns)']);
  });
});
