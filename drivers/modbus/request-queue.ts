/** What a request on a link does: reads keep the schedule, writes have someone waiting. */
export type RequestKind = 'read' | 'write';

interface Waiter {
  deadline: number;
  seq: number;
  go: () => void;
}

/**
 * Admission to a link: at most `slots` requests at once. Waiting reads are let in earliest
 * deadline first (a group's deadline is when its next read is due), so on a slow shared line
 * every unit's schedule is kept as closely as the line allows; equal deadlines keep arrival
 * order. Writes go before reads, in arrival order — but while reads wait too, writes and
 * reads take turns, so that a burst of writes cannot starve the reads.
 */
export class DeadlineQueue {
  private active = 0;
  private seq = 0;
  private readonly reads: Waiter[] = [];
  private readonly writes: Waiter[] = [];
  /** The last request let in while reads were waiting was a write: the next turn is a read's. */
  private readsTurn = false;

  constructor(private slots: number) {}

  get pending(): number {
    return this.reads.length + this.writes.length;
  }

  get pendingWrites(): number {
    return this.writes.length;
  }

  /** Requests allowed at once. */
  get limit(): number {
    return this.slots;
  }

  /** Changes the number of requests allowed at once; those already admitted finish. */
  setLimit(slots: number): void {
    this.slots = slots;
    this.admit();
  }

  async acquire(deadline: number, kind: RequestKind = 'read'): Promise<void> {
    if (this.active < this.slots && this.pending === 0) {
      this.active++;
      return;
    }
    // The slot is taken on our behalf by admit() before `go` is called.
    await new Promise<void>((go) => {
      const entry = { deadline, seq: this.seq++, go };
      if (kind === 'write') {
        this.writes.push(entry);
        return;
      }
      // Sorted insert: reads on a link are short (one entry per group waiting).
      let i = this.reads.length;
      while (i > 0) {
        const prev = this.reads[i - 1] as Waiter;
        if (prev.deadline < deadline || (prev.deadline === deadline && prev.seq < entry.seq)) break;
        i--;
      }
      this.reads.splice(i, 0, entry);
    });
  }

  release(): void {
    this.active--;
    this.admit();
  }

  private admit(): void {
    while (this.active < this.slots) {
      const next = this.takeNext();
      if (!next) return;
      this.active++;
      next.go();
    }
  }

  private takeNext(): Waiter | undefined {
    if (this.writes.length > 0 && (this.reads.length === 0 || !this.readsTurn)) {
      this.readsTurn = this.reads.length > 0;
      return this.writes.shift();
    }
    this.readsTurn = false;
    return this.reads.shift();
  }
}
