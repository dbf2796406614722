import { describe, expect, it } from 'vitest';
import { OneAtATime } from '../../../core/one-at-a-time.js';

/** A task that records when it starts and ends, and finishes when the test says so. */
function task(log: string[], name: string, fail = false) {
  let finish!: () => void;
  const run = () =>
    new Promise<string>((resolve, reject) => {
      log.push(`${name} start`);
      finish = () => {
        log.push(`${name} end`);
        if (fail) reject(new Error(`${name} failed`));
        else resolve(name);
      };
    });
  return { run, finish: () => finish() };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('OneAtATime', () => {
  it('starts each task when the one before it has settled, in the order given, failures included', async () => {
    const queue = new OneAtATime();
    const log: string[] = [];
    const a = task(log, 'a');
    const b = task(log, 'b', true);
    const c = task(log, 'c');
    const results = [queue.run(a.run), queue.run(b.run).catch((err: Error) => err.message), queue.run(c.run)];
    await settle();
    expect(log).toEqual(['a start']);
    a.finish();
    await settle();
    expect(log).toEqual(['a start', 'a end', 'b start']);
    b.finish();
    await settle();
    expect(log).toEqual(['a start', 'a end', 'b start', 'b end', 'c start']);
    c.finish();
    expect(await Promise.all(results)).toEqual(['a', 'b failed', 'c']);
  });

  it('runs a task given after the queue emptied at once', async () => {
    const queue = new OneAtATime();
    expect(await queue.run(async () => 1)).toBe(1);
    const log: string[] = [];
    const d = task(log, 'd');
    const result = queue.run(d.run);
    await settle();
    expect(log).toEqual(['d start']);
    d.finish();
    expect(await result).toBe('d');
  });
});
