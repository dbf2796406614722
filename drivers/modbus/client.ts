import type { ModbusRTU } from 'modbus-serial/ModbusRTU.js';
import { lazyModule } from '../../core/lazy-module.js';

/** modbus-serial's client. */
export type ModbusClient = ModbusRTU;

const clientClass = lazyModule<typeof ModbusRTU>('modbus-serial');

/**
 * A new modbus-serial client. The library (and serialport with its native binding, which it
 * loads) is required at the first connection, so a gateway without Modbus devices never loads it.
 * It is CommonJS: `module.exports` is the client class itself.
 */
export function newModbusClient(): ModbusClient {
  const Client = clientClass();
  return new Client();
}
