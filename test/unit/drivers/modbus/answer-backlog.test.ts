import { describe, expect, it } from 'vitest';
import { AnswerBacklog } from '../../../../drivers/modbus/answer-backlog.js';

const settle = () => new Promise((resolve) => setImmediate(resolve));

/** Asks for room and records the moment it is given. */
function start(backlog: AnswerBacklog, log: string[], name: string): void {
  void backlog.room().then(() => {
    log.push(name);
  });
}

describe('AnswerBacklog', () => {
  it('lets reads start while the answers not yet taken are within the limit, however many reads are in progress', async () => {
    const backlog = new AnswerBacklog(1000);
    const log: string[] = [];
    for (const name of ['a', 'b', 'c', 'd']) start(backlog, log, name);
    await settle();
    // Reads in progress hold nothing: a device that does not answer keeps no one waiting.
    expect(log).toEqual(['a', 'b', 'c', 'd']);
    backlog.answered(600);
    backlog.answered(400);
    start(backlog, log, 'e');
    await settle();
    expect(log).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect([backlog.size, backlog.waitingReads]).toEqual([1000, 0]);
  });

  it('holds new reads while the main thread is behind, and lets them go in order once it has taken enough', async () => {
    const backlog = new AnswerBacklog(1000);
    const log: string[] = [];
    backlog.answered(800);
    backlog.answered(800);
    start(backlog, log, 'a');
    start(backlog, log, 'b');
    await settle();
    expect(log).toEqual([]);
    expect(backlog.waitingReads).toBe(2);

    backlog.takenUpTo(500); // 1,100 still not taken
    await settle();
    expect(log).toEqual([]);

    backlog.takenUpTo(800); // 800 left: within the limit
    await settle();
    expect(log).toEqual(['a', 'b']);
    expect([backlog.size, backlog.waitingReads]).toEqual([800, 0]);
  });

  it('ignores a count older than the one it has, and never counts more taken than was sent', async () => {
    const backlog = new AnswerBacklog(100);
    const log: string[] = [];
    backlog.answered(300);
    start(backlog, log, 'first');
    await settle();
    backlog.takenUpTo(300);
    backlog.takenUpTo(100); // older news
    start(backlog, log, 'second');
    await settle();
    expect(log).toEqual(['first', 'second']);
    expect(backlog.size).toBe(0);
    // More than was ever sent cannot be taken: the next answers count in full.
    backlog.takenUpTo(10_000);
    backlog.answered(150);
    expect(backlog.size).toBe(150);
  });
});
