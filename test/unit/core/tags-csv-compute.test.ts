import { describe, expect, it } from 'vitest';
import { builtinRegistry } from '../../../app/builtin-plugins.js';
import type { DeviceConfig } from '../../../core/config/schema.js';
import { deviceWithCsvTags, tagsToCsv } from '../../../core/config/tags-csv.js';
import { runningDevices, validateConfig } from '../../../core/config/validate.js';

const registry = builtinRegistry();

function configWith(kpi: Record<string, unknown>) {
  return validateConfig(
    {
      gateway: {},
      devices: [
        {
          name: 'plc',
          driver: 'modbus-tcp',
          settings: { host: '127.0.0.1' },
          groups: [{ name: 'fast', intervalMs: 1000, tags: [{ name: 'flow', address: 'hr:0' }] }],
        },
        kpi,
      ],
      north: [],
    },
    registry,
  );
}

const kpi = {
  name: 'kpi',
  driver: 'compute',
  groups: [
    {
      name: 'derived',
      tags: [
        { name: 'flow_x2', expression: '{plc/flow} * 2', unit: 'm3/h' },
        { name: 'neg', expression: '-{plc/flow}' },
        { name: 'flow_avg', aggregate: { function: 'avg', of: 'max({plc/flow}, 0)', windowMs: 60000 } },
      ],
    },
  ],
};

function kpiDevice(config: ReturnType<typeof configWith>): DeviceConfig {
  if (!config.ok) throw new Error(config.errors.join('\n'));
  return runningDevices(config.config).find((d) => d.name === 'kpi') as DeviceConfig;
}

describe('tags CSV of a compute device (SPEC §3.4)', () => {
  it('exports expression and aggregate columns, and imports the file back unchanged', () => {
    const device = kpiDevice(configWith(kpi));
    const csv = tagsToCsv(device);
    const lines = csv.slice(1).trim().split('\n');
    expect(lines[0]).toBe(
      'group,name,address,type,length,byteOrder,access,scale,offset,deadband,unit,description,expression,aggregate',
    );
    expect(lines[1]).toBe('derived,flow_x2,,,,,read,1,0,0,m3/h,,{plc/flow} * 2,');
    // A leading minus would run as a formula in a spreadsheet: escaped, and unescaped on import.
    expect(lines[2]).toBe("derived,neg,,,,,read,1,0,0,,,'-{plc/flow},");
    expect(lines[3]).toBe('derived,flow_avg,,,,,read,1,0,0,,,,"avg(max({plc/flow}, 0), 60000)"');
    const back = deviceWithCsvTags(device, csv).device;
    expect(back.groups).toEqual(device.groups);
  });

  it('takes a file with expressions and no address column, and the configuration accepts it', () => {
    const device = kpiDevice(configWith(kpi));
    const csv =
      'group,name,expression,aggregate,unit\nderived,power,{plc/flow} * 230,,W\nderived,avg1m,,"avg({plc/flow}, 60000)",\n';
    const imported = deviceWithCsvTags(device, csv).device;
    const checked = configWith(imported as unknown as Record<string, unknown>);
    const tags = kpiDevice(checked).groups[0]?.tags as Array<Record<string, unknown>>;
    expect(tags.map((t) => t.name)).toEqual(['power', 'avg1m']);
    expect(tags[1]?.aggregate).toEqual({ function: 'avg', of: '{plc/flow}', windowMs: 60000 });
  });

  it('refuses a file with an aggregate cell of another shape, naming its line and the form', () => {
    const device = kpiDevice(configWith(kpi));
    const csv = 'group,name,expression,aggregate\nderived,ok,{plc/flow} * 3,\nderived,bad,,avg {plc/flow}\n';
    let details: string[] = [];
    try {
      deviceWithCsvTags(device, csv);
    } catch (err) {
      details = (err as { details?: string[] }).details ?? [];
    }
    expect(details).toEqual([
      'line 3: aggregate "avg {plc/flow}" is not function(input, windowMs), e.g. avg({plc/flow}, 60000)',
    ]);
  });

  it('refuses a header with neither address nor a computed column', () => {
    const device = kpiDevice(configWith(kpi));
    expect(() => deviceWithCsvTags(device, 'group,name,unit\nderived,x,W\n')).toThrow(/header/);
  });
});
