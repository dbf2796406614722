/**
 * Admission to a link: at most `slots` requests at once; waiting requests are let in
 * earliest deadline first (a group's deadline is when its next read is due), so on a
 * slow shared line every unit's schedule is kept as closely as the line allows.
 * Equal deadlines keep arrival order.
 */
export class DeadlineQueue {
  private active = 0;
  private seq = 0;
  private readonly waiting: Array<{ deadline: number; seq: number; go: () => void }> = [];

  constructor(private readonly slots: number) {}

  get pending(): number {
    return this.waiting.length;
  }

  async acquire(deadline: number): Promise<void> {
    if (this.active < this.slots && this.waiting.length === 0) {
      this.active++;
      return;
    }
    await new Promise<void>((go) => {
      const entry = { deadline, seq: this.seq++, go };
      // Sorted insert: queues on a link are short (one entry per group waiting).
      let i = this.waiting.length;
      while (i > 0) {
        const prev = this.waiting[i - 1] as { deadline: number; seq: number };
        if (prev.deadline < deadline || (prev.deadline === deadline && prev.seq < entry.seq)) break;
        i--;
      }
      this.waiting.splice(i, 0, entry);
    });
    this.active++;
  }

  release(): void {
    this.active--;
    const next = this.waiting.shift();
    next?.go();
  }
}
