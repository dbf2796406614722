import type { Logger } from 'pino';
import { GatewayError } from '../../core/errors.js';
import type { Area } from './address.js';
import type { ModbusClient, ReadFunction } from './client.js';
import type { ModbusLink } from './link.js';
import type { RequestKind } from './request-queue.js';

export interface RequestOptions {
  unitId: number;
  timeoutMs: number;
  retries: number;
  /** The device's log, for what a request teaches about the link. */
  log?: Logger | undefined;
}

/** Writes have their own queue on the link; they need no deadline. */
const WRITE_DEADLINE = 0;

/** Any failure of a request as a GatewayError: clients reject with stable codes already. */
export function requestError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  return new GatewayError('bad-response', err instanceof Error ? err.message : String(err));
}

/** Runs a request on the link (earliest deadline first), retrying timeouts `retries` times. */
async function withRetries<T>(
  link: ModbusLink,
  opts: RequestOptions,
  kind: RequestKind,
  deadline: number,
  run: (c: ModbusClient) => Promise<T>,
): Promise<T> {
  const request = { kind, unitId: opts.unitId, deadline, timeoutMs: opts.timeoutMs, log: opts.log };
  for (let attempt = 0; ; attempt++) {
    try {
      return await link.request(attempt === 0 ? request : { ...request, retry: true }, run);
    } catch (raw) {
      const err = requestError(raw);
      // Refused before anything was sent: not an error of the line.
      if (err.code === 'busy') throw err;
      if (err.code === 'timeout') link.stats.timeouts++;
      else if (/CRC/i.test(err.message)) link.stats.crcErrors++;
      else link.stats.errors++;
      if (err.code !== 'timeout' || attempt >= opts.retries) throw err;
    }
  }
}

const READ_FUNCTION: Record<Area, ReadFunction> = { coil: 1, di: 2, hr: 3, ir: 4 };

/**
 * Reads registers (hr, ir) or bits (coil, di) and returns the answer's data bytes as they
 * arrived, without copying: registers big-endian, two bytes each; bits packed, least
 * significant first. The client checks the answer's size.
 */
export function readArea(
  link: ModbusLink,
  opts: RequestOptions,
  area: Area,
  start: number,
  count: number,
  deadline: number,
): Promise<Buffer> {
  return withRetries(link, opts, 'read', deadline, async (client) => {
    link.stats.bytesOut += 8;
    const data = await client.read(READ_FUNCTION[area], opts.unitId, start, count, opts.timeoutMs);
    link.stats.bytesIn += 5 + data.length;
    return data;
  });
}

/** FC6 for one register, FC16 for several. */
export function writeRegisters(link: ModbusLink, opts: RequestOptions, start: number, values: number[]): Promise<void> {
  return withRetries(link, opts, 'write', WRITE_DEADLINE, (client) => {
    link.stats.bytesOut += values.length === 1 ? 8 : 9 + 2 * values.length;
    link.stats.bytesIn += 8;
    return client.writeRegisters(opts.unitId, start, values, opts.timeoutMs);
  });
}

/** FC5 for one coil, FC15 for several. */
export function writeCoils(link: ModbusLink, opts: RequestOptions, start: number, values: boolean[]): Promise<void> {
  return withRetries(link, opts, 'write', WRITE_DEADLINE, (client) => {
    link.stats.bytesOut += values.length === 1 ? 8 : 9 + Math.ceil(values.length / 8);
    link.stats.bytesIn += 8;
    return client.writeCoils(opts.unitId, start, values, opts.timeoutMs);
  });
}
