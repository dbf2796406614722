/**
 * One S7 connection: TCP, COTP connect, Setup Communication, then one job at a time matched
 * to its answer by PDU reference. A late answer (after its timeout) is dropped by reference;
 * a frame that breaks the protocol ends the connection (the core reconnects with backoff).
 */
import { createConnection, type Socket } from 'node:net';
import { GatewayError } from '../../core/errors.js';
import { OneAtATime } from '../../core/one-at-a-time.js';
import { s7Error } from './errors.js';
import {
  type AckHeader,
  connectionRequest,
  cotpType,
  dataFrame,
  FrameReader,
  parseAck,
  parseSetupResponse,
  S7FrameError,
  s7Payload,
  setupRequest,
} from './protocol.js';

export interface S7Endpoint {
  host: string;
  port: number;
  localTsap: number;
  remoteTsap: number;
  timeoutMs: number;
  /** PDU size asked for; the PLC grants this or less. */
  requestedPdu: number;
}

export interface S7LinkStats {
  requests: number;
  timeouts: number;
  errors: number;
  bytesOut: number;
  bytesIn: number;
  busyMs: number;
  openedAt: number;
}

interface Waiter {
  /** Undefined during the handshake: the next frame is the answer. */
  ref: number | undefined;
  resolve(frame: Buffer): void;
  reject(err: Error): void;
}

export class S7Connection {
  pduSize = 0;
  maxJobs = 1;
  readonly stats: S7LinkStats = {
    requests: 0,
    timeouts: 0,
    errors: 0,
    bytesOut: 0,
    bytesIn: 0,
    busyMs: 0,
    openedAt: 0,
  };
  private socket: Socket | undefined;
  private waiter: Waiter | undefined;
  private readonly queue = new OneAtATime();
  private nextRef = 1;
  private closedByUs = false;
  private lost = false;

  constructor(
    private readonly endpoint: S7Endpoint,
    /** Called once when an open connection breaks (not after close()). */
    private readonly onLost: (error: string) => void,
  ) {}

  get isOpen(): boolean {
    return this.socket !== undefined && !this.lost && this.pduSize > 0;
  }

  async open(): Promise<void> {
    const { host, port, timeoutMs } = this.endpoint;
    const socket = await this.connectTcp(host, port, Math.max(timeoutMs, 3000));
    this.socket = socket;
    const reader = new FrameReader();
    socket.on('data', (chunk: Buffer) => {
      this.stats.bytesIn += chunk.length;
      let frames: Buffer[];
      try {
        frames = reader.push(chunk);
      } catch (err) {
        this.fail('bad-response', (err as Error).message);
        return;
      }
      for (const frame of frames) this.onFrame(frame);
    });
    socket.on('error', () => {}); // 'close' follows and says what matters
    socket.on('close', () => this.fail('disconnected', 'the PLC closed the connection'));
    try {
      const confirm = await this.exchangeRaw(
        connectionRequest(this.endpoint.localTsap, this.endpoint.remoteTsap),
        undefined,
      );
      if (cotpType(confirm) !== 0xd0) throw s7Error('s7-connection-refused');
      const setup = parseAck(
        s7Payload(await this.exchangeRaw(dataFrame(setupRequest(0, this.endpoint.requestedPdu)), undefined)),
      );
      if (setup.errorClass !== 0 || setup.errorCode !== 0) {
        throw s7Error('s7-connection-refused', 'the PLC refused Setup Communication');
      }
      const granted = parseSetupResponse(setup);
      this.pduSize = Math.min(granted.pduSize, this.endpoint.requestedPdu);
      this.maxJobs = granted.maxJobs;
      this.stats.openedAt = Date.now();
    } catch (err) {
      this.destroy();
      // The PLC hanging up during the handshake is how a wrong rack/slot or TSAP shows.
      if (err instanceof GatewayError && err.code === 'disconnected') throw s7Error('s7-connection-refused');
      if (err instanceof S7FrameError) throw new GatewayError('bad-response', err.message);
      throw err;
    }
  }

  private connectTcp(host: string, port: number, timeoutMs: number): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = createConnection({ host, port });
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new GatewayError('timeout', `no TCP connection to ${host}:${port} within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(socket);
      });
      socket.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        socket.destroy();
        const refused = err.code === 'ECONNREFUSED';
        reject(new GatewayError(refused ? 'connection-refused' : 'disconnected', `${host}:${port}: ${err.message}`));
      });
    });
  }

  /** Sends one S7 job and resolves with its checked ack header; jobs run one after another. */
  request(build: (ref: number) => Buffer): Promise<AckHeader> {
    const run = async (): Promise<AckHeader> => {
      if (!this.isOpen) throw new GatewayError('disconnected', 'not connected to the PLC');
      const ref = this.nextRef;
      this.nextRef = (this.nextRef % 0xffff) + 1;
      const started = performance.now();
      this.stats.requests++;
      try {
        const frame = await this.exchangeRaw(dataFrame(build(ref)), ref);
        return parseAck(s7Payload(frame));
      } catch (err) {
        if (err instanceof GatewayError && err.code === 'timeout') this.stats.timeouts++;
        else this.stats.errors++;
        if (err instanceof S7FrameError) {
          this.fail('bad-response', err.message);
          throw new GatewayError('bad-response', err.message);
        }
        throw err;
      } finally {
        this.stats.busyMs += performance.now() - started;
      }
    };
    return this.queue.run(run);
  }

  private exchangeRaw(frame: Buffer, ref: number | undefined): Promise<Buffer> {
    const socket = this.socket;
    if (!socket || this.lost) return Promise.reject(new GatewayError('disconnected', 'not connected to the PLC'));
    return new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new GatewayError('timeout', `the PLC did not answer within ${this.endpoint.timeoutMs} ms`));
      }, this.endpoint.timeoutMs);
      this.waiter = {
        ref,
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.stats.bytesOut += frame.length;
      socket.write(frame);
    });
  }

  private onFrame(frame: Buffer): void {
    const waiter = this.waiter;
    if (!waiter) return; // a late answer to a request that already timed out
    if (waiter.ref !== undefined) {
      // Only data frames with the waiter's PDU reference answer it; others are late or stray.
      if (frame.length < 7 + 6 || frame[5] !== 0xf0 || frame.readUInt16BE(7 + 4) !== waiter.ref) return;
    }
    this.waiter = undefined;
    waiter.resolve(frame);
  }

  /** The connection broke: reject what waits and tell the owner, once. */
  private fail(code: 'disconnected' | 'bad-response', message: string): void {
    if (this.lost) return;
    this.lost = true;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.reject(new GatewayError(code, message));
    this.socket?.destroy();
    if (!this.closedByUs && this.pduSize > 0) this.onLost(code);
  }

  private destroy(): void {
    this.closedByUs = true;
    this.lost = true;
    this.socket?.destroy();
    this.socket = undefined;
  }

  close(): void {
    this.destroy();
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.reject(new GatewayError('disconnected', 'connection closed'));
  }
}
