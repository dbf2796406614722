import { type DriverCapabilities, type DriverManifest, defineDriver, PLUGIN_API_VERSION } from '../../core/plugin.js';
import { ModbusDriver } from './driver.js';
import { MODBUS_ERRORS } from './errors.js';
import { LINK_METRICS } from './link-metrics.js';
import {
  checkTcpSettings,
  type ModbusCommonSettings,
  ModbusRtuSettingsSchema,
  ModbusTcpSettingsSchema,
} from './settings.js';
import { checkModbusTag } from './tag-check.js';
import { ModbusTagFields } from './tag-fields.js';

const checkTag = (tag: Parameters<DriverManifest['checkTag']>[0], settings: ModbusCommonSettings) =>
  checkModbusTag(tag, settings.byteOrder);

/** What the three Modbus drivers have in common: tag fields, address form, errors, metrics. */
const common = {
  kind: 'driver',
  apiVersion: PLUGIN_API_VERSION,
  tagFields: ModbusTagFields,
  address: {
    text:
      'hr:N (holding register), ir:N (input register), coil:N or di:N (discrete input), N from 0 to 65535; ' +
      'hr:N.B for bit B of a register; or a Modicon number like 40001.',
    typeDefault: 'uint16 for a register, bool for a coil, input or bit',
    examples: [
      { address: 'hr:100', meaning: 'holding register 100 (0-based)' },
      { address: '40101', meaning: 'the same register as a Modicon number (1-based)' },
      { address: 'ir:0', meaning: 'input register 0' },
      { address: 'coil:3', meaning: 'coil 3' },
      { address: 'hr:10.4', meaning: 'bit 4 of holding register 10' },
    ],
  },
  probeAddress: 'hr:0',
  errors: MODBUS_ERRORS,
  metrics: LINK_METRICS,
} as const;

const capabilities: DriverCapabilities = {
  browse: false,
  decodeLab: true,
  testRead: true,
  serialPorts: false,
  certificates: false,
  writes: true,
  liveGroupChanges: true,
};

export const modbusTcpDriver: DriverManifest = defineDriver({
  ...common,
  name: 'modbus-tcp',
  title: 'Modbus TCP',
  settingsSchema: ModbusTcpSettingsSchema,
  capabilities,
  checkSettings: checkTcpSettings,
  checkTag,
  create: (ctx) =>
    new ModbusDriver(ctx, ctx.settings, { kind: 'tcp', host: ctx.settings.host, port: ctx.settings.port }),
});

/** RTU frames over a TCP socket, as spoken by serial device servers (Moxa, USR, …) in transparent mode. */
export const modbusRtuTcpDriver: DriverManifest = defineDriver({
  ...common,
  name: 'modbus-rtu-tcp',
  title: 'Modbus RTU over TCP',
  settingsSchema: ModbusTcpSettingsSchema,
  capabilities,
  checkSettings: checkTcpSettings,
  checkTag,
  create: (ctx) =>
    new ModbusDriver(ctx, ctx.settings, { kind: 'rtu-tcp', host: ctx.settings.host, port: ctx.settings.port }),
});

export const modbusRtuDriver: DriverManifest = defineDriver({
  ...common,
  name: 'modbus-rtu',
  title: 'Modbus RTU (serial line)',
  settingsSchema: ModbusRtuSettingsSchema,
  capabilities: { ...capabilities, serialPorts: true },
  checkTag,
  create: (ctx) => {
    const s = ctx.settings;
    return new ModbusDriver(ctx, s, {
      kind: 'rtu',
      path: s.port,
      baudRate: s.baudRate,
      dataBits: s.dataBits,
      parity: s.parity,
      stopBits: s.stopBits,
    });
  },
});
