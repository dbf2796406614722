import { describe, expect, it } from 'vitest';
import { ReadWindow } from '../../../../drivers/modbus/read-window.js';

const settle = () => new Promise((resolve) => setImmediate(resolve));

/** Asks for `size` and records the moment it is let go. */
function ask(window: ReadWindow, log: string[], name: string, size: number): Promise<void> {
  return window.acquire(size).then(() => {
    log.push(name);
  });
}

describe('ReadWindow', () => {
  it('lets reads go while they fit, and the rest in the order they asked as room comes back', async () => {
    const window = new ReadWindow(1000);
    const log: string[] = [];
    void ask(window, log, 'a', 600);
    void ask(window, log, 'b', 400);
    void ask(window, log, 'c', 300);
    void ask(window, log, 'd', 100);
    await settle();
    expect(log).toEqual(['a', 'b']);
    expect(window.size).toBe(1000);
    expect(window.queued).toBe(2);

    window.release(400);
    await settle();
    // c and d fit now; d (small) never overtakes c.
    expect(log).toEqual(['a', 'b', 'c', 'd']);
    expect(window.size).toBe(1000);
  });

  it('does not let a small read overtake a waiting large one', async () => {
    const window = new ReadWindow(1000);
    const log: string[] = [];
    void ask(window, log, 'a', 900);
    void ask(window, log, 'big', 800);
    void ask(window, log, 'small', 50);
    await settle();
    expect(log).toEqual(['a']);
    window.release(900);
    await settle();
    expect(log).toEqual(['a', 'big', 'small']);
  });

  it('lets a read larger than the whole window go alone, so it is never stuck', async () => {
    const window = new ReadWindow(1000);
    const log: string[] = [];
    void ask(window, log, 'huge', 5000);
    void ask(window, log, 'next', 10);
    await settle();
    expect(log).toEqual(['huge']);
    window.release(5000);
    await settle();
    expect(log).toEqual(['huge', 'next']);
    expect(window.size).toBe(10);
    window.release(10);
    expect(window.size).toBe(0);
  });
});
