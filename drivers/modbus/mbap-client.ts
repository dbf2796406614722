import { connect, type Socket } from 'node:net';
import { GatewayError } from '../../core/errors.js';
import type { LostReason, ModbusClient, ReadFunction } from './client.js';
import { modbusExceptionCode } from './errors.js';

/** Transaction id, protocol id, length: the MBAP header before the unit id. */
const HEADER = 6;
/** Longest legal MBAP length field: unit id + a 253-byte PDU. */
const MAX_MBAP_LENGTH = 254;
/** What a confirmed write resolves with: it carries no data. */
const NO_DATA = Buffer.alloc(0);

/** What an answer must look like to belong to its request. */
interface Transaction {
  unitId: number;
  fc: number;
  /** Reads: the data bytes the answer must carry. Writes: -1 (the answer echoes the request). */
  dataBytes: number;
  /** Writes: the echoed start address and, for FC 15/16, quantity (FC 5/6: -1, the value is not compared). */
  echoAddress: number;
  echoQuantity: number;
  resolve: (data: Buffer) => void;
  reject: (err: GatewayError) => void;
  timer: NodeJS.Timeout | undefined;
}

/**
 * A Modbus TCP client (MBAP framing, Modbus Messaging on TCP/IP §3.1) on one socket. Answers
 * are matched to requests by transaction id, so several may be outstanding; an answer to no
 * outstanding request (late, after its timeout) is dropped. An answer is checked against its
 * request (unit, function code, byte count or echo) before its data is handed on — as a view of
 * the received bytes, not a copy. A header that cannot be Modbus (protocol id ≠ 0, length
 * outside 2..254) means the stream lost its framing: the connection is closed rather than
 * waiting for bytes that never come.
 */
export class MbapClient implements ModbusClient {
  readonly framing = 'mbap';
  private readonly outstanding = new Map<number, Transaction>();
  private nextTransactionId = 1;
  /** The start of a frame whose end has not arrived yet. */
  private rest: Buffer | undefined;
  private open = true;
  private closedByUs = false;
  private lostReason: LostReason = 'disconnected';
  private lostListener: ((reason: LostReason) => void) | undefined;
  private readonly closed: Promise<void>;

  private constructor(private readonly socket: Socket) {
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => this.received(chunk));
    socket.on('error', () => {});
    socket.once('close', () => this.ended());
  }

  static connect(host: string, port: number, timeoutMs: number): Promise<MbapClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(Object.assign(new Error(`connect timed out after ${timeoutMs} ms`), { code: 'ETIMEDOUT' }));
      }, timeoutMs);
      const failed = (err: Error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(err);
      };
      socket.once('error', failed);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', failed);
        // Each request goes out at once instead of waiting for the previous answer's ACK.
        socket.setNoDelay(true);
        resolve(new MbapClient(socket));
      });
    });
  }

  get isOpen(): boolean {
    return this.open;
  }

  get frameEnds(): Socket {
    return this.socket;
  }

  onLost(listener: (reason: LostReason) => void): void {
    this.lostListener = listener;
  }

  discardInput(): void {
    // Answers carry transaction ids: one that arrives late matches nothing and is dropped.
  }

  close(): Promise<void> {
    this.closedByUs = true;
    this.socket.destroy();
    return this.closed;
  }

  read(fc: ReadFunction, unitId: number, start: number, count: number, timeoutMs: number): Promise<Buffer> {
    const frame = this.frame(unitId, fc, 6);
    frame.writeUInt16BE(start, 8);
    frame.writeUInt16BE(count, 10);
    return this.send(frame, timeoutMs, unitId, fc, fc <= 2 ? Math.ceil(count / 8) : 2 * count, -1, -1);
  }

  async writeRegisters(unitId: number, start: number, values: readonly number[], timeoutMs: number): Promise<void> {
    if (values.length === 1) {
      const frame = this.frame(unitId, 6, 6);
      frame.writeUInt16BE(start, 8);
      frame.writeUInt16BE(values[0] as number, 10);
      await this.send(frame, timeoutMs, unitId, 6, -1, start, -1);
      return;
    }
    const frame = this.frame(unitId, 16, 7 + 2 * values.length);
    frame.writeUInt16BE(start, 8);
    frame.writeUInt16BE(values.length, 10);
    frame[12] = 2 * values.length;
    for (let i = 0; i < values.length; i++) frame.writeUInt16BE(values[i] as number, 13 + 2 * i);
    await this.send(frame, timeoutMs, unitId, 16, -1, start, values.length);
  }

  async writeCoils(unitId: number, start: number, values: readonly boolean[], timeoutMs: number): Promise<void> {
    if (values.length === 1) {
      const frame = this.frame(unitId, 5, 6);
      frame.writeUInt16BE(start, 8);
      frame.writeUInt16BE(values[0] ? 0xff00 : 0x0000, 10);
      await this.send(frame, timeoutMs, unitId, 5, -1, start, -1);
      return;
    }
    const bytes = Math.ceil(values.length / 8);
    const frame = this.frame(unitId, 15, 7 + bytes);
    frame.writeUInt16BE(start, 8);
    frame.writeUInt16BE(values.length, 10);
    frame[12] = bytes;
    frame.fill(0, 13);
    for (let i = 0; i < values.length; i++) {
      if (values[i]) frame[13 + (i >> 3)] = (frame[13 + (i >> 3)] as number) | (1 << (i & 7));
    }
    await this.send(frame, timeoutMs, unitId, 15, -1, start, values.length);
  }

  /** A request frame with its MBAP header, unit id and function code written; `length` counts from the unit id. */
  private frame(unitId: number, fc: number, length: number): Buffer {
    const frame = Buffer.allocUnsafe(HEADER + length);
    frame.writeUInt16BE(0, 2);
    frame.writeUInt16BE(length, 4);
    frame[6] = unitId;
    frame[7] = fc;
    return frame;
  }

  private send(
    frame: Buffer,
    timeoutMs: number,
    unitId: number,
    fc: number,
    dataBytes: number,
    echoAddress: number,
    echoQuantity: number,
  ): Promise<Buffer> {
    if (!this.open) return Promise.reject(new GatewayError('disconnected', 'the link is not connected'));
    const id = this.takeTransactionId();
    frame.writeUInt16BE(id, 0);
    return new Promise<Buffer>((resolve, reject) => {
      const tx: Transaction = { unitId, fc, dataBytes, echoAddress, echoQuantity, resolve, reject, timer: undefined };
      tx.timer = setTimeout(() => {
        this.outstanding.delete(id);
        reject(new GatewayError('timeout', 'the device did not answer in time'));
      }, timeoutMs);
      this.outstanding.set(id, tx);
      this.socket.write(frame);
    });
  }

  /** Transaction ids run 1..65535 and skip one still outstanding (only possible after a wrap). */
  private takeTransactionId(): number {
    let id = this.nextTransactionId;
    while (this.outstanding.has(id)) id = (id % 0xffff) + 1;
    this.nextTransactionId = (id % 0xffff) + 1;
    return id;
  }

  private received(chunk: Buffer): void {
    let bytes = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    this.rest = undefined;
    let at = 0;
    while (bytes.length - at >= HEADER) {
      const protocol = bytes.readUInt16BE(at + 2);
      const length = bytes.readUInt16BE(at + 4);
      if (protocol !== 0 || length < 2 || length > MAX_MBAP_LENGTH) {
        this.lostFraming();
        return;
      }
      const end = at + HEADER + length;
      if (end > bytes.length) break;
      this.answered(bytes.readUInt16BE(at), bytes, at + HEADER, end);
      at = end;
    }
    if (at < bytes.length) bytes = bytes.subarray(at);
    else return;
    this.rest = bytes;
  }

  /** One whole answer: bytes[start] is its unit id, bytes[start + 1] its function code. */
  private answered(id: number, bytes: Buffer, start: number, end: number): void {
    const tx = this.outstanding.get(id);
    if (!tx) return;
    this.outstanding.delete(id);
    clearTimeout(tx.timer);
    const unitId = bytes[start] as number;
    const fc = bytes[start + 1] as number;
    if (unitId !== tx.unitId) {
      tx.reject(mismatch(`an answer from unit ${unitId} to a request for unit ${tx.unitId}`));
    } else if (fc === (tx.fc | 0x80)) {
      const code = end - start >= 3 ? (bytes[start + 2] as number) : undefined;
      if (code === undefined) tx.reject(mismatch('an exception answer without its exception code'));
      else tx.reject(new GatewayError(modbusExceptionCode(code), `the device answered with Modbus exception ${code}`));
    } else if (fc !== tx.fc) {
      tx.reject(mismatch(`an answer with function code ${fc} to a request with function code ${tx.fc}`));
    } else if (tx.dataBytes >= 0) {
      const byteCount = end - start >= 3 ? (bytes[start + 2] as number) : -1;
      if (byteCount !== tx.dataBytes || end - start !== 3 + byteCount) {
        tx.reject(mismatch(`asked for ${tx.dataBytes} data bytes, the answer carries ${Math.max(0, end - start - 3)}`));
      } else tx.resolve(bytes.subarray(start + 3, end));
    } else if (end - start !== 6 || bytes.readUInt16BE(start + 2) !== tx.echoAddress) {
      tx.reject(mismatch(`the answer does not echo the write to address ${tx.echoAddress}`));
    } else if (tx.echoQuantity >= 0 && bytes.readUInt16BE(start + 4) !== tx.echoQuantity) {
      tx.reject(
        mismatch(`the answer confirms ${bytes.readUInt16BE(start + 4)} values written, not ${tx.echoQuantity}`),
      );
    } else tx.resolve(NO_DATA);
  }

  /** The stream cannot be resynchronised: everything after a bad header is unframed. */
  private lostFraming(): void {
    this.lostReason = 'bad-response';
    this.socket.destroy();
  }

  private ended(): void {
    this.open = false;
    this.rest = undefined;
    const reason = this.lostReason;
    for (const tx of this.outstanding.values()) {
      clearTimeout(tx.timer);
      tx.reject(new GatewayError(reason, 'the connection closed while the request was outstanding'));
    }
    this.outstanding.clear();
    if (!this.closedByUs) this.lostListener?.(reason);
  }
}

function mismatch(what: string): GatewayError {
  return new GatewayError('bad-response', `the device sent ${what}`);
}
