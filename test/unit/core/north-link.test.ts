import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NorthLink } from '../../../core/north-link.js';

/** No jitter: the delays are the backoff's exact doubling. */
const noJitter = () => 0.5;

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('NorthLink: a north app connection supervised by the core', () => {
  it('opens at start, retries a lost connection after a doubling delay up to the cap, and resets once connected', () => {
    let opens = 0;
    const link = new NorthLink(() => opens++, { initialDelayMs: 1000, maxDelayMs: 4000 }, noJitter);
    link.start();
    expect(opens).toBe(1);
    expect(link.state).toBe('connecting');

    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      link.lost();
      expect(link.state).toBe('disconnected');
      const due = (link.nextRetryAt ?? 0) - Date.now();
      delays.push(due);
      vi.advanceTimersByTime(due - 1);
      expect(opens).toBe(1 + i);
      vi.advanceTimersByTime(1);
      expect(opens).toBe(2 + i);
      expect(link.state).toBe('connecting');
    }
    expect(delays).toEqual([1000, 2000, 4000, 4000]);
    expect(link.reconnects).toBe(4);

    link.connected();
    expect(link.state).toBe('connected');
    link.lost();
    expect((link.nextRetryAt ?? 0) - Date.now()).toBe(1000);
  });

  it('counts one retry for several reports of the same loss', () => {
    let opens = 0;
    const link = new NorthLink(() => opens++, {}, noJitter);
    link.start();
    link.lost();
    link.lost();
    vi.advanceTimersByTime(60_000);
    expect(opens).toBe(2);
    expect(link.reconnects).toBe(1);
  });

  it('opens nothing after stop, even with a retry pending', () => {
    let opens = 0;
    const link = new NorthLink(() => opens++, {}, noJitter);
    link.start();
    link.lost();
    link.stop();
    vi.advanceTimersByTime(120_000);
    expect(opens).toBe(1);
    expect(link.state).toBe('disconnected');
    link.lost();
    link.connected();
    expect(link.state).toBe('disconnected');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('waits a random time up to startDelayMaxMs before the first attempt', () => {
    let opens = 0;
    const link = new NorthLink(() => opens++, { startDelayMaxMs: 10_000 }, noJitter);
    link.start();
    expect(opens).toBe(0);
    vi.advanceTimersByTime(4999);
    expect(opens).toBe(0);
    vi.advanceTimersByTime(1);
    expect(opens).toBe(1);
  });
});
