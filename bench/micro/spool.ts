/**
 * The queue every QoS ≥ 1 message goes through (core/store/spool-feed.ts over spool-store.ts),
 * in batches of 512 like the spool pump. Connected, a message is held in memory and forgotten
 * when acknowledged; on disk (`buffer.alwaysToDisk`, or a broker that does not acknowledge in
 * time) it is written in one transaction, handed out from memory, deleted when acknowledged;
 * behind (after an outage), the rows are read back from disk.
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

/** One batch through a live, caught-up feed: queued, moved on, handed out, acknowledged. */
function cycle(feed: SpoolFeed, batch: SpoolMessage[]): () => void {
  feed.setLive(true);
  feed.take(BATCH);
  return () => {
    for (const m of batch) feed.enqueue(m);
    feed.flush();
    for (const row of feed.take(BATCH)) feed.ack(row);
  };
}

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
    const connected = timeIt(
      'spool, connected: hold in memory + hand out + forget',
      BATCH,
      cycle(new SpoolFeed(new SpoolStore(db, 'connected', LIMITS)), batch),
      'spool-feed.ts: nothing written while the broker acknowledges within 1 s',
    );
    const caughtUp = timeIt(
      'spool, to disk: write + hand out + delete',
      BATCH,
      cycle(new SpoolFeed(new SpoolStore(db, 'caught-up', LIMITS), { alwaysToDisk: true }), batch),
      'spool-feed.ts (alwaysToDisk): one INSERT per 32 rows, rows handed out from memory, ranged DELETE',
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
    return [connected, caughtUp, behind];
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
