import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Db, openDb } from '../../../core/store/db.js';
import { SpoolStore } from '../../../core/store/spool-store.js';

const dirs: string[] = [];
const dbs: Db[] = [];

function open(): { db: Db; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tagwire-spool-'));
  dirs.push(dir);
  const db = openDb(dir);
  dbs.push(db);
  return { db, dir };
}

const limits = { maxMessages: 1000, maxBytes: 1_000_000, maxAgeSeconds: 3600 };
const msg = (i: number) => ({ topic: `t/${i % 3}`, payload: `{"v":${i}}`, qos: 1 as const, retain: true });

afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('SpoolStore', () => {
  it('returns messages oldest first and forgets them only when acknowledged', () => {
    const { db } = open();
    const spool = new SpoolStore(db, 'app', limits);
    spool.append([msg(1), msg(2), msg(3)]);
    const first = spool.next(0, 2);
    expect(first.map((r) => r.payload.toString())).toEqual(['{"v":1}', '{"v":2}']);
    expect(first[0]).toMatchObject({ topic: 't/1', qos: 1, retain: true });
    expect(spool.next(first[1]!.id, 10).map((r) => r.payload.toString())).toEqual(['{"v":3}']);
    spool.ack([first[0]!.id]);
    expect(spool.stats().messages).toBe(2);
    expect(spool.next(0, 10).map((r) => r.payload.toString())).toEqual(['{"v":2}', '{"v":3}']);
  });

  it('keeps each app to its own messages', () => {
    const { db } = open();
    const a = new SpoolStore(db, 'a', limits);
    const b = new SpoolStore(db, 'b', limits);
    a.append([msg(1)]);
    b.append([msg(2), msg(3)]);
    expect(a.stats().messages).toBe(1);
    expect(b.next(0, 10)).toHaveLength(2);
  });

  it('survives the process: a reopened database has every unacknowledged message', () => {
    const { db, dir } = open();
    const spool = new SpoolStore(db, 'app', limits);
    spool.append(Array.from({ length: 50 }, (_, i) => msg(i)));
    spool.ack(spool.next(0, 10).map((r) => r.id));
    db.close();
    dbs.splice(dbs.indexOf(db), 1);
    const again = openDb(dir);
    dbs.push(again);
    const reopened = new SpoolStore(again, 'app', limits);
    expect(reopened.stats()).toMatchObject({ messages: 40 });
    expect(reopened.next(0, 1)[0]!.payload.toString()).toBe('{"v":10}');
  });

  it('drops the oldest and counts them past maxMessages and maxBytes', () => {
    const { db } = open();
    const spool = new SpoolStore(db, 'app', { ...limits, maxMessages: 10 });
    spool.append(Array.from({ length: 25 }, (_, i) => msg(i)));
    expect(spool.stats()).toMatchObject({ messages: 10, dropped: 15 });
    expect(spool.next(0, 1)[0]!.payload.toString()).toBe('{"v":15}');

    const bytes = new SpoolStore(db, 'bytes', { ...limits, maxBytes: 100 });
    bytes.append(Array.from({ length: 30 }, (_, i) => ({ ...msg(i), payload: 'x'.repeat(10) })));
    expect(bytes.stats().bytes).toBeLessThanOrEqual(100);
    expect(bytes.stats().messages + bytes.stats().dropped).toBe(30);
  });

  it('keeps its count and bytes equal to the table through drops, acks of dropped ids and a second app', () => {
    const { db } = open();
    const a = new SpoolStore(db, 'a', { ...limits, maxMessages: 10 });
    const b = new SpoolStore(db, 'b', limits);
    const ids: number[] = [];
    for (let i = 0; i < 25; i++) {
      b.append([msg(100 + i)]);
      ids.push(a.append([{ ...msg(i), payload: 'y'.repeat(i + 1) }]));
    }
    // a's ids 1..15 were dropped; acknowledging some of them again changes nothing.
    a.ack([ids[0]!, ids[1]!, ids[2]!, ids[15]!, ids[16]!]);
    const table = (app: string) =>
      db
        .prepare('SELECT COUNT(*) AS messages, COALESCE(SUM(LENGTH(payload)), 0) AS bytes FROM spool WHERE app = ?')
        .get(app) as { messages: number; bytes: number };
    expect(a.stats()).toMatchObject({ ...table('a'), dropped: 15 });
    expect(a.stats().messages).toBe(8);
    expect(a.next(0, 1)[0]!.payload.toString()).toBe('y'.repeat(18));
    expect(b.stats()).toMatchObject({ ...table('b'), messages: 25, dropped: 0 });
  });

  it('drops messages older than maxAgeSeconds', () => {
    const { db } = open();
    const spool = new SpoolStore(db, 'app', { ...limits, maxAgeSeconds: 60 });
    spool.append([msg(1), msg(2)]);
    expect(spool.expire(Date.now() + 30_000)).toBe(0);
    expect(spool.expire(Date.now() + 61_000)).toBe(2);
    expect(spool.stats()).toMatchObject({ messages: 0, bytes: 0, dropped: 2 });
  });
});
