/**
 * S7comm over ISO-on-TCP (RFC 1006), the subset tagwire speaks: COTP connect, Setup
 * Communication, Read Var and Write Var. Builders make frames; parsers check every length
 * and field against the bytes actually received and throw S7FrameError on anything that does
 * not add up, so a malformed or truncated answer never becomes a value.
 */

/** TPKT (4) + COTP data header (3): what precedes every S7 PDU on the wire. */
export const FRAME_OVERHEAD = 7;
/** S7 header of a job (request). */
export const JOB_HEADER = 10;
/** S7 header of an ack-data answer: the job header plus error class and code. */
export const ACK_HEADER = 12;
/** One variable specification in a Read/Write Var request. */
export const ITEM_SPEC_BYTES = 12;
/** Header of one item's data in an answer (return code, transport size, length). */
export const ITEM_DATA_HEADER = 4;
/** Largest frame accepted: well above the largest PDU a PLC negotiates (960 on S7-1500). */
export const MAX_FRAME = 8192;

export const AREA_CODE = { I: 0x81, Q: 0x82, M: 0x83, DB: 0x84 } as const;
export type AreaLetter = keyof typeof AREA_CODE;

const FN_SETUP = 0xf0;
const FN_READ = 0x04;
const FN_WRITE = 0x05;
const ROSCTR_JOB = 0x01;
const ROSCTR_ACK = 0x02;
const ROSCTR_ACK_DATA = 0x03;
/** Transport sizes in a variable specification. */
const SPEC_BIT = 0x01;
const SPEC_BYTE = 0x02;
/** Transport sizes in an item's data: lengths in bits (BIT, BYTE/WORD/DWORD, INTEGER) or bytes. */
const DATA_BIT = 0x03;
const DATA_BYTE = 0x04;
const DATA_INTEGER = 0x05;
const DATA_REAL = 0x07;
const DATA_OCTETS = 0x09;
/** Item return code for success. */
export const ITEM_OK = 0xff;

/** The answer broke the protocol: the connection can no longer be trusted to be in step. */
export class S7FrameError extends Error {
  override name = 'S7FrameError';
}

/** What one item of a Read/Write Var addresses: bytes, or (with `bit`) one bit. */
export interface ItemSpec {
  area: AreaLetter;
  /** Data block number; 0 outside DB. */
  db: number;
  /** Byte offset. */
  start: number;
  /** Bytes to read (1 for a bit). */
  bytes: number;
  bit?: number | undefined;
}

/** TSAP of the PLC's CPU for PG-style connections: connection type 1, rack × 32 + slot. */
export function rackSlotTsap(rack: number, slot: number): number {
  return 0x0100 | ((rack & 0x07) << 5) | (slot & 0x1f);
}

function tpkt(body: Buffer): Buffer {
  const frame = Buffer.alloc(4 + body.length);
  frame[0] = 3;
  frame.writeUInt16BE(frame.length, 2);
  body.copy(frame, 4);
  return frame;
}

/** COTP Connection Request with source/destination TSAPs and a 1024-byte TPDU size. */
export function connectionRequest(localTsap: number, remoteTsap: number): Buffer {
  const cotp = Buffer.from([
    17,
    0xe0,
    0,
    0,
    0,
    1,
    0,
    0xc0,
    1,
    0x0a,
    0xc1,
    2,
    localTsap >> 8,
    localTsap & 0xff,
    0xc2,
    2,
    remoteTsap >> 8,
    remoteTsap & 0xff,
  ]);
  return tpkt(cotp);
}

/** Wraps an S7 PDU into TPKT + COTP DT (last data unit). */
export function dataFrame(pdu: Buffer): Buffer {
  const frame = Buffer.alloc(FRAME_OVERHEAD + pdu.length);
  frame[0] = 3;
  frame.writeUInt16BE(frame.length, 2);
  frame[4] = 2;
  frame[5] = 0xf0;
  frame[6] = 0x80;
  pdu.copy(frame, FRAME_OVERHEAD);
  return frame;
}

/** COTP PDU type of a frame: 0xD0 connection confirm, 0x80 disconnect request, 0xF0 data. */
export function cotpType(frame: Buffer): number {
  if (frame.length < 6) throw new S7FrameError('COTP header truncated');
  const cotpLength = frame[4] as number;
  if (cotpLength < 1 || 5 + cotpLength > frame.length) throw new S7FrameError('COTP header length out of bounds');
  return (frame[5] as number) & 0xf0;
}

/** The S7 PDU carried by a COTP data frame. */
export function s7Payload(frame: Buffer): Buffer {
  if (cotpType(frame) !== 0xf0) throw new S7FrameError(`expected a COTP data frame, got type 0x${hex(frame[5])}`);
  const start = 5 + (frame[4] as number);
  return frame.subarray(start);
}

function job(ref: number, param: Buffer, data?: Buffer): Buffer {
  const header = Buffer.alloc(JOB_HEADER);
  header[0] = 0x32;
  header[1] = ROSCTR_JOB;
  header.writeUInt16BE(ref, 4);
  header.writeUInt16BE(param.length, 6);
  header.writeUInt16BE(data?.length ?? 0, 8);
  return Buffer.concat(data ? [header, param, data] : [header, param]);
}

export function setupRequest(ref: number, pduSize: number, maxJobs = 1): Buffer {
  const param = Buffer.alloc(8);
  param[0] = FN_SETUP;
  param.writeUInt16BE(maxJobs, 2);
  param.writeUInt16BE(maxJobs, 4);
  param.writeUInt16BE(pduSize, 6);
  return job(ref, param);
}

function itemSpec(item: ItemSpec): Buffer {
  const spec = Buffer.alloc(ITEM_SPEC_BYTES);
  spec[0] = 0x12;
  spec[1] = 0x0a;
  spec[2] = 0x10; // S7ANY addressing
  const isBit = item.bit !== undefined;
  spec[3] = isBit ? SPEC_BIT : SPEC_BYTE;
  spec.writeUInt16BE(isBit ? 1 : item.bytes, 4);
  spec.writeUInt16BE(item.area === 'DB' ? item.db : 0, 6);
  spec[8] = AREA_CODE[item.area];
  const bitAddress = item.start * 8 + (item.bit ?? 0);
  spec[9] = (bitAddress >> 16) & 0xff;
  spec[10] = (bitAddress >> 8) & 0xff;
  spec[11] = bitAddress & 0xff;
  return spec;
}

export function readRequest(ref: number, items: ItemSpec[]): Buffer {
  const param = Buffer.concat([Buffer.from([FN_READ, items.length]), ...items.map(itemSpec)]);
  return job(ref, param);
}

/** Write Var: each item's data after a 4-byte header, padded to an even length between items. */
export function writeRequest(ref: number, items: Array<{ spec: ItemSpec; data: Buffer }>): Buffer {
  const param = Buffer.concat([Buffer.from([FN_WRITE, items.length]), ...items.map((i) => itemSpec(i.spec))]);
  const parts: Buffer[] = [];
  items.forEach(({ spec, data }, i) => {
    const header = Buffer.alloc(ITEM_DATA_HEADER);
    header[0] = 0;
    const isBit = spec.bit !== undefined;
    header[1] = isBit ? DATA_BIT : DATA_BYTE;
    header.writeUInt16BE(isBit ? 1 : data.length * 8, 2);
    parts.push(header, data);
    if (data.length % 2 === 1 && i < items.length - 1) parts.push(Buffer.alloc(1));
  });
  return job(ref, param, Buffer.concat(parts));
}

/** An ack-data answer's header fields, checked against the PDU's real length. */
export interface AckHeader {
  ref: number;
  errorClass: number;
  errorCode: number;
  param: Buffer;
  data: Buffer;
}

export function parseAck(pdu: Buffer): AckHeader {
  if (pdu.length < ACK_HEADER) throw new S7FrameError(`S7 answer of ${pdu.length} bytes is shorter than its header`);
  if (pdu[0] !== 0x32) throw new S7FrameError(`not an S7 PDU (protocol id 0x${hex(pdu[0])})`);
  const rosctr = pdu[1];
  if (rosctr !== ROSCTR_ACK_DATA && rosctr !== ROSCTR_ACK) {
    throw new S7FrameError(`expected an ack-data answer, got PDU type ${rosctr}`);
  }
  const paramLength = pdu.readUInt16BE(6);
  const dataLength = pdu.readUInt16BE(8);
  if (ACK_HEADER + paramLength + dataLength !== pdu.length) {
    throw new S7FrameError(
      `S7 answer says ${paramLength} parameter + ${dataLength} data bytes, but carries ${pdu.length - ACK_HEADER}`,
    );
  }
  return {
    ref: pdu.readUInt16BE(4),
    errorClass: pdu[10] as number,
    errorCode: pdu[11] as number,
    param: pdu.subarray(ACK_HEADER, ACK_HEADER + paramLength),
    data: pdu.subarray(ACK_HEADER + paramLength),
  };
}

/** The PDU size and parallel jobs the PLC granted. */
export function parseSetupResponse(ack: AckHeader): { pduSize: number; maxJobs: number } {
  const p = ack.param;
  if (p.length < 8 || p[0] !== FN_SETUP) throw new S7FrameError('malformed Setup Communication answer');
  const pduSize = p.readUInt16BE(6);
  if (pduSize < 64) throw new S7FrameError(`PLC granted a PDU of ${pduSize} bytes, too small to use`);
  return { pduSize, maxJobs: Math.max(1, p.readUInt16BE(4)) };
}

/** One item of a Read Var answer: its bytes, or the PLC's return code for it. */
export type ItemResult = { ok: true; data: Buffer } | { ok: false; returnCode: number };

/** Splits a Read Var answer into one result per requested item, checking each length. */
export function parseReadResponse(ack: AckHeader, items: readonly ItemSpec[]): ItemResult[] {
  const p = ack.param;
  if (p.length !== 2 || p[0] !== FN_READ) throw new S7FrameError('malformed Read Var answer parameter');
  if (p[1] !== items.length) throw new S7FrameError(`asked for ${items.length} items, the answer has ${p[1]}`);
  const data = ack.data;
  const results: ItemResult[] = [];
  let at = 0;
  items.forEach((item, i) => {
    if (at + ITEM_DATA_HEADER > data.length) throw new S7FrameError(`answer truncated at item ${i + 1}`);
    const returnCode = data[at] as number;
    const transport = data[at + 1] as number;
    const declared = data.readUInt16BE(at + 2);
    at += ITEM_DATA_HEADER;
    if (returnCode !== ITEM_OK) {
      // A failed item carries no data, whatever length it declares (Snap7 says 4, PLCs 0).
      results.push({ ok: false, returnCode });
      return;
    }
    const length = itemBytes(transport, declared);
    if (length !== item.bytes) throw new S7FrameError(`item ${i + 1}: asked for ${item.bytes} bytes, got ${length}`);
    if (at + length > data.length) throw new S7FrameError(`answer truncated in item ${i + 1}`);
    results.push({ ok: true, data: data.subarray(at, at + length) });
    at += length;
    if (length % 2 === 1 && i < items.length - 1) at++;
  });
  if (at < data.length && at + 1 !== data.length) throw new S7FrameError('unexpected bytes after the last item');
  return results;
}

function itemBytes(transport: number, declared: number): number {
  if (transport === DATA_BIT) return Math.ceil(declared / 8) || (declared === 0 ? 0 : 1);
  if (transport === DATA_BYTE || transport === DATA_INTEGER) return declared / 8;
  if (transport === DATA_OCTETS || transport === DATA_REAL || transport === 0) return declared;
  throw new S7FrameError(`unknown transport size 0x${hex(transport)}`);
}

/** One return code per item of a Write Var answer. */
export function parseWriteResponse(ack: AckHeader, count: number): number[] {
  const p = ack.param;
  if (p.length !== 2 || p[0] !== FN_WRITE) throw new S7FrameError('malformed Write Var answer parameter');
  if (p[1] !== count || ack.data.length !== count) {
    throw new S7FrameError(`wrote ${count} items, the answer has ${p[1]} with ${ack.data.length} return codes`);
  }
  return [...ack.data];
}

/**
 * Cuts a TCP byte stream into TPKT frames. A header that cannot be right (wrong version, a
 * length below the minimum or above MAX_FRAME) throws: the stream is out of step for good.
 */
export class FrameReader {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: Buffer[] = [];
    while (this.pending.length >= 4) {
      if (this.pending[0] !== 3) throw new S7FrameError(`not a TPKT frame (version ${this.pending[0]})`);
      const length = this.pending.readUInt16BE(2);
      if (length < 7 || length > MAX_FRAME) throw new S7FrameError(`TPKT length ${length} is out of bounds`);
      if (this.pending.length < length) break;
      frames.push(this.pending.subarray(0, length));
      this.pending = this.pending.subarray(length);
    }
    return frames;
  }
}

function hex(n: number | undefined): string {
  return (n ?? 0).toString(16).padStart(2, '0');
}
