/**
 * Modbus server-side framing, free of I/O: answers request PDUs from a ModbusDataModel and
 * splits/builds the MBAP (TCP) and RTU envelopes, so TCP and serial servers share one core.
 */
import type { BitArea, ModbusDataModel, ModbusUnitData, RegisterArea } from './modbus-model.js';

export const ExceptionCode = {
  illegalFunction: 0x01,
  illegalDataAddress: 0x02,
  illegalDataValue: 0x03,
  /** Used only when asked about a unit the model does not have (the TCP server stays silent instead). */
  gatewayTargetFailed: 0x0b,
} as const;

// Limits from the Modbus Application Protocol spec (writes are smaller: they must fit in 253 PDU bytes).
export const MAX_READ_REGISTERS = 125;
export const MAX_READ_BITS = 2000;
export const MAX_WRITE_REGISTERS = 123;
export const MAX_WRITE_BITS = 1968;

const COIL_ON = 0xff00;

/** Answers one request PDU (function code + data) for `unitId`; returns the response PDU. */
export function handlePdu(model: ModbusDataModel, unitId: number, pdu: Buffer): Buffer {
  return respond(model, unitId, pdu, 0, 0);
}

/**
 * Like handlePdu, but the returned buffer has `head` free bytes before the PDU and `tail` after
 * it, so a transport writes its header/CRC in place instead of copying the answer once more.
 */
export function respond(model: ModbusDataModel, unitId: number, pdu: Buffer, head: number, tail: number): Buffer {
  const fc = pdu[0];
  if (fc === undefined) return exception(0, ExceptionCode.illegalFunction, head, tail);
  const unit = model.unit(unitId);
  if (!unit) return exception(fc, ExceptionCode.gatewayTargetFailed, head, tail);
  switch (fc) {
    case 1:
      return readBits(unit, 'coil', pdu, head, tail);
    case 2:
      return readBits(unit, 'di', pdu, head, tail);
    case 3:
      return readRegisters(unit, 'hr', pdu, head, tail);
    case 4:
      return readRegisters(unit, 'ir', pdu, head, tail);
    case 5:
      return writeSingleCoil(model, unitId, unit, pdu, head, tail);
    case 6:
      return writeSingleRegister(model, unitId, unit, pdu, head, tail);
    case 15:
      return writeMultipleCoils(model, unitId, unit, pdu, head, tail);
    case 16:
      return writeMultipleRegisters(model, unitId, unit, pdu, head, tail);
    default:
      return exception(fc, ExceptionCode.illegalFunction, head, tail);
  }
}

/** An exception answer to function `fc`, with `head`/`tail` free bytes as respond() leaves them. */
export function exception(fc: number, code: number, head: number, tail: number): Buffer {
  const out = Buffer.alloc(head + 2 + tail);
  out[head] = (fc | 0x80) & 0xff;
  out[head + 1] = code;
  return out;
}

/** Checks in the order the Modbus spec gives: quantity (03) before address (02). */
function checkRequest(
  unit: ModbusUnitData,
  area: RegisterArea | BitArea,
  address: number,
  quantity: number,
  max: number,
): number {
  if (quantity < 1 || quantity > max) return ExceptionCode.illegalDataValue;
  if (address + quantity > 0x10000 || !unit.isMapped(area, address, quantity)) return ExceptionCode.illegalDataAddress;
  return 0;
}

function readRegisters(unit: ModbusUnitData, area: RegisterArea, pdu: Buffer, head: number, tail: number): Buffer {
  const fc = pdu[0] ?? 0;
  if (pdu.length !== 5) return exception(fc, ExceptionCode.illegalDataValue, head, tail);
  const address = pdu.readUInt16BE(1);
  const quantity = pdu.readUInt16BE(3);
  const error = checkRequest(unit, area, address, quantity, MAX_READ_REGISTERS);
  if (error) return exception(fc, error, head, tail);
  // allocUnsafe (pooled) since every PDU byte is written below; only head/tail need zeroing.
  const out = Buffer.allocUnsafe(head + 2 + quantity * 2 + tail);
  out.fill(0, 0, head);
  out.fill(0, out.length - tail);
  out[head] = fc;
  out[head + 1] = quantity * 2;
  // Byte by byte from the typed array: no per-register objects on the hot path.
  const regs = unit[area];
  let o = head + 2;
  for (let i = address, end = address + quantity; i < end; i++) {
    const v = regs[i] ?? 0;
    out[o++] = v >> 8;
    out[o++] = v & 0xff;
  }
  return out;
}

function readBits(unit: ModbusUnitData, area: BitArea, pdu: Buffer, head: number, tail: number): Buffer {
  const fc = pdu[0] ?? 0;
  if (pdu.length !== 5) return exception(fc, ExceptionCode.illegalDataValue, head, tail);
  const address = pdu.readUInt16BE(1);
  const quantity = pdu.readUInt16BE(3);
  const error = checkRequest(unit, area, address, quantity, MAX_READ_BITS);
  if (error) return exception(fc, error, head, tail);
  const byteCount = (quantity + 7) >> 3;
  const out = Buffer.alloc(head + 2 + byteCount + tail);
  out[head] = fc;
  out[head + 1] = byteCount;
  const bits = unit[area];
  // Packed LSB first: bit i of the request is bit (i % 8) of byte (i / 8).
  for (let b = 0; b < byteCount; b++) {
    let byte = 0;
    for (let j = 0, i = b * 8; j < 8 && i < quantity; j++, i++) if (bits[address + i]) byte |= 1 << j;
    out[head + 2 + b] = byte;
  }
  return out;
}

/** FC5/FC6 answer with an echo of the request. */
function echo(pdu: Buffer, length: number, head: number, tail: number): Buffer {
  const out = Buffer.alloc(head + length + tail);
  pdu.copy(out, head, 0, length);
  return out;
}

function writeSingleCoil(
  model: ModbusDataModel,
  unitId: number,
  unit: ModbusUnitData,
  pdu: Buffer,
  head: number,
  tail: number,
): Buffer {
  if (pdu.length !== 5) return exception(5, ExceptionCode.illegalDataValue, head, tail);
  const address = pdu.readUInt16BE(1);
  const value = pdu.readUInt16BE(3);
  if (value !== COIL_ON && value !== 0) return exception(5, ExceptionCode.illegalDataValue, head, tail);
  if (!unit.isMapped('coil', address, 1)) return exception(5, ExceptionCode.illegalDataAddress, head, tail);
  unit.coil[address] = value === COIL_ON ? 1 : 0;
  model.notifyWrite(unitId, 'coil', address, 1);
  return echo(pdu, 5, head, tail);
}

function writeSingleRegister(
  model: ModbusDataModel,
  unitId: number,
  unit: ModbusUnitData,
  pdu: Buffer,
  head: number,
  tail: number,
): Buffer {
  if (pdu.length !== 5) return exception(6, ExceptionCode.illegalDataValue, head, tail);
  const address = pdu.readUInt16BE(1);
  if (!unit.isMapped('hr', address, 1)) return exception(6, ExceptionCode.illegalDataAddress, head, tail);
  unit.hr[address] = pdu.readUInt16BE(3);
  model.notifyWrite(unitId, 'hr', address, 1);
  return echo(pdu, 5, head, tail);
}

function writeMultipleCoils(
  model: ModbusDataModel,
  unitId: number,
  unit: ModbusUnitData,
  pdu: Buffer,
  head: number,
  tail: number,
): Buffer {
  if (pdu.length < 6) return exception(15, ExceptionCode.illegalDataValue, head, tail);
  const address = pdu.readUInt16BE(1);
  const quantity = pdu.readUInt16BE(3);
  const byteCount = pdu[5] ?? 0;
  if (byteCount !== (quantity + 7) >> 3 || pdu.length !== 6 + byteCount) {
    return exception(15, ExceptionCode.illegalDataValue, head, tail);
  }
  const error = checkRequest(unit, 'coil', address, quantity, MAX_WRITE_BITS);
  if (error) return exception(15, error, head, tail);
  for (let i = 0; i < quantity; i++) {
    unit.coil[address + i] = ((pdu[6 + (i >> 3)] ?? 0) >> (i & 7)) & 1;
  }
  model.notifyWrite(unitId, 'coil', address, quantity);
  return echo(pdu, 5, head, tail);
}

function writeMultipleRegisters(
  model: ModbusDataModel,
  unitId: number,
  unit: ModbusUnitData,
  pdu: Buffer,
  head: number,
  tail: number,
): Buffer {
  if (pdu.length < 6) return exception(16, ExceptionCode.illegalDataValue, head, tail);
  const address = pdu.readUInt16BE(1);
  const quantity = pdu.readUInt16BE(3);
  const byteCount = pdu[5] ?? 0;
  if (byteCount !== quantity * 2 || pdu.length !== 6 + byteCount) {
    return exception(16, ExceptionCode.illegalDataValue, head, tail);
  }
  const error = checkRequest(unit, 'hr', address, quantity, MAX_WRITE_REGISTERS);
  if (error) return exception(16, error, head, tail);
  for (let i = 0; i < quantity; i++) unit.hr[address + i] = pdu.readUInt16BE(6 + 2 * i);
  model.notifyWrite(unitId, 'hr', address, quantity);
  return echo(pdu, 5, head, tail);
}

// ---- Modbus TCP (MBAP) ----

export const MBAP_HEADER_LENGTH = 7;
/** MBAP `length` counts unit id + PDU; a PDU is at most 253 bytes. */
export const MBAP_MAX_LENGTH = 254;

export interface MbapFrame {
  transactionId: number;
  unitId: number;
  /** A view into the received bytes (not a copy). */
  pdu: Buffer;
}

export interface MbapParseResult {
  frames: MbapFrame[];
  /** Bytes of an incomplete frame, to prepend to the next chunk. */
  rest: Buffer;
  /** Set when the stream is not Modbus TCP; the connection should be closed. */
  error?: string;
}

/** Splits a received byte stream into complete MBAP frames; tolerates partial and multiple frames. */
export function parseMbapFrames(buffer: Buffer): MbapParseResult {
  const frames: MbapFrame[] = [];
  let offset = 0;
  while (buffer.length - offset >= 6) {
    const protocolId = buffer.readUInt16BE(offset + 2);
    const length = buffer.readUInt16BE(offset + 4);
    if (protocolId !== 0) {
      return { frames, rest: buffer.subarray(offset), error: `MBAP protocol id ${protocolId} is not 0 (Modbus)` };
    }
    if (length < 2 || length > MBAP_MAX_LENGTH) {
      return { frames, rest: buffer.subarray(offset), error: `MBAP length ${length} outside 2..${MBAP_MAX_LENGTH}` };
    }
    if (buffer.length - offset < 6 + length) break;
    frames.push({
      transactionId: buffer.readUInt16BE(offset),
      unitId: buffer[offset + 6] ?? 0,
      pdu: buffer.subarray(offset + MBAP_HEADER_LENGTH, offset + 6 + length),
    });
    offset += 6 + length;
  }
  return { frames, rest: buffer.subarray(offset) };
}

/** Fills the first 7 bytes of `adu` (built by respond(…, 7, 0)) with the MBAP header. */
export function writeMbapHeader(adu: Buffer, transactionId: number, unitId: number): Buffer {
  adu.writeUInt16BE(transactionId, 0);
  adu.writeUInt16BE(0, 2);
  adu.writeUInt16BE(adu.length - 6, 4);
  adu[6] = unitId;
  return adu;
}

export function buildMbapFrame(transactionId: number, unitId: number, pdu: Uint8Array): Buffer {
  const adu = Buffer.alloc(MBAP_HEADER_LENGTH + pdu.length);
  adu.set(pdu, MBAP_HEADER_LENGTH);
  return writeMbapHeader(adu, transactionId, unitId);
}

// ---- Modbus RTU ----

// Table-driven CRC-16/MODBUS (reflected polynomial 0xA001, init 0xFFFF): one lookup per byte.
const CRC_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/** CRC-16/MODBUS of data[start, end). On the wire it is sent low byte first. */
export function crc16(data: Uint8Array, start = 0, end = data.length): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) crc = (crc >>> 8) ^ (CRC_TABLE[(crc ^ (data[i] ?? 0)) & 0xff] ?? 0);
  return crc;
}

/** Fills byte 0 (unit id) and the last two bytes (CRC) of `adu` built by respond(…, 1, 2). */
export function writeRtuEnvelope(adu: Buffer, unitId: number): Buffer {
  adu[0] = unitId;
  adu.writeUInt16LE(crc16(adu, 0, adu.length - 2), adu.length - 2);
  return adu;
}

export function buildRtuAdu(unitId: number, pdu: Uint8Array): Buffer {
  const adu = Buffer.alloc(1 + pdu.length + 2);
  adu.set(pdu, 1);
  return writeRtuEnvelope(adu, unitId);
}

/** Unit id and PDU of an RTU frame, or undefined when it is too short or its CRC is wrong. */
export function parseRtuAdu(adu: Buffer): { unitId: number; pdu: Buffer } | undefined {
  if (adu.length < 4) return undefined;
  if (adu.readUInt16LE(adu.length - 2) !== crc16(adu, 0, adu.length - 2)) return undefined;
  return { unitId: adu[0] ?? 0, pdu: adu.subarray(1, adu.length - 2) };
}

/**
 * Length of the RTU request that starts `buffer`, so a serial server can cut frames without
 * relying only on the 3.5-character silence: 0 = need more bytes, -1 = unsupported function code.
 */
export function rtuRequestLength(buffer: Uint8Array): number {
  const fc = buffer[1];
  if (fc === undefined) return 0;
  if (fc >= 1 && fc <= 6) return 8;
  if (fc === 15 || fc === 16) {
    const byteCount = buffer[6];
    return byteCount === undefined ? 0 : 9 + byteCount;
  }
  return -1;
}
