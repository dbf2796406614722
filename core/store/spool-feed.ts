import { FrontQueue } from './front-queue.js';
import type { SpoolMessage, SpoolRow, SpoolStats, SpoolStore } from './spool-store.js';

/** Rows kept in memory beyond the send cursor before the feed falls back to reading the disk. */
const DEFAULT_MAX_IN_MEMORY = 4096;
/** A message the broker has not acknowledged within this time is written to disk. */
export const SPILL_AFTER_MS = 1000;
/** Acknowledgements that are deleted together when nothing else is written. */
const ACK_BATCH = 512;

/** A message held in memory only: not on disk yet (its id is negative until it is). */
interface MemoryRow extends SpoolRow {
  at: number;
  handedOut: boolean;
  acked: boolean;
}

export interface SpoolFeedOptions {
  /** Rows kept in memory beyond the send cursor before the feed falls back to reading the disk. */
  maxInMemory?: number;
  /** Every message on disk before it is handed out, even while the broker acknowledges promptly. */
  alwaysToDisk?: boolean;
}

/**
 * The queue between a north app and its disk spool. While the app is connected and caught up,
 * a message is handed out from memory and forgotten once the broker acknowledges it — nothing
 * touches the disk. It goes to disk (one transaction per tick) when it cannot be sent at once:
 * the broker is unreachable (`live` false), older messages are still on disk, or the broker has
 * not acknowledged it within SPILL_AFTER_MS; a connection that ends writes every unacknowledged
 * message to disk first. With `alwaysToDisk` every message is written before it is handed out.
 * After a reconnect, a full memory, or messages dropped by the spool's limits, the feed reads
 * the disk from its cursor until it has caught up again. Acknowledged disk rows are deleted
 * with the next write, in ranges.
 */
export class SpoolFeed {
  private pending: SpoolMessage[] = [];
  private acked: number[] = [];
  /** The last id handed out. */
  private cursor = 0;
  /** Rows not yet handed out, oldest first: written to disk, or held in memory. */
  private readonly fresh = new FrontQueue<SpoolRow>();
  /** Whether `fresh` holds every row on disk past the cursor; if not, take() reads the disk. */
  private complete = false;
  private droppedSeen: number;
  /** Messages in memory only, oldest first; acknowledged ones are cut off the front. */
  private memory = new FrontQueue<MemoryRow>();
  private memoryUnacked = 0;
  private nextMemoryId = -1;
  /** The broker takes messages now (the app is connected and its pump started). */
  private live = false;
  private readonly maxInMemory: number;
  private readonly alwaysToDisk: boolean;

  constructor(
    private readonly store: SpoolStore,
    options: SpoolFeedOptions = {},
  ) {
    this.droppedSeen = store.dropped;
    this.maxInMemory = options.maxInMemory ?? DEFAULT_MAX_IN_MEMORY;
    this.alwaysToDisk = options.alwaysToDisk ?? false;
  }

  /** Messages not acknowledged that are held in memory only. */
  get inMemory(): number {
    return this.memoryUnacked;
  }

  /** Queues a message for the next flush. */
  enqueue(message: SpoolMessage): void {
    this.pending.push(message);
  }

  /** The broker acknowledged this row: forgotten if in memory, deleted at the next flush if on disk. */
  ack(row: SpoolRow): void {
    if (row.id > 0) {
      this.acked.push(row.id);
      return;
    }
    const held = row as MemoryRow;
    if (held.acked) return;
    held.acked = true;
    this.memoryUnacked--;
    this.memory.dropWhile(isAcked);
  }

  /** Connected and sending (true), or not (false: what is held in memory goes to disk now). */
  setLive(live: boolean): void {
    this.live = live;
    if (!live) this.spill();
  }

  /**
   * Moves queued messages on: into memory while the broker takes them promptly, to disk
   * otherwise (see the class); deletes acknowledged disk rows, in one transaction with any
   * write. With `allAcks` false, acknowledgements alone wait until ACK_BATCH of them have come
   * (or messages are written anyway): a commit per handful of PUBACKs costs more than the
   * rows. Until deleted, an acknowledged row could only be sent twice, never lost.
   */
  flush(allAcks = true, now = Date.now()): void {
    const holdable = this.pending.length > 0 && this.canHold();
    // A message that goes to disk takes every message held before it along: disk order is send order.
    if (this.memoryUnacked > 0 && (this.mustSpill(now) || (this.pending.length > 0 && !holdable))) this.spill();
    else if (holdable) this.hold(now);
    const writeAcks = allAcks || this.acked.length >= ACK_BATCH || this.pending.length > 0;
    if (this.pending.length === 0 && !(writeAcks && this.acked.length > 0)) return;
    this.write(this.pending, writeAcks);
  }

  /** Writes every message held in memory and every queued one to disk now, oldest first. */
  private spill(): void {
    const held = this.memory.remaining().filter((row) => !row.acked);
    if (held.length === 0 && this.pending.length === 0) return;
    const kept = { memory: this.memory, unacked: this.memoryUnacked };
    // Emptied first: the write may forget `fresh`, which would spill again.
    this.memory = new FrontQueue();
    this.memoryUnacked = 0;
    let firstId: number;
    try {
      firstId = this.write(held.length === 0 ? this.pending : [...held, ...this.pending], true, held.length);
    } catch (error) {
      this.memory = kept.memory;
      this.memoryUnacked = kept.unacked;
      throw error;
    }
    // The rows already handed out keep going: their acknowledgement now deletes them from disk.
    for (let i = 0; i < held.length; i++) {
      const row = held[i] as MemoryRow;
      row.id = firstId + i;
      if (row.handedOut) this.cursor = row.id;
    }
  }

  /** `skipFresh` leading messages are already in `fresh` (held rows written by a spill). */
  private write(messages: SpoolMessage[], writeAcks: boolean, skipFresh = 0): number {
    const acked = writeAcks ? this.acked : [];
    const firstId = this.store.write(messages, acked);
    // Only once they are on disk: a failed write (disk full) keeps them for the next flush.
    this.pending = [];
    if (writeAcks) this.acked = [];
    if (messages.length > skipFresh && this.complete && this.store.dropped === this.droppedSeen) {
      for (let i = skipFresh; i < messages.length; i++) {
        const m = messages[i] as SpoolMessage;
        this.fresh.push({ id: firstId + i, topic: m.topic, payload: m.payload, qos: m.qos, retain: m.retain });
      }
      if (this.fresh.size > this.maxInMemory) this.forgetFresh();
    }
    return firstId;
  }

  /** Whether queued messages may stay in memory: sent at once, nothing older waiting on disk. */
  private canHold(): boolean {
    return (
      this.live &&
      !this.alwaysToDisk &&
      this.complete &&
      this.store.dropped === this.droppedSeen &&
      this.memoryUnacked + this.pending.length <= this.maxInMemory
    );
  }

  private hold(now: number): void {
    for (let i = 0; i < this.pending.length; i++) {
      const m = this.pending[i] as SpoolMessage;
      const row: MemoryRow = {
        id: this.nextMemoryId--,
        topic: m.topic,
        payload: m.payload,
        qos: m.qos,
        retain: m.retain,
        at: now,
        handedOut: false,
        acked: false,
      };
      this.memory.push(row);
      this.fresh.push(row);
    }
    this.memoryUnacked += this.pending.length;
    this.pending = [];
  }

  private mustSpill(now: number): boolean {
    if (!this.live || this.memoryUnacked > this.maxInMemory) return true;
    const oldest = this.memory.peek();
    return oldest !== undefined && now - oldest.at >= SPILL_AFTER_MS;
  }

  /** The next rows to send, at most `max`, oldest first; empty when everything was handed out. */
  take(max: number): SpoolRow[] {
    if (this.store.dropped !== this.droppedSeen) {
      // The limits dropped rows (the oldest, or old ones): copies in memory may be gone on disk.
      this.droppedSeen = this.store.dropped;
      this.forgetFresh();
    }
    if (this.complete) {
      const rows = this.fresh.take(max);
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i] as SpoolRow;
        if (row.id > 0) this.cursor = row.id;
        else (row as MemoryRow).handedOut = true;
      }
      return rows;
    }
    const rows = this.store.next(this.cursor, max);
    if (rows.length > 0) this.cursor = (rows.at(-1) as SpoolRow).id;
    // Fewer than asked: nothing on disk lies past the cursor, so memory can take over.
    if (rows.length < max) this.complete = true;
    return rows;
  }

  /** Start again from the oldest unacknowledged row (a new connection resends what was not acknowledged). */
  rewind(): void {
    this.cursor = 0;
    this.forgetFresh();
  }

  /** The store's figures with the messages held in memory counted in. */
  stats(now = Date.now()): SpoolStats {
    const disk = this.store.stats(now);
    if (this.memoryUnacked === 0) return disk;
    let bytes = 0;
    let oldest = now;
    for (const row of this.memory.remaining()) {
      if (row.acked) continue;
      bytes += typeof row.payload === 'string' ? Buffer.byteLength(row.payload) : row.payload.length;
      if (row.at < oldest) oldest = row.at;
    }
    return {
      messages: disk.messages + this.memoryUnacked,
      bytes: disk.bytes + bytes,
      dropped: disk.dropped,
      oldestAgeMs: Math.max(disk.oldestAgeMs, now - oldest),
    };
  }

  /** Rows held in memory are in `fresh` only: they go to disk, to be read back from there. */
  private forgetFresh(): void {
    if (this.memoryUnacked > 0) this.spill();
    this.fresh.clear();
    this.complete = false;
  }
}

function isAcked(row: MemoryRow): boolean {
  return row.acked;
}
