/**
 * The message sequence number of one edge node (Sparkplug 3.0 §6.4.5): 0 in NBIRTH,
 * then +1 for every message of the node (DBIRTH, DDATA, DDEATH, NDATA), 255 wraps to 0.
 */
export class SeqCounter {
  private nextValue = 0;
  private lastValue: number | undefined;

  /** The next NBIRTH gets 0. */
  reset(): void {
    this.nextValue = 0;
  }

  next(): number {
    const value = this.nextValue;
    this.nextValue = (value + 1) % 256;
    this.lastValue = value;
    return value;
  }

  /** The seq of the last message sent, for the status API. */
  get last(): number | undefined {
    return this.lastValue;
  }
}
