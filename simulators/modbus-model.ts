/**
 * In-memory data of a simulated Modbus device: one full 64 Ki address space per area and unit,
 * plus the ranges that actually "exist" (a real PLC answers exception 2 outside its map).
 */

export type RegisterArea = 'hr' | 'ir';
export type BitArea = 'coil' | 'di';
export type ModbusArea = RegisterArea | BitArea;
/** SPEC §3.1 byte orders, named by where the big-endian bytes A B C D end up. */
export type ByteOrder = 'ABCD' | 'CDAB' | 'BADC' | 'DCBA';

/** Called after a Modbus request changed data, so simulations can react at once. */
export type WriteListener = (unitId: number, area: ModbusArea, address: number, count: number) => void;

interface Range {
  start: number;
  /** Exclusive. */
  end: number;
}

const ADDRESS_SPACE = 0x10000;

/** One unit (slave id): its four areas and their mapped ranges. */
export class ModbusUnitData {
  readonly hr = new Uint16Array(ADDRESS_SPACE);
  readonly ir = new Uint16Array(ADDRESS_SPACE);
  readonly coil = new Uint8Array(ADDRESS_SPACE);
  readonly di = new Uint8Array(ADDRESS_SPACE);
  private readonly ranges: Record<ModbusArea, Range[]> = { hr: [], ir: [], coil: [], di: [] };

  /** Makes `count` addresses from `start` accessible over the protocol. */
  map(area: ModbusArea, start: number, count: number): this {
    checkSpan(start, count);
    // Kept sorted and merged, so a request is valid iff it lies inside a single range.
    const merged = [...this.ranges[area], { start, end: start + count }].sort((a, b) => a.start - b.start);
    const out: Range[] = [];
    for (const r of merged) {
      const last = out[out.length - 1];
      if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
      else out.push({ ...r });
    }
    this.ranges[area] = out;
    return this;
  }

  /** True when every address in [start, start + count) is mapped. */
  isMapped(area: ModbusArea, start: number, count: number): boolean {
    const end = start + count;
    for (const r of this.ranges[area]) {
      if (start >= r.start && end <= r.end) return true;
    }
    return false;
  }

  /** The merged mapped ranges of an area, `end` exclusive. */
  mappedRanges(area: ModbusArea): ReadonlyArray<Readonly<Range>> {
    return this.ranges[area];
  }
}

function checkSpan(address: number, count: number): void {
  if (!Number.isInteger(address) || !Number.isInteger(count) || address < 0 || count < 1) {
    throw new RangeError(`invalid Modbus span ${address}+${count}`);
  }
  if (address + count > ADDRESS_SPACE) throw new RangeError(`Modbus span ${address}+${count} exceeds 65536`);
}

// One scratch buffer for the typed helpers: they run on timers, never re-entrantly.
const scratch = Buffer.alloc(8);

/** All units of a simulated device (or of a gateway with several units behind it). */
export class ModbusDataModel {
  private readonly unitMap = new Map<number, ModbusUnitData>();
  private readonly listeners: WriteListener[] = [];

  /** Creates the unit (or returns the existing one). */
  addUnit(unitId: number): ModbusUnitData {
    if (!Number.isInteger(unitId) || unitId < 0 || unitId > 255) throw new RangeError(`invalid unit id ${unitId}`);
    let unit = this.unitMap.get(unitId);
    if (!unit) {
      unit = new ModbusUnitData();
      this.unitMap.set(unitId, unit);
    }
    return unit;
  }

  unit(unitId: number): ModbusUnitData | undefined {
    return this.unitMap.get(unitId);
  }

  hasUnit(unitId: number): boolean {
    return this.unitMap.has(unitId);
  }

  /** Unit ids, ascending. */
  units(): number[] {
    return [...this.unitMap.keys()].sort((a, b) => a - b);
  }

  map(unitId: number, area: ModbusArea, start: number, count: number): this {
    this.need(unitId).map(area, start, count);
    return this;
  }

  onWrite(listener: WriteListener): void {
    this.listeners.push(listener);
  }

  /** Tells listeners that a protocol write changed data (the frame handler calls this). */
  notifyWrite(unitId: number, area: ModbusArea, address: number, count: number): void {
    for (const listener of this.listeners) listener(unitId, area, address, count);
  }

  getRegister(unitId: number, area: RegisterArea, address: number): number {
    checkSpan(address, 1);
    return this.need(unitId)[area][address] ?? 0;
  }

  setRegister(unitId: number, area: RegisterArea, address: number, value: number): void {
    checkSpan(address, 1);
    this.need(unitId)[area][address] = value & 0xffff;
  }

  getRegisters(unitId: number, area: RegisterArea, address: number, count: number): number[] {
    checkSpan(address, count);
    return Array.from(this.need(unitId)[area].subarray(address, address + count));
  }

  setRegisters(unitId: number, area: RegisterArea, address: number, values: ArrayLike<number>): void {
    checkSpan(address, values.length);
    const regs = this.need(unitId)[area];
    for (let i = 0; i < values.length; i++) regs[address + i] = (values[i] ?? 0) & 0xffff;
  }

  getBit(unitId: number, area: BitArea, address: number): boolean {
    checkSpan(address, 1);
    return this.need(unitId)[area][address] === 1;
  }

  setBit(unitId: number, area: BitArea, address: number, value: boolean): void {
    checkSpan(address, 1);
    this.need(unitId)[area][address] = value ? 1 : 0;
  }

  /** Stores big-endian `bytes` (even length) as registers in the given byte order (SPEC §3.1 table). */
  setBytes(unitId: number, area: RegisterArea, address: number, bytes: Uint8Array, order: ByteOrder = 'ABCD'): void {
    const words = bytes.length >> 1;
    checkSpan(address, words);
    const regs = this.need(unitId)[area];
    const wordSwap = order === 'CDAB' || order === 'DCBA';
    const byteSwap = order === 'BADC' || order === 'DCBA';
    for (let w = 0; w < words; w++) {
      const hi = bytes[2 * w] ?? 0;
      const lo = bytes[2 * w + 1] ?? 0;
      regs[address + (wordSwap ? words - 1 - w : w)] = byteSwap ? (lo << 8) | hi : (hi << 8) | lo;
    }
  }

  /** Reads `byteLength` (even) bytes back into big-endian order; inverse of setBytes. */
  getBytes(unitId: number, area: RegisterArea, address: number, byteLength: number, order: ByteOrder = 'ABCD'): Buffer {
    const words = byteLength >> 1;
    checkSpan(address, words);
    const regs = this.need(unitId)[area];
    const wordSwap = order === 'CDAB' || order === 'DCBA';
    const byteSwap = order === 'BADC' || order === 'DCBA';
    const out = Buffer.alloc(words * 2);
    for (let w = 0; w < words; w++) {
      const reg = regs[address + (wordSwap ? words - 1 - w : w)] ?? 0;
      out[2 * w] = byteSwap ? reg & 0xff : reg >> 8;
      out[2 * w + 1] = byteSwap ? reg >> 8 : reg & 0xff;
    }
    return out;
  }

  setInt16(unitId: number, area: RegisterArea, address: number, value: number, order: ByteOrder = 'ABCD'): void {
    scratch.writeInt16BE(value);
    this.setBytes(unitId, area, address, scratch.subarray(0, 2), order);
  }

  setUint16(unitId: number, area: RegisterArea, address: number, value: number, order: ByteOrder = 'ABCD'): void {
    scratch.writeUInt16BE(value);
    this.setBytes(unitId, area, address, scratch.subarray(0, 2), order);
  }

  setInt32(unitId: number, area: RegisterArea, address: number, value: number, order: ByteOrder = 'ABCD'): void {
    scratch.writeInt32BE(value);
    this.setBytes(unitId, area, address, scratch.subarray(0, 4), order);
  }

  setUint32(unitId: number, area: RegisterArea, address: number, value: number, order: ByteOrder = 'ABCD'): void {
    scratch.writeUInt32BE(value);
    this.setBytes(unitId, area, address, scratch.subarray(0, 4), order);
  }

  setFloat32(unitId: number, area: RegisterArea, address: number, value: number, order: ByteOrder = 'ABCD'): void {
    scratch.writeFloatBE(value);
    this.setBytes(unitId, area, address, scratch.subarray(0, 4), order);
  }

  setFloat64(unitId: number, area: RegisterArea, address: number, value: number, order: ByteOrder = 'ABCD'): void {
    scratch.writeDoubleBE(value);
    this.setBytes(unitId, area, address, scratch, order);
  }

  setInt64(unitId: number, area: RegisterArea, address: number, value: bigint, order: ByteOrder = 'ABCD'): void {
    scratch.writeBigInt64BE(value);
    this.setBytes(unitId, area, address, scratch, order);
  }

  setUint64(unitId: number, area: RegisterArea, address: number, value: bigint, order: ByteOrder = 'ABCD'): void {
    scratch.writeBigUInt64BE(value);
    this.setBytes(unitId, area, address, scratch, order);
  }

  /** Writes `text` as ASCII/UTF-8 into `byteLength` bytes, NUL padded; high byte first unless BADC/DCBA. */
  setString(
    unitId: number,
    area: RegisterArea,
    address: number,
    text: string,
    byteLength: number,
    order: ByteOrder = 'ABCD',
  ): void {
    const bytes = Buffer.alloc(byteLength + (byteLength & 1));
    bytes.write(text, 0, byteLength, 'utf8');
    // Strings never swap words (SPEC §3.1): write register by register.
    const perRegister: ByteOrder = order === 'BADC' || order === 'DCBA' ? 'BADC' : 'ABCD';
    this.setBytes(unitId, area, address, bytes, perRegister);
  }

  getInt16(unitId: number, area: RegisterArea, address: number, order: ByteOrder = 'ABCD'): number {
    return this.getBytes(unitId, area, address, 2, order).readInt16BE();
  }

  getInt32(unitId: number, area: RegisterArea, address: number, order: ByteOrder = 'ABCD'): number {
    return this.getBytes(unitId, area, address, 4, order).readInt32BE();
  }

  getUint32(unitId: number, area: RegisterArea, address: number, order: ByteOrder = 'ABCD'): number {
    return this.getBytes(unitId, area, address, 4, order).readUInt32BE();
  }

  getFloat32(unitId: number, area: RegisterArea, address: number, order: ByteOrder = 'ABCD'): number {
    return this.getBytes(unitId, area, address, 4, order).readFloatBE();
  }

  getFloat64(unitId: number, area: RegisterArea, address: number, order: ByteOrder = 'ABCD'): number {
    return this.getBytes(unitId, area, address, 8, order).readDoubleBE();
  }

  getInt64(unitId: number, area: RegisterArea, address: number, order: ByteOrder = 'ABCD'): bigint {
    return this.getBytes(unitId, area, address, 8, order).readBigInt64BE();
  }

  getUint64(unitId: number, area: RegisterArea, address: number, order: ByteOrder = 'ABCD'): bigint {
    return this.getBytes(unitId, area, address, 8, order).readBigUInt64BE();
  }

  /** Reads a NUL/space padded string; inverse of setString. */
  getString(
    unitId: number,
    area: RegisterArea,
    address: number,
    byteLength: number,
    order: ByteOrder = 'ABCD',
  ): string {
    const perRegister: ByteOrder = order === 'BADC' || order === 'DCBA' ? 'BADC' : 'ABCD';
    const bytes = this.getBytes(unitId, area, address, byteLength + (byteLength & 1), perRegister);
    return bytes
      .subarray(0, byteLength)
      .toString('utf8')
      .replace(/[\0 ]+$/, '');
  }

  private need(unitId: number): ModbusUnitData {
    const unit = this.unitMap.get(unitId);
    if (!unit) throw new RangeError(`no Modbus unit ${unitId} in the model`);
    return unit;
  }
}
