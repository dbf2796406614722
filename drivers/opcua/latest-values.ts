/**
 * The newest DataValue per tag of a subscription, kept so that a tag's values never go back in
 * time: notifications and Reads arrive by different paths, and a notification sampled before a
 * Read can arrive after it.
 */
import type { DataValue } from 'node-opcua';
import { usable as ms } from './tag-value.js';

/**
 * True when `a` is known to be older than `b`: by source timestamps when both carry one, else by
 * server timestamps. Without comparable timestamps nothing is known, so nothing is older.
 */
export function isOlder(a: DataValue, b: DataValue): boolean {
  const [sa, sb] = [ms(a.sourceTimestamp), ms(b.sourceTimestamp)];
  if (sa !== undefined && sb !== undefined) return sa < sb;
  const [va, vb] = [ms(a.serverTimestamp), ms(b.serverTimestamp)];
  return va !== undefined && vb !== undefined && va < vb;
}

export class LatestValues {
  private readonly values: Array<DataValue | undefined>;
  /** When (performance.now()) the kept value came from a Read; undefined once a notification replaced it. */
  private readonly readAt: Array<number | undefined>;
  /** When a write to the tag's node succeeded; its value is unusable until a Read started after that. */
  private readonly writtenAt: Array<number | undefined>;

  /**
   * @param staleWindowMs how long after a Read an older notification is taken as sampled
   *   before it and dropped; later ones are kept even if older (the device's clock went back).
   */
  constructor(
    size: number,
    private readonly staleWindowMs: number,
  ) {
    this.values = new Array(size);
    this.readAt = new Array(size);
    this.writtenAt = new Array(size);
  }

  /** The newest value of tag `i`, or undefined when there is none or it predates a write. */
  get(i: number): DataValue | undefined {
    return this.writtenAt[i] === undefined ? this.values[i] : undefined;
  }

  /** A notification: kept unless it is older than a value read moments ago. */
  notified(i: number, dv: DataValue, now = performance.now()): void {
    const kept = this.values[i];
    const readAt = this.readAt[i];
    if (kept && readAt !== undefined && now - readAt < this.staleWindowMs && isOlder(dv, kept)) return;
    this.values[i] = dv;
    this.readAt[i] = undefined;
  }

  /**
   * A value read for tag `i` by a Read sent at `startedAt` (performance.now()). Kept unless the
   * value held is newer; returns whichever is newest, which is what the tag must show.
   */
  offerRead(i: number, dv: DataValue, startedAt: number, now = performance.now()): DataValue {
    const written = this.writtenAt[i];
    if (written !== undefined && startedAt >= written) this.writtenAt[i] = undefined;
    const kept = this.values[i];
    if (kept && isOlder(dv, kept)) return kept;
    this.values[i] = dv;
    this.readAt[i] = now;
    return dv;
  }

  /** A write to the tag's node succeeded: what is held may be from before it. */
  written(i: number, now = performance.now()): void {
    this.writtenAt[i] = now;
  }
}
