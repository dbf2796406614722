/**
 * The disk spool every QoS ≥ 1 message goes through (core/store/spool-store.ts): append,
 * read back, delete on acknowledgement — per message, in batches of 512 like the spool pump.
 * Beside it, the same work without reading back and with one ranged DELETE, to show what
 * the round trip through the table costs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../../core/store/db.js';
import { type SpoolMessage, SpoolStore } from '../../core/store/spool-store.js';
import { type MicroResult, timeIt } from './time-it.js';

const BATCH = 512;

export function spoolMicro(): MicroResult[] {
  const dir = mkdtempSync(join(tmpdir(), 'tagwire-bench-spool-'));
  const db = openDb(dir);
  try {
    const store = new SpoolStore(db, 'bench', { maxMessages: 1_000_000, maxBytes: 1e12, maxAgeSeconds: 0 });
    const payload = '{"value":22.5264416,"timestamp":1795608526367,"quality":"good"}';
    const batch: SpoolMessage[] = Array.from({ length: BATCH }, (_, i) => ({
      topic: `bench/x/d0/g0/t${i}`,
      payload,
      qos: 1,
      retain: true,
    }));
    let lastId = 0;
    const cycle = timeIt(
      'spool: append + next + ack',
      BATCH,
      () => {
        store.append(batch);
        const rows = store.next(lastId, BATCH);
        lastId = rows.at(-1)?.id ?? lastId;
        store.ack(rows.map((r) => r.id));
      },
      'spool-store.ts, batches of 512 as spool-pump.ts does',
    );
    const insert = db.prepare(
      'INSERT INTO spool (app, topic, payload, qos, retain, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const deleteRange = db.prepare('DELETE FROM spool WHERE app = ? AND id BETWEEN ? AND ?');
    const lean = timeIt(
      'spool: insert + ranged delete',
      BATCH,
      () => {
        let first = 0;
        let last = 0;
        db.transaction(() => {
          const now = Date.now();
          for (const m of batch) {
            last = Number(insert.run('lean', m.topic, Buffer.from(m.payload), 1, 1, now).lastInsertRowid);
            if (first === 0) first = last;
          }
        })();
        deleteRange.run('lean', first, last);
      },
      'same rows written, no read-back, one DELETE per batch',
    );
    return [cycle, lean];
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
