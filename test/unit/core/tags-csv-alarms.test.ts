import { describe, expect, it } from 'vitest';
import type { DeviceConfig } from '../../../core/config/schema.js';
import { deviceWithCsvTags, tagsToCsv } from '../../../core/config/tags-csv.js';

const device: DeviceConfig = {
  name: 'plc',
  driver: 'modbus-tcp',
  enabled: true,
  settings: {},
  groups: [
    {
      name: 'fast',
      intervalMs: 1000,
      publish: 'change',
      heartbeatMs: 0,
      tags: [
        {
          name: 'level',
          address: 'hr:0',
          access: 'read',
          scale: 1,
          offset: 0,
          deadband: 0,
          alarms: [{ name: 'high', above: 50, deadband: 0, delayMs: 0, severity: 'high' }],
        },
      ],
    },
  ],
};

describe('tags CSV and alarms', () => {
  it('keeps the alarms of a tag the file replaces (the CSV has no alarms column)', () => {
    const csv = tagsToCsv(device).replace('hr:0', 'hr:7');
    for (const mode of ['replace', 'merge'] as const) {
      const tag = deviceWithCsvTags(device, csv, { mode }).device.groups[0]?.tags[0];
      expect(tag).toMatchObject({ name: 'level', address: 'hr:7', alarms: device.groups[0]?.tags[0]?.alarms });
    }
  });
});
