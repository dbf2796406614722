import type { Logger } from 'pino';
import { GatewayError } from '../../core/errors.js';
import type { Area } from './address.js';
import type { ModbusClient } from './client.js';
import { modbusExceptionCode } from './errors.js';
import type { ModbusLink } from './link.js';
import type { RequestKind } from './request-queue.js';

export interface RequestOptions {
  unitId: number;
  timeoutMs: number;
  retries: number;
  /** The device's log, for what a request teaches about the link. */
  log?: Logger | undefined;
}

type Callback<T> = (err: Error | null, result: T) => void;

/** Writes have their own queue on the link; they need no deadline. */
const WRITE_DEADLINE = 0;

/** A Modbus error as a stable code: exceptions, timeouts, a lost link, or a frame that did not match. */
export function requestError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  const e = err as { modbusCode?: number; name?: string; message?: string; errno?: string };
  if (typeof e?.modbusCode === 'number') {
    return new GatewayError(modbusExceptionCode(e.modbusCode), e.message ?? `Modbus exception ${e.modbusCode}`);
  }
  if (e?.name === 'TransactionTimedOutError' || e?.errno === 'ETIMEDOUT') {
    return new GatewayError('timeout', 'the device did not answer in time');
  }
  if (e?.name === 'PortNotOpenError') return new GatewayError('disconnected', 'the link is not connected');
  return new GatewayError('bad-response', e?.message ?? String(err));
}

/** Extra time past the request timeout before the watchdog gives up on modbus-serial's callback. */
const WATCHDOG_MARGIN_MS = 250;

function call<T>(client: ModbusClient, timeoutMs: number, send: (cb: Callback<T>) => void): Promise<T> {
  // modbus-serial reads its timeout when the request is written; requests on a link are serialised.
  client.setTimeout(timeoutMs);
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    // modbus-serial forgets the callbacks of requests in flight when its port is closed or
    // destroyed; without this watchdog such a request would hold the link forever.
    const watchdog = setTimeout(() => {
      if (settled) return;
      settled = true;
      if (client.isOpen) {
        const err = new Error('the device did not answer in time');
        err.name = 'TransactionTimedOutError';
        reject(err);
      } else reject(new GatewayError('disconnected', 'the link closed while the request was in flight'));
    }, timeoutMs + WATCHDOG_MARGIN_MS);
    send((err, result) => {
      if (settled) return;
      settled = true;
      clearTimeout(watchdog);
      if (err) reject(err);
      else resolve(result);
    });
  });
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

/**
 * Reads registers (hr, ir) or bits (coil, di) and returns the answer's data bytes as they
 * arrived, without copying: registers big-endian, two bytes each; bits packed, least
 * significant first. Checks the answer's size.
 */
export async function readArea(
  link: ModbusLink,
  opts: RequestOptions,
  area: Area,
  start: number,
  count: number,
  deadline: number,
): Promise<Buffer> {
  return withRetries(link, opts, 'read', deadline, async (client) => {
    const unit = opts.unitId;
    link.stats.bytesOut += 8;
    if (area === 'hr' || area === 'ir') {
      const res = await call<{ data: number[]; buffer: Buffer }>(client, opts.timeoutMs, (cb) =>
        area === 'hr' ? client.writeFC3(unit, start, count, cb) : client.writeFC4(unit, start, count, cb),
      );
      if (res.data.length !== count || res.buffer.length !== 2 * count) {
        throw new GatewayError('bad-response', `asked for ${count} registers, got ${res.data.length}`);
      }
      link.stats.bytesIn += 5 + 2 * count;
      return res.buffer;
    }
    const res = await call<{ data: boolean[]; buffer: Buffer }>(client, opts.timeoutMs, (cb) =>
      area === 'coil' ? client.writeFC1(unit, start, count, cb) : client.writeFC2(unit, start, count, cb),
    );
    if (res.data.length < count || res.buffer.length * 8 < count)
      throw new GatewayError('bad-response', `asked for ${count} bits, got ${res.data.length}`);
    link.stats.bytesIn += 5 + Math.ceil(count / 8);
    return res.buffer;
  });
}

/** FC6 for one register, FC16 for several. */
export function writeRegisters(link: ModbusLink, opts: RequestOptions, start: number, values: number[]): Promise<void> {
  return withRetries(link, opts, 'write', WRITE_DEADLINE, async (client) => {
    link.stats.bytesOut += values.length === 1 ? 8 : 9 + 2 * values.length;
    link.stats.bytesIn += 8;
    if (values.length === 1) {
      await call(client, opts.timeoutMs, (cb) => client.writeFC6(opts.unitId, start, values[0] as number, cb));
    } else {
      await call(client, opts.timeoutMs, (cb) => client.writeFC16(opts.unitId, start, values, cb));
    }
  });
}

/** FC5 for one coil, FC15 for several. */
export function writeCoils(link: ModbusLink, opts: RequestOptions, start: number, values: boolean[]): Promise<void> {
  return withRetries(link, opts, 'write', WRITE_DEADLINE, async (client) => {
    link.stats.bytesOut += values.length === 1 ? 8 : 9 + Math.ceil(values.length / 8);
    link.stats.bytesIn += 8;
    if (values.length === 1) {
      await call(client, opts.timeoutMs, (cb) => client.writeFC5(opts.unitId, start, values[0] as boolean, cb));
    } else {
      await call(client, opts.timeoutMs, (cb) => client.writeFC15(opts.unitId, start, values, cb));
    }
  });
}
