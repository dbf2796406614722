/**
 * Modbus TCP server for a ModbusDataModel, on plain node:net: fast enough for benchmarks and
 * able to misbehave on purpose (delays, silence, lost answers) for tests.
 */
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import {
  ExceptionCode,
  exception,
  type MbapFrame,
  parseMbapFrames,
  respond,
  writeMbapHeader,
} from './modbus-frames.js';
import type { ModbusDataModel } from './modbus-model.js';

export interface ModbusTcpSimulatorOptions {
  /** Default 127.0.0.1: a simulator is not exposed to the network unless asked. */
  host?: string;
  /** Default 0 = a free port chosen by the OS (see listen()). */
  port?: number;
}

const EMPTY = Buffer.alloc(0);

interface Delayed {
  due: number;
  adu: Buffer;
}

/** One client: its unparsed bytes and the answers still held back by responseDelayMs. */
class Connection {
  pending: Buffer = EMPTY;
  readonly delayed: Delayed[] = [];
  timer: NodeJS.Timeout | undefined;

  constructor(readonly socket: Socket) {}

  send(adu: Buffer, delayMs: number): void {
    // Answers leave strictly in request order, even if the delay is changed in between.
    if (delayMs <= 0 && this.delayed.length === 0) {
      this.socket.write(adu);
      return;
    }
    this.delayed.push({ due: performance.now() + Math.max(0, delayMs), adu });
    if (!this.timer) this.schedule();
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.delayed.length = 0;
  }

  private schedule(): void {
    const first = this.delayed[0];
    if (!first) return;
    this.timer = setTimeout(() => this.flush(), Math.max(0, first.due - performance.now()));
  }

  private flush(): void {
    this.timer = undefined;
    if (this.socket.destroyed) return;
    const now = performance.now();
    this.socket.cork();
    while (this.delayed[0] && this.delayed[0].due <= now) this.socket.write(this.delayed.shift()!.adu);
    this.socket.uncork();
    this.schedule();
  }
}

/**
 * Serves every unit of `model`. A request for a unit id the model does not have gets no answer
 * at all (like a TCP gateway with nothing behind that id), so the client sees a timeout.
 */
export class ModbusTcpSimulator {
  /** Delay before every answer, in ms. */
  responseDelayMs = 0;
  /** Requests for these unit ids are never answered. */
  readonly silentUnits = new Set<number>();
  /**
   * A device whose read limit is below the standard's 125: reads (FC3/FC4) of more registers
   * answer exception 3 (illegal data value), as some PLCs and meters do.
   */
  maxRegistersPerRead = 125;
  /**
   * Units behind a simulated TCP→RTU gateway that do not answer: the gateway answers
   * `exception` (0x0B target failed to respond, 0x0A path unavailable) after `delayMs`,
   * its own RTU timeout. Answers keep request order, so later requests wait behind it,
   * as they do on the gateway's serial line.
   */
  readonly gatewayFailures = new Map<number, { exception: 0x0a | 0x0b; delayMs: number }>();
  /** Request frames received, per unit id. */
  readonly requestsPerUnit = new Map<number, number>();
  /**
   * false = a device that cannot pipeline: it takes one request, and ignores any that arrive
   * before its answer has left (several in one TCP segment, or while `responseDelayMs` holds
   * the answer back), so only the first of several outstanding requests is answered.
   */
  pipelining = true;

  private readonly server: Server;
  private readonly open = new Map<Socket, Connection>();
  private readonly host: string;
  private readonly port: number;
  private toDrop = 0;
  private requestCount = 0;
  private acceptedCount = 0;

  constructor(
    readonly model: ModbusDataModel,
    options: ModbusTcpSimulatorOptions = {},
  ) {
    this.host = options.host ?? '127.0.0.1';
    this.port = options.port ?? 0;
    this.server = createServer((socket) => this.accept(socket));
    // Errors after listen (e.g. EMFILE on accept) must not crash the host process.
    this.server.on('error', () => {});
  }

  /** Open client connections. */
  get connections(): number {
    return this.open.size;
  }

  /** Client connections accepted since listen() (a reconnect counts again). */
  get accepted(): number {
    return this.acceptedCount;
  }

  /** Complete request frames received, answered or not. */
  get requests(): number {
    return this.requestCount;
  }

  /** The next `n` answers (any client, any unit) are computed but not sent. */
  dropNextResponses(n: number): void {
    this.toDrop += n;
  }

  /** Starts listening; resolves with the actual port (useful with port 0). */
  async listen(): Promise<{ port: number }> {
    if (!this.server.listening) {
      await new Promise<void>((resolve, reject) => {
        const onError = (err: NodeJS.ErrnoException): void => {
          this.server.off('listening', onListening);
          const where = `${this.host}:${this.port}`;
          reject(
            err.code === 'EADDRINUSE'
              ? new Error(`Modbus simulator: port ${this.port} is already in use (${where})`, { cause: err })
              : new Error(`Modbus simulator cannot listen on ${where}: ${err.message}`, { cause: err }),
          );
        };
        const onListening = (): void => {
          this.server.off('error', onError);
          resolve();
        };
        this.server.once('error', onError);
        this.server.once('listening', onListening);
        this.server.listen(this.port, this.host);
      });
    }
    return { port: (this.server.address() as AddressInfo).port };
  }

  /** Stops listening and drops every client connection. */
  async close(): Promise<void> {
    for (const connection of this.open.values()) {
      connection.dispose();
      connection.socket.destroy();
    }
    this.open.clear();
    if (!this.server.listening) return;
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    const connection = new Connection(socket);
    this.acceptedCount++;
    this.open.set(socket, connection);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(connection, chunk));
    // A client reset is routine for a PLC; 'close' follows and cleans up.
    socket.on('error', () => {});
    socket.on('close', () => {
      connection.dispose();
      this.open.delete(socket);
    });
  }

  private receive(connection: Connection, chunk: Buffer): void {
    const input = connection.pending.length ? Buffer.concat([connection.pending, chunk]) : chunk;
    const { frames, rest, error } = parseMbapFrames(input);
    if (error) {
      // Not Modbus TCP: a PLC drops such a connection rather than guessing where frames start.
      connection.socket.destroy();
      return;
    }
    // Copy the (< 260 byte) remainder so the large chunk it came from can be freed.
    connection.pending = rest.length ? Buffer.from(rest) : EMPTY;
    const { socket } = connection;
    socket.cork();
    let taken = 0;
    for (const frame of frames) {
      if (!this.pipelining && (taken > 0 || connection.delayed.length > 0)) {
        this.count(frame);
        continue;
      }
      taken++;
      this.answer(connection, frame);
    }
    socket.uncork();
    // A client that pipelines without reading must not grow our write buffer without bound.
    if (socket.writableNeedDrain) {
      socket.pause();
      socket.once('drain', () => socket.resume());
    }
  }

  private count(frame: MbapFrame): void {
    this.requestCount++;
    this.requestsPerUnit.set(frame.unitId, (this.requestsPerUnit.get(frame.unitId) ?? 0) + 1);
  }

  private answer(connection: Connection, frame: MbapFrame): void {
    this.count(frame);
    if (!this.model.hasUnit(frame.unitId) || this.silentUnits.has(frame.unitId)) return;
    const failure = this.gatewayFailures.get(frame.unitId);
    if (failure) {
      const fc = frame.pdu[0] ?? 0;
      const adu = writeMbapHeader(exception(fc, failure.exception, 7, 0), frame.transactionId, frame.unitId);
      connection.send(adu, failure.delayMs);
      return;
    }
    const adu = writeMbapHeader(this.answerFrame(frame), frame.transactionId, frame.unitId);
    if (this.toDrop > 0) {
      this.toDrop--;
      return;
    }
    connection.send(adu, this.responseDelayMs);
  }

  /** The answer with 7 free bytes for the MBAP header, after the simulated device's own limits. */
  private answerFrame(frame: MbapFrame): Buffer {
    const fc = frame.pdu[0] ?? 0;
    if ((fc === 3 || fc === 4) && frame.pdu.length === 5 && frame.pdu.readUInt16BE(3) > this.maxRegistersPerRead) {
      return exception(fc, ExceptionCode.illegalDataValue, 7, 0);
    }
    return respond(this.model, frame.unitId, frame.pdu, 7, 0);
  }
}
