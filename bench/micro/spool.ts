/**
 * The disk spool every QoS ≥ 1 message goes through (core/store/spool-feed.ts over
 * spool-store.ts), in batches of 512 like the spool pump: written in one transaction, handed
 * out, deleted when acknowledged. Caught up, the feed hands out what it just wrote from
 * memory; behind (after an outage, or a broker slower than the gateway), it reads back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../../core/store/db.js';
import { SpoolFeed } from '../../core/store/spool-feed.js';
import { type SpoolMessage, SpoolStore } from '../../core/store/spool-store.js';
import { type MicroResult, timeIt } from './time-it.js';

const BATCH = 512;
const LIMITS = { maxMessages: 1_000_000, maxBytes: 1e12, maxAgeSeconds: 0 };

export function spoolMicro(): MicroResult[] {
  const dir = mkdtempSync(join(tmpdir(), 'tagwire-bench-spool-'));
  const db = openDb(dir);
  try {
    const payload = '{"value":22.5264416,"timestamp":1795608526367,"quality":"good"}';
    const batch: SpoolMessage[] = Array.from({ length: BATCH }, (_, i) => ({
      topic: `bench/x/d0/g0/t${i}`,
      payload,
      qos: 1,
      retain: true,
    }));
    const feed = new SpoolFeed(new SpoolStore(db, 'caught-up', LIMITS));
    feed.take(BATCH);
    const caughtUp = timeIt(
      'spool, caught up: write + hand out + delete',
      BATCH,
      () => {
        for (const m of batch) feed.enqueue(m);
        feed.flush();
        for (const row of feed.take(BATCH)) feed.ack(row.id);
      },
      'spool-feed.ts: one INSERT per 32 rows, rows handed out from memory, ranged DELETE',
    );
    const store = new SpoolStore(db, 'behind', LIMITS);
    let lastId = 0;
    const behind = timeIt(
      'spool, behind: write + read back + delete',
      BATCH,
      () => {
        store.append(batch);
        const rows = store.next(lastId, BATCH);
        lastId = rows.at(-1)?.id ?? lastId;
        store.ack(rows.map((r) => r.id));
      },
      'spool-store.ts: the same with the rows read back from disk',
    );
    return [caughtUp, behind];
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
