import type { ModbusRTU } from 'modbus-serial/ModbusRTU.js';
import { GatewayError } from '../../core/errors.js';
import { lazyModule } from '../../core/lazy-module.js';
import type { LostReason, ModbusClient, ReadFunction } from './client.js';
import { modbusExceptionCode } from './errors.js';
import type { FrameEnds } from './frame-trace.js';
import type { Transport } from './link.js';

/**
 * modbus-serial (and serialport with its native binding, which it loads) is required at the first
 * serial or RTU-over-TCP connection, so a gateway without such devices never loads it. It is
 * CommonJS: `module.exports` is the client class itself.
 */
const libraryClient = lazyModule<typeof ModbusRTU>('modbus-serial');

type Callback<T> = (err: Error | null, result: T) => void;

/** Extra time past the request timeout before the watchdog gives up on modbus-serial's callback. */
const WATCHDOG_MARGIN_MS = 250;

/**
 * Modbus RTU framing through modbus-serial: on a serial port, or over a socket to a serial device
 * server in transparent mode. One request at a time (RTU answers carry no transaction id); the
 * library's errors become the stable codes of ModbusClient.
 */
export class SerialLibraryClient implements ModbusClient {
  readonly framing = 'rtu';
  private lostListener: ((reason: LostReason) => void) | undefined;
  private closedByUs = false;

  private constructor(private readonly client: ModbusRTU) {
    const lost = () => {
      if (!this.closedByUs) this.lostListener?.('disconnected');
      this.lostListener = undefined;
    };
    client.on('close', lost);
    client.on('error', lost);
  }

  static async connect(t: Transport, connectTimeoutMs: number): Promise<SerialLibraryClient> {
    const Client = libraryClient();
    const client = new Client();
    try {
      if (t.kind === 'rtu-tcp') {
        // modbus-serial's "telnet" port is plain RTU framing over a socket, which is what a serial
        // device server in transparent mode expects ("TcpRTUBuffered" sends MBAP headers instead).
        await client.connectTelnet(t.host, { port: t.port, timeout: connectTimeoutMs });
      } else if (t.kind === 'rtu') {
        await client.connectRTUBuffered(t.path, {
          baudRate: t.baudRate,
          dataBits: t.dataBits,
          parity: t.parity,
          stopBits: t.stopBits,
        });
      } else {
        throw new Error(`modbus-serial is not used for ${t.kind}`);
      }
    } catch (err) {
      void closeLibraryClient(client);
      throw err;
    }
    return new SerialLibraryClient(client);
  }

  get isOpen(): boolean {
    return this.client.isOpen === true;
  }

  /** The library's port: its write() puts the RTU frame on the line, its data events bring bytes. */
  get frameEnds(): FrameEnds | undefined {
    return (this.client as unknown as { _port?: FrameEnds })._port;
  }

  onLost(listener: (reason: LostReason) => void): void {
    this.lostListener = listener;
  }

  /**
   * On an RTU line only the slave addressed by our request may talk, so anything already in
   * modbus-serial's receive buffer (a late answer, stray bytes, half a frame) is noise: drop it
   * so it can never be matched against the next answer.
   */
  discardInput(): void {
    const port = (this.client as unknown as { _port?: { _buffer?: Buffer } })._port;
    if (port && Buffer.isBuffer(port._buffer) && port._buffer.length > 0) port._buffer = Buffer.alloc(0);
  }

  close(): Promise<void> {
    this.closedByUs = true;
    return closeLibraryClient(this.client);
  }

  async read(fc: ReadFunction, unitId: number, start: number, count: number, timeoutMs: number): Promise<Buffer> {
    const c = this.client;
    if (fc === 3 || fc === 4) {
      const res = await this.call<{ data: number[]; buffer: Buffer }>(timeoutMs, (cb) =>
        fc === 3 ? c.writeFC3(unitId, start, count, cb) : c.writeFC4(unitId, start, count, cb),
      );
      if (res.data.length !== count || res.buffer.length !== 2 * count) {
        throw new GatewayError('bad-response', `asked for ${count} registers, got ${res.data.length}`);
      }
      return res.buffer;
    }
    const res = await this.call<{ data: boolean[]; buffer: Buffer }>(timeoutMs, (cb) =>
      fc === 1 ? c.writeFC1(unitId, start, count, cb) : c.writeFC2(unitId, start, count, cb),
    );
    if (res.data.length < count || res.buffer.length * 8 < count)
      throw new GatewayError('bad-response', `asked for ${count} bits, got ${res.data.length}`);
    return res.buffer;
  }

  async writeRegisters(unitId: number, start: number, values: readonly number[], timeoutMs: number): Promise<void> {
    const c = this.client;
    if (values.length === 1) await this.call(timeoutMs, (cb) => c.writeFC6(unitId, start, values[0] as number, cb));
    else await this.call(timeoutMs, (cb) => c.writeFC16(unitId, start, [...values], cb));
  }

  async writeCoils(unitId: number, start: number, values: readonly boolean[], timeoutMs: number): Promise<void> {
    const c = this.client;
    if (values.length === 1) await this.call(timeoutMs, (cb) => c.writeFC5(unitId, start, values[0] as boolean, cb));
    else await this.call(timeoutMs, (cb) => c.writeFC15(unitId, start, [...values], cb));
  }

  private call<T>(timeoutMs: number, send: (cb: Callback<T>) => void): Promise<T> {
    const client = this.client;
    // modbus-serial reads its timeout when the request is written; requests on a line are serialised.
    client.setTimeout(timeoutMs);
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      // modbus-serial forgets the callbacks of requests in flight when its port is closed or
      // destroyed; without this watchdog such a request would hold the link forever.
      const watchdog = setTimeout(() => {
        if (settled) return;
        settled = true;
        if (client.isOpen) reject(new GatewayError('timeout', 'the device did not answer in time'));
        else reject(new GatewayError('disconnected', 'the link closed while the request was in flight'));
      }, timeoutMs + WATCHDOG_MARGIN_MS);
      send((err, result) => {
        if (settled) return;
        settled = true;
        clearTimeout(watchdog);
        if (err) reject(fromLibraryError(err));
        else resolve(result);
      });
    });
  }
}

/** modbus-serial's errors as stable codes: exceptions, timeouts, a closed port, or a frame that did not match. */
function fromLibraryError(err: unknown): GatewayError {
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

/**
 * Closes a client without waiting forever: modbus-serial's close() never calls back on a
 * socket that already failed, so destroy() is preferred and a timer bounds the wait.
 */
function closeLibraryClient(client: ModbusRTU): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 1000);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    // destroy() only acts on ports that have one (sockets); a serial port must be closed.
    const port = (client as unknown as { _port?: { destroy?: unknown } })._port;
    const destroyable = client as ModbusRTU & { destroy?: (cb: () => void) => void };
    try {
      if (typeof port?.destroy === 'function' && typeof destroyable.destroy === 'function') destroyable.destroy(done);
      else client.close(done);
    } catch {
      done();
    }
  });
}
