/**
 * The per-value decode path of drivers/modbus (driver.ts decode → codec.ts decodeRegisters →
 * shortestFloat32 → toEngineering → goodValue), beside the floor: reading the float straight
 * from the response bytes.
 */

import { goodValue, type TagValue } from '../../core/values.js';
import { decodeRegisters, toEngineering } from '../../drivers/modbus/codec.js';
import { shortestFloat32 } from '../../drivers/modbus/driver.js';
import { type MicroResult, timeIt } from './time-it.js';

const REGISTERS = 124;
const FLOATS = REGISTERS / 2;

function sampleRegisters(): { words: number[]; bytes: Buffer } {
  const bytes = Buffer.alloc(REGISTERS * 2);
  for (let i = 0; i < FLOATS; i++) bytes.writeFloatBE(20 + 5 * Math.sin(i * 0.37), i * 4);
  const words = Array.from({ length: REGISTERS }, (_, i) => bytes.readUInt16BE(i * 2));
  return { words, bytes };
}

export function decodeMicro(): MicroResult[] {
  const { words, bytes } = sampleRegisters();
  const out: TagValue[] = new Array(FLOATS);
  let sink = 0;
  const results = [
    timeIt(
      'Uint16Array.from(res.data)',
      REGISTERS,
      () => {
        sink += Uint16Array.from(words)[0] ?? 0;
      },
      'requests.ts readArea, per register: copy of modbus-serial’s number[]',
    ),
    timeIt(
      'float32 decode as driver.ts does',
      FLOATS,
      () => {
        const data = Uint16Array.from(words);
        const now = Date.now();
        for (let i = 0; i < FLOATS; i++) {
          const raw = decodeRegisters(data.subarray(2 * i, 2 * i + 2), 'float32', 'ABCD');
          out[i] = goodValue(toEngineering(shortestFloat32(raw as number), 1, 0), now);
        }
      },
      'driver.ts decode → codec.ts decodeRegisters, incl. shortestFloat32',
    ),
    timeIt(
      'shortestFloat32 alone',
      FLOATS,
      () => {
        for (let i = 0; i < FLOATS; i++) sink += shortestFloat32(bytes.readFloatBE(i * 4));
      },
      'driver.ts shortestFloat32: up to 4 toPrecision + Number per value',
    ),
    timeIt(
      'floor: readFloatBE from the response',
      FLOATS,
      () => {
        const now = Date.now();
        for (let i = 0; i < FLOATS; i++) out[i] = goodValue(bytes.readFloatBE(i * 4), now);
      },
      'no copy, no per-value DataView',
    ),
  ];
  if (sink === Number.MIN_VALUE) process.stdout.write('');
  return results;
}
