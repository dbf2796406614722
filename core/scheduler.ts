/**
 * Runs one group's read every `intervalMs`, measured start to start on a fixed
 * grid (no drift). Never two reads at once: a tick that finds the previous read
 * still running is skipped and counted as an overrun instead of queued.
 */
export class GroupSchedule {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = true;
  private nextAt = 0;
  /** Moves the grid once, after the first read, from the first read's moment onto the phase. */
  private shiftAfterFirstMs = 0;
  overruns = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly run: () => Promise<void>,
    private readonly onOverrun: (total: number) => void,
  ) {}

  /**
   * Starts with a first read after `delayMs`; later reads fall on the grid
   * `start + phaseMs + k·intervalMs` (so many groups with one interval can be spread over it
   * while each still reads at once on start). The read after the first comes at least one
   * interval later, never as a quick second read.
   */
  start(delayMs = 0, phaseMs = delayMs): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.nextAt = performance.now() + delayMs;
    const shift = (phaseMs - delayMs) % this.intervalMs;
    this.shiftAfterFirstMs = shift < 0 ? shift + this.intervalMs : shift;
    this.timer = setTimeout(this.tick, delayMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  get busy(): boolean {
    return this.running;
  }

  private readonly tick = (): void => {
    if (this.stopped) return;
    if (this.running) {
      this.overruns++;
      this.onOverrun(this.overruns);
    } else {
      this.running = true;
      this.run()
        .catch(() => undefined)
        .finally(() => {
          this.running = false;
        });
    }
    const now = performance.now();
    this.nextAt += this.intervalMs + this.shiftAfterFirstMs;
    this.shiftAfterFirstMs = 0;
    if (this.nextAt <= now) {
      // The loop was blocked past whole periods: skip them (each is an overrun) and stay on the grid.
      const missed = Math.floor((now - this.nextAt) / this.intervalMs) + 1;
      this.nextAt += missed * this.intervalMs;
      this.overruns += missed;
      this.onOverrun(this.overruns);
    }
    this.timer = setTimeout(this.tick, this.nextAt - now);
  };
}
