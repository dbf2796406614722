/**
 * Capped exponential backoff with ±20 % jitter, so many gateways do not retry in step.
 * A delay is never longer than the cap (jitter at the cap only shortens it).
 */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly initialMs = 1000,
    private readonly maxMs = 30_000,
    private readonly random: () => number = Math.random,
  ) {}

  next(): number {
    const base = Math.min(this.maxMs, this.initialMs * 2 ** this.attempt);
    this.attempt++;
    const jitter = base * 0.2 * (this.random() * 2 - 1);
    return Math.min(this.maxMs, Math.max(0, Math.round(base + jitter)));
  }

  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}
