/** The plain modbus-serial client the limits are measured with: the library alone, nothing of tagwire. */
import { createRequire } from 'node:module';
import type { ModbusRTU } from 'modbus-serial/ModbusRTU.js';

export type PlainModbusClient = ModbusRTU;

const require = createRequire(import.meta.url);

export function newPlainModbusClient(): PlainModbusClient {
  // CommonJS: `module.exports` is the client class itself.
  const Client = require('modbus-serial') as typeof ModbusRTU;
  return new Client();
}
