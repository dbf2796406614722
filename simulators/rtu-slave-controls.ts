/**
 * What a test can set and observe on a simulated RTU slave: counters and fault injection. A
 * class of its own so that every connection of an RTU-over-TCP simulator can share one set.
 */
import { randomBytes } from 'node:crypto';
import { writeRtuEnvelope } from './modbus-frames.js';

function count(n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`fault count must be a non-negative integer, not ${n}`);
  return n;
}

export class RtuSlaveControls {
  /** Request frames with a good CRC (any unit id, broadcasts included). */
  requests = 0;
  /** Frames discarded because their CRC was wrong or they ended before their length. */
  crcErrors = 0;
  /** Delay before every answer, in ms (answers keep their order). */
  responseDelayMs = 0;
  /** These unit ids neither answer nor execute broadcasts, like a dead slave on the bus. */
  readonly silentUnits = new Set<number>();

  private corrupt = 0;
  private truncate = 0;
  private wrongUnit = 0;
  private drop = 0;
  private readonly stray: Array<number | Uint8Array> = [];

  /** The next `n` answers have a CRC byte flipped. */
  corruptNextResponses(n: number): void {
    this.corrupt += count(n);
  }

  /** The next `n` answers lose their second half (the master waits for bytes that never come). */
  truncateNextResponses(n: number): void {
    this.truncate += count(n);
  }

  /** The next `n` answers carry another unit id, with a CRC that matches it. */
  wrongUnitNext(n: number): void {
    this.wrongUnit += count(n);
  }

  /** The next `n` answers are computed (writes happen) but not sent. */
  dropNextResponses(n: number): void {
    this.drop += count(n);
  }

  /**
   * Line noise: `bytes` random bytes (or exactly the bytes given) are written right before the
   * next answer. Each call applies to one answer, in call order.
   */
  strayBytesBeforeNext(bytes: number | Uint8Array): void {
    this.stray.push(typeof bytes === 'number' ? count(bytes) : bytes);
  }

  /** Applies pending faults to one complete answer ADU: the bytes to send, or undefined if dropped. */
  applyFaults(adu: Buffer): Buffer | undefined {
    if (this.drop > 0) {
      this.drop--;
      return undefined;
    }
    let out = adu;
    if (this.wrongUnit > 0) {
      this.wrongUnit--;
      writeRtuEnvelope(out, ((out[0] ?? 0) % 247) + 1);
    }
    if (this.corrupt > 0) {
      this.corrupt--;
      out[out.length - 1] = (out[out.length - 1] ?? 0) ^ 0xff;
    }
    if (this.truncate > 0) {
      this.truncate--;
      out = out.subarray(0, Math.ceil(out.length / 2));
    }
    const junk = this.stray.shift();
    if (junk !== undefined) out = Buffer.concat([typeof junk === 'number' ? randomBytes(junk) : junk, out]);
    return out;
  }
}
