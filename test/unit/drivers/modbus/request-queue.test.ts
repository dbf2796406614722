import { describe, expect, it } from 'vitest';
import { interFrameMs } from '../../../../drivers/modbus/link.js';
import { DeadlineQueue } from '../../../../drivers/modbus/request-queue.js';

describe('DeadlineQueue (link admission)', () => {
  it('lets waiting requests in earliest deadline first, ties in arrival order', async () => {
    const q = new DeadlineQueue(1);
    const order: string[] = [];
    await q.acquire(0); // the line is busy
    const waiters = [
      ['slow-group', 900],
      ['fast-group', 100],
      ['mid-a', 500],
      ['mid-b', 500],
      ['write', 0],
    ].map(([name, deadline]) =>
      q.acquire(deadline as number).then(() => {
        order.push(name as string);
        q.release();
      }),
    );
    expect(q.pending).toBe(5);
    q.release();
    await Promise.all(waiters);
    expect(order).toEqual(['write', 'fast-group', 'mid-a', 'mid-b', 'slow-group']);
  });

  it('admits up to its number of slots at once', async () => {
    const q = new DeadlineQueue(2);
    await q.acquire(1);
    await q.acquire(2);
    let third = false;
    const p = q.acquire(3).then(() => {
      third = true;
    });
    await Promise.resolve();
    expect(third).toBe(false);
    q.release();
    await p;
    expect(third).toBe(true);
  });
});

describe('inter-frame silence', () => {
  it('is 3.5 character times of 11 bits, and 1.75 ms above 19200 baud', () => {
    const rtu = (baudRate: number) =>
      ({ kind: 'rtu', path: '/dev/x', baudRate, dataBits: 8, parity: 'none', stopBits: 1 }) as const;
    expect(interFrameMs(rtu(9600))).toBeCloseTo(4.0104, 3);
    expect(interFrameMs(rtu(19200))).toBeCloseTo(2.0052, 3);
    expect(interFrameMs(rtu(38400))).toBe(1.75);
    expect(interFrameMs(rtu(115200))).toBe(1.75);
    expect(interFrameMs({ kind: 'tcp', host: 'h', port: 502 })).toBe(0);
  });
});
