/** Wrong passwords a client address may try in a window before it is locked out. */
export const ADDRESS_FAILURE_LIMIT = 5;
/** Wrong passwords a user name may get, from any address, in a window: many addresses do not help. */
export const USERNAME_FAILURE_LIMIT = 10;
export const FAILURE_WINDOW_MS = 60_000;
/** Keys remembered at most; random user names from a flood must not grow memory without end. */
const MAX_KEYS = 10_000;

/** One password check in progress: counted as a failure until it is known to have succeeded. */
export interface Attempt {
  readonly keys: string[];
  readonly at: number;
}

/**
 * Failed password checks per client address and per user name in a sliding window.
 * An attempt is counted when it starts — before the slow password hash — so parallel
 * guesses cannot all slip in before the first failure is recorded. A correct password
 * only takes back its own attempt; it never clears earlier failures of anyone.
 */
export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();

  /**
   * Starts an attempt for `address` and `username`, or returns the seconds to wait
   * when either has used up its failures in the window.
   */
  begin(address: string, username: string, now = Date.now()): Attempt | { retryAfterSeconds: number } {
    const keys: Array<[string, number]> = [
      [`address:${address}`, ADDRESS_FAILURE_LIMIT],
      [`user:${username.slice(0, 128)}`, USERNAME_FAILURE_LIMIT],
    ];
    const wait = Math.max(...keys.map(([key, limit]) => this.waitSeconds(key, limit, now)));
    if (wait > 0) return { retryAfterSeconds: wait };
    for (const [key] of keys) this.record(key, now);
    return { keys: keys.map(([key]) => key), at: now };
  }

  /** The password was right: this attempt is not a failure. Earlier failures stay. */
  succeeded(attempt: Attempt): void {
    for (const key of attempt.keys) {
      const list = this.failures.get(key);
      const index = list?.indexOf(attempt.at) ?? -1;
      if (list && index >= 0) list.splice(index, 1);
      if (list?.length === 0) this.failures.delete(key);
    }
  }

  private recent(key: string, now: number): number[] {
    const recent = (this.failures.get(key) ?? []).filter((t) => now - t < FAILURE_WINDOW_MS);
    if (recent.length === 0) this.failures.delete(key);
    else this.failures.set(key, recent);
    return recent;
  }

  private waitSeconds(key: string, limit: number, now: number): number {
    const recent = this.recent(key, now);
    if (recent.length < limit) return 0;
    return Math.max(1, Math.ceil((FAILURE_WINDOW_MS - (now - (recent[0] as number))) / 1000));
  }

  private record(key: string, now: number): void {
    const list = this.recent(key, now);
    list.push(now);
    this.failures.set(key, list);
    if (this.failures.size > MAX_KEYS) this.forgetOldest(now);
  }

  /** Drops expired keys, then (still too many) the longest-known ones. */
  private forgetOldest(now: number): void {
    for (const key of [...this.failures.keys()]) this.recent(key, now);
    for (const key of this.failures.keys()) {
      if (this.failures.size <= MAX_KEYS) break;
      this.failures.delete(key);
    }
  }
}
