/** The plain modbus-serial client the limits are measured with: the library alone, nothing of tagwire. */
import type { ModbusRTU } from 'modbus-serial/ModbusRTU.js';
import { lazyModule } from '../../core/lazy-module.js';

export type PlainModbusClient = ModbusRTU;

// CommonJS: `module.exports` is the client class itself.
const clientClass = lazyModule<typeof ModbusRTU>('modbus-serial');

export function newPlainModbusClient(): PlainModbusClient {
  const Client = clientClass();
  return new Client();
}
