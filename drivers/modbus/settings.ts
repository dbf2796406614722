import { type Static, Type } from '@sinclair/typebox';
import { hostProblem } from '../../core/config/host.js';
import { BYTE_ORDERS } from './tag-fields.js';

/** Settings every Modbus driver shares (SPEC §3.1). */
const common = {
  unitId: Type.Integer({ minimum: 0, maximum: 255, default: 1, description: 'Modbus unit (slave) id' }),
  timeoutMs: Type.Integer({ minimum: 10, maximum: 60_000, default: 1000, description: 'Answer timeout per request' }),
  retries: Type.Integer({ minimum: 0, maximum: 10, default: 1, description: 'Retries of a request that timed out' }),
  byteOrder: Type.Union(
    BYTE_ORDERS.map((b) => Type.Literal(b)),
    { default: 'ABCD', description: 'Byte order of multi-register values: ABCD, CDAB (word swap), BADC, DCBA' },
  ),
  maxRegistersPerRead: Type.Integer({ minimum: 1, maximum: 125, default: 125, description: 'Registers per request' }),
  maxBitsPerRead: Type.Integer({ minimum: 1, maximum: 2000, default: 2000, description: 'Coils/inputs per request' }),
  maxGap: Type.Integer({
    minimum: 0,
    maximum: 125,
    default: 10,
    description: 'Unused registers that may be read through to join two reads into one',
  }),
  requestDelayMs: Type.Integer({
    minimum: 0,
    maximum: 10_000,
    default: 0,
    description: 'Pause between requests on the link',
  }),
  maxInFlight: Type.Integer({
    minimum: 1,
    maximum: 16,
    default: 1,
    description: 'TCP requests outstanding at once on one link (only for devices that support it)',
  }),
};

const host = Type.String({ minLength: 1, description: 'Host name or IP address' });

export const ModbusTcpSettingsSchema = Type.Object(
  {
    host,
    port: Type.Integer({ minimum: 1, maximum: 65535, default: 502, description: 'TCP port' }),
    ...common,
  },
  { additionalProperties: false },
);

export const ModbusRtuSettingsSchema = Type.Object(
  {
    port: Type.String({ minLength: 1, description: 'Serial port, e.g. /dev/ttyUSB0' }),
    baudRate: Type.Integer({ minimum: 300, maximum: 4_000_000, default: 9600 }),
    dataBits: Type.Union([Type.Literal(7), Type.Literal(8)], { default: 8 }),
    parity: Type.Union([Type.Literal('none'), Type.Literal('even'), Type.Literal('odd')], { default: 'none' }),
    stopBits: Type.Union([Type.Literal(1), Type.Literal(2)], { default: 1 }),
    ...common,
  },
  { additionalProperties: false },
);

export type ModbusTcpSettings = Static<typeof ModbusTcpSettingsSchema>;
export type ModbusRtuSettings = Static<typeof ModbusRtuSettingsSchema>;
export type ModbusCommonSettings = Pick<ModbusTcpSettings, keyof typeof common>;

/** The host must be a host name or IP address (10.0.0.300 is refused, not looked up). */
export function checkTcpSettings(settings: Pick<ModbusTcpSettings, 'host'>): string[] {
  const problem = hostProblem(settings.host);
  return problem ? [`host: ${problem}`] : [];
}
