import type { DriverManifest } from '../../core/plugin.js';
import { ModbusDriver } from './driver.js';
import {
  checkTcpSettings,
  type ModbusRtuSettings,
  ModbusRtuSettingsSchema,
  type ModbusTcpSettings,
  ModbusTcpSettingsSchema,
} from './settings.js';
import { checkModbusTag } from './tag-check.js';

const checkTag: DriverManifest['checkTag'] = (tag, settings) =>
  checkModbusTag(tag, (settings as ModbusTcpSettings).byteOrder);

export const modbusTcpDriver: DriverManifest = {
  name: 'modbus-tcp',
  title: 'Modbus TCP',
  settingsSchema: ModbusTcpSettingsSchema,
  checkSettings: checkTcpSettings,
  checkTag,
  probeAddress: 'hr:0',
  create: (ctx) => {
    const s = ctx.device.settings as ModbusTcpSettings;
    return new ModbusDriver(ctx, s, { kind: 'tcp', host: s.host, port: s.port });
  },
};

/** RTU frames over a TCP socket, as spoken by serial device servers (Moxa, USR, …) in transparent mode. */
export const modbusRtuTcpDriver: DriverManifest = {
  name: 'modbus-rtu-tcp',
  title: 'Modbus RTU over TCP',
  settingsSchema: ModbusTcpSettingsSchema,
  checkSettings: checkTcpSettings,
  checkTag,
  probeAddress: 'hr:0',
  create: (ctx) => {
    const s = ctx.device.settings as ModbusTcpSettings;
    return new ModbusDriver(ctx, s, { kind: 'rtu-tcp', host: s.host, port: s.port });
  },
};

export const modbusRtuDriver: DriverManifest = {
  name: 'modbus-rtu',
  title: 'Modbus RTU (serial line)',
  settingsSchema: ModbusRtuSettingsSchema,
  checkTag,
  probeAddress: 'hr:0',
  create: (ctx) => {
    const s = ctx.device.settings as ModbusRtuSettings;
    return new ModbusDriver(ctx, s, {
      kind: 'rtu',
      path: s.port,
      baudRate: s.baudRate,
      dataBits: s.dataBits,
      parity: s.parity,
      stopBits: s.stopBits,
    });
  },
};
