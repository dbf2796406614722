/**
 * The answers the Modbus TCP I/O thread has sent and the main thread has not yet taken: every
 * answer is decoded and published there, and one it has no time for waits in the message queue,
 * older with every answer in front of it. So the thread starts a device's read only while that
 * backlog is within a bound; a read that finds it over waits (in order) until the main thread
 * has caught up, and the device is asked when its answer can be used at once. Only answers
 * count, not reads in progress: a device that is slow to answer, or does not answer at all,
 * holds back nobody else's reads.
 */
export class AnswerBacklog {
  /** Registers (a coil or discrete-input read counts its bits) sent and taken, since the thread started. */
  private sent = 0;
  private taken = 0;
  private readonly waiting: Array<() => void> = [];

  /** `limit`: registers of answers not yet taken above which new reads wait. */
  constructor(private readonly limit: number) {}

  /** Registers of answers sent and not yet taken. */
  get size(): number {
    return this.sent - this.taken;
  }

  /** Reads waiting now. */
  get waitingReads(): number {
    return this.waiting.length;
  }

  /** Resolves when a read may start: at once while the backlog is within the limit and nobody waits. */
  room(): Promise<void> {
    if (this.waiting.length === 0 && this.size <= this.limit) return Promise.resolve();
    return new Promise((go) => this.waiting.push(go));
  }

  /** An answer of `registers` was sent to the main thread. */
  answered(registers: number): void {
    this.sent += registers;
  }

  /** The main thread has taken `totalTaken` registers of answers in all (it counts them as they come). */
  takenUpTo(totalTaken: number): void {
    if (totalTaken <= this.taken) return;
    this.taken = Math.min(totalTaken, this.sent);
    if (this.size > this.limit) return;
    const ready = this.waiting.splice(0);
    for (const go of ready) go();
  }
}
