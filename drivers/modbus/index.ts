import type { DriverManifest } from '../../core/plugin.js';
import { ModbusDriver } from './driver.js';
import { type ModbusTcpSettings, ModbusTcpSettingsSchema } from './settings.js';
import { checkModbusTag } from './tag-check.js';

export const modbusTcpDriver: DriverManifest = {
  name: 'modbus-tcp',
  title: 'Modbus TCP',
  settingsSchema: ModbusTcpSettingsSchema,
  checkTag: (tag, settings) => checkModbusTag(tag, (settings as ModbusTcpSettings).byteOrder),
  create: (ctx) => {
    const s = ctx.device.settings as ModbusTcpSettings;
    return new ModbusDriver(ctx, s, { kind: 'tcp', host: s.host, port: s.port });
  },
};
