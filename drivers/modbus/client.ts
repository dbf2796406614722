import ModbusSerialModule from 'modbus-serial';
import type { ModbusRTU } from 'modbus-serial/ModbusRTU.js';

/** modbus-serial's client. */
export type ModbusClient = ModbusRTU;

// modbus-serial is CommonJS whose typings declare an ES default export; under NodeNext the
// default import is `module.exports`, which is the client class itself.
export const ModbusClientClass = ModbusSerialModule as unknown as typeof ModbusRTU;
