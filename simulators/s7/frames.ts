/**
 * The server side of S7comm over ISO-on-TCP for the simulator: a COTP connection request is
 * confirmed (or refused for another rack/slot), Setup Communication grants a PDU size, Read
 * Var and Write Var are served from S7Memory. Written apart from the driver's client, so that
 * the two check each other.
 */
import { RETURN, type S7Area, type S7Memory } from './memory.js';

const AREAS: Record<number, S7Area> = { 129: 'I', 130: 'Q', 131: 'M', 132: 'DB' };
/** Bytes per element of each S7ANY transport size (BIT is handled apart). */
const ELEMENT_BYTES: Record<number, number> = { 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 4, 8: 4 };
const MAX_ITEMS = 20;

/** A request that breaks the protocol: the connection is closed. */
export class ProtocolError extends Error {}

export interface SessionOptions {
  memory: S7Memory;
  /** Rack and slot this CPU answers to (a remote TSAP whose low byte is rack × 32 + slot). */
  rack: number;
  slot: number;
  maxPdu: number;
}

function tpkt(body: Buffer): Buffer {
  const frame = Buffer.alloc(4 + body.length);
  frame[0] = 3;
  frame.writeUInt16BE(frame.length, 2);
  body.copy(frame, 4);
  return frame;
}

function dataFrame(pdu: Buffer): Buffer {
  return tpkt(Buffer.concat([Buffer.from([2, 0xf0, 0x80]), pdu]));
}

function ackData(ref: number, param: Buffer, data: Buffer, errorClass = 0, errorCode = 0): Buffer {
  const header = Buffer.alloc(12);
  header[0] = 0x32;
  header[1] = 0x03;
  header.writeUInt16BE(ref, 4);
  header.writeUInt16BE(param.length, 6);
  header.writeUInt16BE(data.length, 8);
  header[10] = errorClass;
  header[11] = errorCode;
  return Buffer.concat([header, param, data]);
}

/** One client connection's state: before COTP, before Setup Communication, then jobs. */
export class S7Session {
  private pduSize = 0;
  private connected = false;
  requests = 0;

  constructor(private readonly opts: SessionOptions) {}

  /** Answers one TPKT frame; undefined = no answer. Throws ProtocolError to close the connection. */
  handle(frame: Buffer): Buffer | undefined {
    if (frame.length < 7) throw new ProtocolError('frame too short');
    const cotpLength = frame[4] as number;
    const type = (frame[5] as number) & 0xf0;
    if (5 + cotpLength > frame.length) throw new ProtocolError('COTP length out of bounds');
    if (type === 0xe0) return this.connect(frame.subarray(5, 5 + cotpLength));
    if (type !== 0xf0 || !this.connected) throw new ProtocolError('expected a connection request first');
    return this.job(frame.subarray(5 + cotpLength));
  }

  private connect(cotp: Buffer): Buffer {
    let remoteTsap: number | undefined;
    for (let at = 6; at + 2 <= cotp.length; ) {
      const code = cotp[at] as number;
      const length = cotp[at + 1] as number;
      if (code === 0xc2 && length === 2) remoteTsap = cotp.readUInt16BE(at + 2);
      at += 2 + length;
    }
    const expected = ((this.opts.rack & 7) << 5) | (this.opts.slot & 0x1f);
    if (remoteTsap === undefined || (remoteTsap & 0xff) !== expected) {
      // Disconnect request: no CPU at this rack/slot.
      return tpkt(Buffer.from([6, 0x80, 0, 0, 0, 1, 0]));
    }
    this.connected = true;
    // cotp: type, destination ref (2), source ref (2), class, parameters. The confirm swaps the refs.
    return tpkt(Buffer.from([cotp.length, 0xd0, ...cotp.subarray(3, 5), 0, 1, cotp[5] as number, ...cotp.subarray(6)]));
  }

  private job(pdu: Buffer): Buffer {
    if (pdu.length < 10 || pdu[0] !== 0x32 || pdu[1] !== 0x01) throw new ProtocolError('not an S7 job');
    const ref = pdu.readUInt16BE(4);
    const paramLength = pdu.readUInt16BE(6);
    const dataLength = pdu.readUInt16BE(8);
    if (10 + paramLength + dataLength !== pdu.length || paramLength < 1) {
      throw new ProtocolError('S7 lengths do not match the frame');
    }
    const param = pdu.subarray(10, 10 + paramLength);
    const data = pdu.subarray(10 + paramLength);
    this.requests++;
    const fn = param[0];
    if (fn === 0xf0) return dataFrame(this.setup(ref, param));
    if (this.pduSize === 0) return dataFrame(ackData(ref, Buffer.from([fn ?? 0, 0]), Buffer.alloc(0), 0x81, 0x04));
    if (fn === 0x04) return dataFrame(this.read(ref, param));
    if (fn === 0x05) return dataFrame(this.write(ref, param, data));
    return dataFrame(ackData(ref, Buffer.from([fn ?? 0, 0]), Buffer.alloc(0), 0x81, 0x04));
  }

  private setup(ref: number, param: Buffer): Buffer {
    if (param.length < 8) throw new ProtocolError('short Setup Communication');
    this.pduSize = Math.max(240, Math.min(this.opts.maxPdu, param.readUInt16BE(6)));
    const answer = Buffer.from(param.subarray(0, 8));
    answer.writeUInt16BE(this.pduSize, 6);
    return ackData(ref, answer, Buffer.alloc(0));
  }

  private items(param: Buffer): Array<{ area?: S7Area; db: number; start: number; bit: number; bytes?: number }> {
    const count = param[1] as number;
    if (param.length !== 2 + 12 * count) throw new ProtocolError('item count does not match the parameter');
    const items = [];
    for (let i = 0; i < count; i++) {
      const spec = param.subarray(2 + 12 * i, 14 + 12 * i);
      if (spec[0] !== 0x12 || spec[2] !== 0x10) throw new ProtocolError('not an S7ANY item');
      const transport = spec[3] as number;
      const address = ((spec[9] as number) << 16) | ((spec[10] as number) << 8) | (spec[11] as number);
      const per = transport === 0x01 ? undefined : ELEMENT_BYTES[transport];
      items.push({
        area: AREAS[spec[8] as number],
        db: spec.readUInt16BE(6),
        start: address >> 3,
        bit: address & 7,
        bytes: transport === 0x01 ? undefined : per === undefined ? -1 : per * spec.readUInt16BE(4),
      });
    }
    return items;
  }

  private read(ref: number, param: Buffer): Buffer {
    const items = this.items(param);
    if (items.length > MAX_ITEMS) return ackData(ref, Buffer.from([0x04, 0]), Buffer.alloc(0), 0x85, 0x00);
    const parts: Buffer[] = [];
    let size = 14;
    items.forEach((item, i) => {
      const result = this.readItem(item);
      let part: Buffer;
      if (result.code !== RETURN.ok || !result.data) part = Buffer.from([result.code, 0, 0, 0]);
      else {
        const header = Buffer.from([RETURN.ok, item.bytes === undefined ? 0x03 : 0x04, 0, 0]);
        header.writeUInt16BE(item.bytes === undefined ? 1 : result.data.length * 8, 2);
        part = Buffer.concat([header, result.data]);
        if (result.data.length % 2 === 1 && i < items.length - 1) part = Buffer.concat([part, Buffer.alloc(1)]);
      }
      size += part.length;
      // An answer that would not fit the PDU: the item is refused, not sent.
      parts.push(size > this.pduSize ? Buffer.from([RETURN.outOfRange, 0, 0, 0]) : part);
    });
    return ackData(ref, Buffer.from([0x04, items.length]), Buffer.concat(parts));
  }

  private readItem(item: { area?: S7Area; db: number; start: number; bit: number; bytes?: number }) {
    if (!item.area) return { code: RETURN.typeNotSupported };
    if (item.bytes === undefined) return this.opts.memory.readBit(item.area, item.db, item.start, item.bit);
    if (item.bytes < 1) return { code: RETURN.typeNotSupported };
    return this.opts.memory.read(item.area, item.db, item.start, item.bytes);
  }

  private write(ref: number, param: Buffer, data: Buffer): Buffer {
    const items = this.items(param);
    const codes: number[] = [];
    let at = 0;
    items.forEach((item, i) => {
      if (at + 4 > data.length) throw new ProtocolError('write data truncated');
      const transport = data[at + 1] as number;
      const declared = data.readUInt16BE(at + 2);
      const length =
        transport === 0x03 || transport === 0x04 || transport === 0x05 ? Math.ceil(declared / 8) : declared;
      at += 4;
      if (at + length > data.length) throw new ProtocolError('write data truncated');
      const value = data.subarray(at, at + length);
      at += length + (length % 2 === 1 && i < items.length - 1 ? 1 : 0);
      if (!item.area) codes.push(RETURN.typeNotSupported);
      else if (item.bytes === undefined) {
        codes.push(this.opts.memory.writeBit(item.area, item.db, item.start, item.bit, (value[0] ?? 0) !== 0));
      } else if (item.bytes !== value.length) codes.push(0x07);
      else codes.push(this.opts.memory.write(item.area, item.db, item.start, Buffer.from(value)));
    });
    return ackData(ref, Buffer.from([0x05, items.length]), Buffer.from(codes));
  }
}
