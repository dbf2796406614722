/**
 * The simulated PLC's memory: process inputs (I), outputs (Q), merkers (M) and data blocks,
 * as big-endian bytes. Reads and writes answer with S7 item return codes, as a CPU does.
 */

export type S7Area = 'I' | 'Q' | 'M' | 'DB';

/** S7 item return codes. */
export const RETURN = {
  ok: 0xff,
  accessDenied: 0x03,
  outOfRange: 0x05,
  typeNotSupported: 0x06,
  noObject: 0x0a,
} as const;

export type Access = { code: number; data?: Buffer };

export class S7Memory {
  readonly inputs: Buffer;
  readonly outputs: Buffer;
  readonly merkers: Buffer;
  private readonly dbs = new Map<number, Buffer>();
  private readonly writeListeners: Array<(area: S7Area, db: number, start: number) => void> = [];

  constructor(sizes: { inputs: number; outputs: number; merkers: number }) {
    this.inputs = Buffer.alloc(sizes.inputs);
    this.outputs = Buffer.alloc(sizes.outputs);
    this.merkers = Buffer.alloc(sizes.merkers);
  }

  addDb(db: number, bytes: number): Buffer {
    const data = Buffer.alloc(bytes);
    this.dbs.set(db, data);
    return data;
  }

  db(db: number): Buffer | undefined {
    return this.dbs.get(db);
  }

  /** Called after every write from a client (e.g. to mirror a setpoint). */
  onWrite(listener: (area: S7Area, db: number, start: number) => void): void {
    this.writeListeners.push(listener);
  }

  private block(area: S7Area, db: number): Buffer | undefined {
    if (area === 'I') return this.inputs;
    if (area === 'Q') return this.outputs;
    if (area === 'M') return this.merkers;
    return this.dbs.get(db);
  }

  read(area: S7Area, db: number, start: number, bytes: number): Access {
    const block = this.block(area, db);
    if (!block) return { code: RETURN.noObject };
    if (start + bytes > block.length) return { code: RETURN.outOfRange };
    return { code: RETURN.ok, data: Buffer.from(block.subarray(start, start + bytes)) };
  }

  readBit(area: S7Area, db: number, start: number, bit: number): Access {
    const read = this.read(area, db, start, 1);
    if (!read.data) return read;
    return { code: RETURN.ok, data: Buffer.from([((read.data[0] as number) >> bit) & 1]) };
  }

  /** Process inputs come from the field: a client cannot write them here. */
  write(area: S7Area, db: number, start: number, data: Buffer): number {
    if (area === 'I') return RETURN.accessDenied;
    const block = this.block(area, db);
    if (!block) return RETURN.noObject;
    if (start + data.length > block.length) return RETURN.outOfRange;
    data.copy(block, start);
    for (const l of this.writeListeners) l(area, db, start);
    return RETURN.ok;
  }

  writeBit(area: S7Area, db: number, start: number, bit: number, on: boolean): number {
    if (area === 'I') return RETURN.accessDenied;
    const block = this.block(area, db);
    if (!block) return RETURN.noObject;
    if (start >= block.length) return RETURN.outOfRange;
    const mask = 1 << bit;
    block[start] = on ? (block[start] as number) | mask : (block[start] as number) & ~mask;
    for (const l of this.writeListeners) l(area, db, start);
    return RETURN.ok;
  }
}
