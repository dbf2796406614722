import { describe, expect, it } from 'vitest';
import { interFrameMs } from '../../../../drivers/modbus/link.js';
import { DeadlineQueue } from '../../../../drivers/modbus/request-queue.js';

describe('DeadlineQueue (link admission)', () => {
  it('lets waiting requests in earliest deadline first, ties in arrival order', async () => {
    const q = new DeadlineQueue(1);
    const order: string[] = [];
    await q.acquire(0); // the line is busy
    const waiters = (
      [
        ['slow-group', 900, 'read'],
        ['fast-group', 100, 'read'],
        ['mid-a', 500, 'read'],
        ['mid-b', 500, 'read'],
        ['write', 0, 'write'],
      ] as const
    ).map(([name, deadline, kind]) =>
      q.acquire(deadline, kind).then(() => {
        order.push(name as string);
        q.release();
      }),
    );
    expect(q.pending).toBe(5);
    q.release();
    await Promise.all(waiters);
    expect(order).toEqual(['write', 'fast-group', 'mid-a', 'mid-b', 'slow-group']);
  });

  it('lets writes go first, but takes turns with waiting reads so a write burst cannot starve them', async () => {
    const q = new DeadlineQueue(1);
    const order: string[] = [];
    await q.acquire(0);
    const take = (name: string, deadline: number, kind: 'read' | 'write') =>
      q.acquire(deadline, kind).then(() => {
        order.push(name);
        q.release();
      });
    const waiters = [
      take('w1', 0, 'write'),
      take('w2', 0, 'write'),
      take('w3', 0, 'write'),
      take('r-late', 900, 'read'),
      take('r-soon', 100, 'read'),
      take('w4', 0, 'write'),
    ];
    expect(q.pendingWrites).toBe(4);
    q.release();
    await Promise.all(waiters);
    expect(order).toEqual(['w1', 'r-soon', 'w2', 'r-late', 'w3', 'w4']);
  });

  it('lowers its number of slots for requests not yet admitted', async () => {
    const q = new DeadlineQueue(4);
    await q.acquire(1);
    await q.acquire(2);
    q.setLimit(1);
    expect(q.limit).toBe(1);
    let admitted = 0;
    const waiters = [q.acquire(3), q.acquire(4)].map((p) =>
      p.then(() => {
        admitted++;
      }),
    );
    await Promise.resolve();
    q.release();
    await Promise.resolve();
    expect(admitted).toBe(0); // one request is still running: the limit is now 1
    q.release();
    await waiters[0];
    expect(admitted).toBe(1);
    q.release();
    await waiters[1];
    expect(admitted).toBe(2);
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
