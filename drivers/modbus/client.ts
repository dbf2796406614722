import { createRequire } from 'node:module';
import type { ModbusRTU } from 'modbus-serial/ModbusRTU.js';

/** modbus-serial's client. */
export type ModbusClient = ModbusRTU;

let clientClass: typeof ModbusRTU | undefined;

/**
 * A new modbus-serial client. The library (and serialport with its native binding, which it
 * loads) is required at the first connection, so a gateway without Modbus devices never loads it.
 * It is CommonJS: `module.exports` is the client class itself.
 */
export function newModbusClient(): ModbusClient {
  clientClass ??= createRequire(import.meta.url)('modbus-serial') as typeof ModbusRTU;
  return new clientClass();
}
