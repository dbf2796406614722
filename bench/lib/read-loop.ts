/** A plain modbus-serial client reading blocks back to back, one request in flight. */
import type { PlainModbusClient } from './plain-modbus-client.js';

export interface Block {
  start: number;
  count: number;
}

export interface LoopResult {
  requests: number;
  registers: number;
  errors: number;
}

/** Reads `blocks` round and round until `until` (performance.now()). */
export async function readLoop(client: PlainModbusClient, blocks: Block[], until: number): Promise<LoopResult> {
  const result: LoopResult = { requests: 0, registers: 0, errors: 0 };
  let i = 0;
  while (performance.now() < until) {
    const block = blocks[i++ % blocks.length] as Block;
    try {
      const answer = await client.readHoldingRegisters(block.start, block.count);
      result.requests++;
      result.registers += answer.data.length;
    } catch {
      result.errors++;
    }
  }
  return result;
}

export function addResults(results: LoopResult[]): LoopResult {
  return results.reduce(
    (sum, r) => ({
      requests: sum.requests + r.requests,
      registers: sum.registers + r.registers,
      errors: sum.errors + r.errors,
    }),
    { requests: 0, registers: 0, errors: 0 },
  );
}

/** Closes a client without waiting long for modbus-serial's callback. */
export function closeQuietly(client: PlainModbusClient): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 1000);
    client.close(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
