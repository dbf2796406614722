import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Db, openDb } from '../../../core/store/db.js';
import { SpoolFeed } from '../../../core/store/spool-feed.js';
import { type SpoolLimits, type SpoolRow, SpoolStore } from '../../../core/store/spool-store.js';

const dirs: string[] = [];
const dbs: Db[] = [];

function setup(limits: Partial<SpoolLimits> = {}, maxInMemory?: number) {
  const dir = mkdtempSync(join(tmpdir(), 'tagwire-feed-'));
  dirs.push(dir);
  const db = openDb(dir);
  dbs.push(db);
  const store = new SpoolStore(db, 'app', { maxMessages: 1000, maxBytes: 1_000_000, maxAgeSeconds: 3600, ...limits });
  const feed = new SpoolFeed(store, { maxInMemory });
  const next = vi.spyOn(store, 'next');
  return { db, store, feed, next };
}

const msg = (i: number) => ({ topic: `t/${i % 3}`, payload: `{"v":${i}}`, qos: 1 as const, retain: true });
const values = (rows: SpoolRow[]) => rows.map((r) => r.payload.toString());
const enqueue = (feed: SpoolFeed, from: number, to: number) => {
  for (let i = from; i < to; i++) feed.enqueue(msg(i));
};

afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('SpoolFeed', () => {
  it('hands out nothing before it is on disk, then what was just written from memory', () => {
    const { db, store, feed, next } = setup();
    expect(feed.take(10)).toEqual([]); // the first take looks at the disk once
    enqueue(feed, 0, 5);
    expect(feed.take(10)).toEqual([]); // queued, not yet durable
    feed.flush();
    expect(new SpoolStore(db, 'app', { maxMessages: 10, maxBytes: 1e6, maxAgeSeconds: 0 }).stats().messages).toBe(5);
    expect(values(feed.take(3))).toEqual(['{"v":0}', '{"v":1}', '{"v":2}']);
    expect(values(feed.take(10))).toEqual(['{"v":3}', '{"v":4}']);
    expect(next).toHaveBeenCalledTimes(1);
    expect(store.stats().messages).toBe(5);
  });

  it('deletes acknowledged rows at the next flush, and resends the rest from the oldest after a rewind', () => {
    const { store, feed } = setup();
    feed.take(10);
    enqueue(feed, 0, 6);
    feed.flush();
    const sent = feed.take(10);
    for (const row of [sent[0], sent[1], sent[3]]) feed.ack(row!);
    feed.flush();
    expect(store.stats().messages).toBe(3);
    feed.rewind();
    expect(values(feed.take(10))).toEqual(['{"v":2}', '{"v":4}', '{"v":5}']);
  });

  it('deletes acknowledgements alone only in batches, and with any write', () => {
    const { store, feed } = setup();
    feed.take(1);
    enqueue(feed, 0, 3);
    feed.flush();
    const [a, b] = feed.take(10);
    feed.ack(a!);
    feed.flush(false);
    expect(store.stats().messages).toBe(3); // one acknowledgement is not worth a commit
    feed.ack(b!);
    enqueue(feed, 3, 4);
    feed.flush(false);
    expect(store.stats().messages).toBe(2); // written together with the new message
  });

  it('reads the disk while behind, then memory again once caught up, with no gaps or repeats', () => {
    const { feed, next } = setup({}, 10);
    feed.take(1);
    enqueue(feed, 0, 25); // more than memory holds
    feed.flush();
    const seen = [...values(feed.take(8)), ...values(feed.take(8))];
    enqueue(feed, 25, 30);
    feed.flush();
    seen.push(...values(feed.take(100)));
    const callsWhenCaughtUp = next.mock.calls.length;
    enqueue(feed, 30, 33);
    feed.flush();
    seen.push(...values(feed.take(100)));
    expect(seen).toEqual(Array.from({ length: 33 }, (_, i) => `{"v":${i}}`));
    expect(next.mock.calls.length).toBe(callsWhenCaughtUp);
  });

  it('never hands out a row the limits dropped', () => {
    const { store, feed } = setup({ maxMessages: 10 });
    feed.take(1);
    enqueue(feed, 0, 8);
    feed.flush();
    expect(values(feed.take(2))).toEqual(['{"v":0}', '{"v":1}']);
    enqueue(feed, 8, 14); // 14 on disk: the 4 oldest are dropped
    feed.flush();
    expect(store.stats()).toMatchObject({ messages: 10, dropped: 4 });
    expect(values(feed.take(100))).toEqual(Array.from({ length: 10 }, (_, i) => `{"v":${i + 4}}`));
  });

  it('notices rows dropped for age between flush and take', () => {
    const { store, feed } = setup({ maxAgeSeconds: 60 });
    feed.take(1);
    enqueue(feed, 0, 3);
    feed.flush();
    store.expire(Date.now() + 61_000);
    expect(feed.take(10)).toEqual([]);
  });
});

describe('SpoolFeed while connected (live)', () => {
  /** Live and caught up: the first take finds the disk empty. */
  function live(limits: Partial<SpoolLimits> = {}, maxInMemory?: number) {
    const parts = setup(limits, maxInMemory);
    parts.feed.setLive(true);
    expect(parts.feed.take(10)).toEqual([]);
    const written = vi.spyOn(parts.store, 'write');
    const messagesWritten = () => written.mock.calls.reduce((n, [messages]) => n + messages.length, 0);
    return { ...parts, messagesWritten };
  }

  it('hands messages out from memory and forgets them when acknowledged: nothing is written', () => {
    const { store, feed, messagesWritten } = live();
    enqueue(feed, 0, 5);
    feed.flush();
    const rows = feed.take(10);
    expect(values(rows)).toEqual(['{"v":0}', '{"v":1}', '{"v":2}', '{"v":3}', '{"v":4}']);
    expect(feed.stats().messages).toBe(5); // not acknowledged yet: still counted as buffered
    for (const row of rows) feed.ack(row);
    feed.flush();
    expect(messagesWritten()).toBe(0);
    expect(store.stats().messages).toBe(0);
    expect(feed.stats()).toMatchObject({ messages: 0, bytes: 0 });
  });

  it('writes what the broker leaves unacknowledged for 1 s to disk; the late acknowledgement deletes it', () => {
    const { store, feed } = live();
    const t0 = Date.now();
    enqueue(feed, 0, 3);
    feed.flush(true, t0);
    const rows = feed.take(10);
    feed.ack(rows[0]!);
    feed.flush(true, t0 + 999);
    expect(store.stats().messages).toBe(0);
    expect(feed.stats().messages).toBe(2);
    feed.flush(true, t0 + 1000);
    expect(store.stats().messages).toBe(2);
    expect(values(store.next(0, 10))).toEqual(['{"v":1}', '{"v":2}']);
    feed.ack(rows[1]!);
    feed.ack(rows[2]!);
    feed.flush();
    expect(store.stats().messages).toBe(0);
    expect(feed.take(10)).toEqual([]); // written rows already handed out are not handed out again
  });

  it('on a lost connection writes every unacknowledged message to disk, and resends them first, in order', () => {
    const { store, feed } = live();
    enqueue(feed, 0, 5);
    feed.flush();
    const sent = feed.take(3);
    feed.ack(sent[0]!);
    feed.setLive(false);
    expect(values(store.next(0, 10))).toEqual(['{"v":1}', '{"v":2}', '{"v":3}', '{"v":4}']);
    enqueue(feed, 5, 7); // the broker is unreachable: straight to disk
    feed.flush();
    expect(store.stats().messages).toBe(6);
    feed.rewind();
    feed.setLive(true);
    expect(values(feed.take(100))).toEqual(Array.from({ length: 6 }, (_, i) => `{"v":${i + 1}}`));
  });

  it('a message that must go to disk takes the ones held before it along, so disk order is send order', () => {
    const { store, feed } = live({}, 3);
    enqueue(feed, 0, 3);
    feed.flush(); // held in memory, not yet handed out
    enqueue(feed, 3, 5); // past what memory may hold
    feed.flush();
    expect(values(store.next(0, 10))).toEqual(Array.from({ length: 5 }, (_, i) => `{"v":${i}}`));
    expect(values(feed.take(100))).toEqual(Array.from({ length: 5 }, (_, i) => `{"v":${i}}`));
    feed.rewind();
    expect(values(feed.take(100))).toEqual(Array.from({ length: 5 }, (_, i) => `{"v":${i}}`));
  });

  it('keeps new messages on disk behind a backlog until the backlog is sent, then memory again', () => {
    const { feed, store } = setup();
    enqueue(feed, 0, 4);
    feed.flush(); // while disconnected
    feed.rewind();
    feed.setLive(true);
    enqueue(feed, 4, 6);
    feed.flush();
    expect(store.stats().messages).toBe(6); // behind the backlog: on disk as well
    const rows = feed.take(100);
    expect(values(rows)).toEqual(Array.from({ length: 6 }, (_, i) => `{"v":${i}}`));
    for (const row of rows) feed.ack(row);
    enqueue(feed, 6, 8);
    feed.flush();
    expect(store.stats().messages).toBe(0); // caught up: acknowledged rows deleted, new ones held
    expect(values(feed.take(100))).toEqual(['{"v":6}', '{"v":7}']);
  });

  it('with alwaysToDisk writes every message before handing it out', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tagwire-feed-'));
    dirs.push(dir);
    const db = openDb(dir);
    dbs.push(db);
    const store = new SpoolStore(db, 'app', { maxMessages: 1000, maxBytes: 1_000_000, maxAgeSeconds: 3600 });
    const feed = new SpoolFeed(store, { alwaysToDisk: true });
    feed.setLive(true);
    feed.take(1);
    enqueue(feed, 0, 3);
    expect(feed.take(10)).toEqual([]);
    feed.flush();
    expect(store.stats().messages).toBe(3);
    expect(values(feed.take(10))).toEqual(['{"v":0}', '{"v":1}', '{"v":2}']);
  });
});

describe('SpoolStore.append', () => {
  it('returns the first id of consecutive ids, across the multi-row statements', () => {
    const { store } = setup();
    for (const n of [1, 31, 32, 33, 70]) {
      const first = store.append(Array.from({ length: n }, (_, i) => msg(i)));
      const rows = store.next(first - 1, n);
      expect(rows.map((r) => r.id)).toEqual(Array.from({ length: n }, (_, i) => first + i));
      expect(values(rows)).toEqual(Array.from({ length: n }, (_, i) => `{"v":${i}}`));
      store.ack(rows.map((r) => r.id));
    }
    expect(store.stats()).toMatchObject({ messages: 0, bytes: 0 });
  });

  it('counts bytes, not characters, and stores payloads as they were given', () => {
    const { store } = setup();
    store.append([
      { ...msg(0), payload: '{"v":"é"}' },
      { ...msg(1), payload: Buffer.from([0, 255, 1]) },
    ]);
    expect(store.stats().bytes).toBe(Buffer.byteLength('{"v":"é"}') + 3);
    const rows = store.next(0, 10);
    expect(rows[0]!.payload).toEqual(Buffer.from('{"v":"é"}'));
    expect(rows[1]!.payload).toEqual(Buffer.from([0, 255, 1]));
    store.ack(rows.map((r) => r.id));
    expect(store.stats().bytes).toBe(0);
  });
});
