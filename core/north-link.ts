import { Backoff } from './backoff.js';

export type NorthLinkState = 'connecting' | 'connected' | 'disconnected';

export interface NorthLinkOptions {
  /** Wait a random time up to this before the first attempt (many gateways restarting together). */
  startDelayMaxMs?: number;
  /** First wait after a loss; it doubles per failed attempt … */
  initialDelayMs?: number;
  /** … up to this cap. */
  maxDelayMs?: number;
}

/** North apps retry every 1 s doubling to 30 s, as SPEC §4 promises for broker outages. */
const INITIAL_DELAY_MS = 1000;
const MAX_DELAY_MS = 30_000;

/**
 * A north app's connection, supervised by the core as device connections are: the plugin says
 * how to open it and reports what happens (`connected`, `lost`); the core keeps the state,
 * retries with capped, jittered backoff, and stops retrying when the app stops.
 */
export class NorthLink {
  private current: NorthLinkState = 'connecting';
  private readonly backoff: Backoff;
  private timer: NodeJS.Timeout | undefined;
  private retryAt: number | undefined;
  private running = false;
  private lostCount = 0;

  constructor(
    /** Starts one connection attempt; its outcome comes back as `connected()` or `lost()`. */
    private readonly open: () => void,
    private readonly options: NorthLinkOptions = {},
    private readonly random: () => number = Math.random,
  ) {
    this.backoff = new Backoff(options.initialDelayMs ?? INITIAL_DELAY_MS, options.maxDelayMs ?? MAX_DELAY_MS, random);
  }

  get state(): NorthLinkState {
    return this.current;
  }

  /** Connections lost (or attempts failed) since start, each followed by a retry. */
  get reconnects(): number {
    return this.lostCount;
  }

  /** While waiting to retry: when the next attempt is due (ms since epoch). */
  get nextRetryAt(): number | undefined {
    return this.retryAt;
  }

  /** The first attempt: at once, or after the random start delay. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.current = 'connecting';
    this.schedule(Math.round(this.random() * (this.options.startDelayMaxMs ?? 0)));
  }

  /** The plugin's connection is up: the next loss waits the shortest time again. */
  connected(): void {
    if (!this.running) return;
    this.backoff.reset();
    this.current = 'connected';
  }

  /** The connection was lost, or an attempt failed: another one after the backoff. */
  lost(): void {
    if (!this.running) return;
    this.current = 'disconnected';
    if (this.timer) return;
    this.lostCount++;
    this.schedule(this.backoff.next());
  }

  /** No more attempts; idempotent. */
  stop(): void {
    this.running = false;
    this.current = 'disconnected';
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.retryAt = undefined;
  }

  private schedule(delayMs: number): void {
    if (delayMs <= 0) {
      this.attempt();
      return;
    }
    this.retryAt = Date.now() + delayMs;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.retryAt = undefined;
      this.attempt();
    }, delayMs);
  }

  private attempt(): void {
    if (!this.running) return;
    this.current = 'connecting';
    this.open();
  }
}
