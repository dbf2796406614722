import type { SpoolMessage, SpoolRow, SpoolStore } from './spool-store.js';

/** Rows kept in memory beyond the send cursor before the feed falls back to reading the disk. */
const DEFAULT_MAX_IN_MEMORY = 4096;
/** Acknowledgements that are deleted together when nothing else is written. */
const ACK_BATCH = 512;
/** Handed-out rows at the front of the memory queue that are cut off at once. */
const COMPACT_AFTER = 1024;

/**
 * The queue between a north app and its disk spool. Messages are written to disk in one
 * transaction per tick (`flush`), and only then handed out (`take`) — so a message is
 * durable before the MQTT client sees it. While the sender keeps up, what was just written
 * is handed out from memory instead of being read back; after a reconnect, a full memory,
 * or messages dropped by the spool's limits, it reads the disk from its cursor until it has
 * caught up again. Acknowledged ids are deleted with the next write, in ranges.
 */
export class SpoolFeed {
  private pending: SpoolMessage[] = [];
  private acked: number[] = [];
  /** The last id handed out. */
  private cursor = 0;
  /** Rows written and not yet handed out, oldest first, from `head`. */
  private fresh: SpoolRow[] = [];
  private head = 0;
  /** Whether `fresh` holds every row on disk past the cursor; if not, take() reads the disk. */
  private complete = false;
  private droppedSeen: number;

  constructor(
    private readonly store: SpoolStore,
    private readonly maxInMemory = DEFAULT_MAX_IN_MEMORY,
  ) {
    this.droppedSeen = store.dropped;
  }

  /** Queues a message for the next flush. */
  enqueue(message: SpoolMessage): void {
    this.pending.push(message);
  }

  /** The broker acknowledged this id; it is deleted at the next flush. */
  ack(id: number): void {
    this.acked.push(id);
  }

  /**
   * Writes queued messages to disk and deletes acknowledged ones, in one transaction.
   * With `allAcks` false, acknowledgements alone wait until ACK_BATCH of them have come
   * (or messages are written anyway): a commit per handful of PUBACKs costs more than the
   * rows. Until deleted, an acknowledged row could only be sent twice, never lost.
   */
  flush(allAcks = true): void {
    const writeAcks = allAcks || this.acked.length >= ACK_BATCH || this.pending.length > 0;
    if (this.pending.length === 0 && !(writeAcks && this.acked.length > 0)) return;
    const messages = this.pending;
    const acked = writeAcks ? this.acked : [];
    const firstId = this.store.write(messages, acked);
    // Only once they are on disk: a failed write (disk full) keeps them for the next flush.
    this.pending = [];
    if (writeAcks) this.acked = [];
    if (messages.length > 0 && this.complete && this.store.dropped === this.droppedSeen) {
      for (let i = 0; i < messages.length; i++) {
        const m = messages[i] as SpoolMessage;
        this.fresh.push({ id: firstId + i, topic: m.topic, payload: m.payload, qos: m.qos, retain: m.retain });
      }
      if (this.fresh.length - this.head > this.maxInMemory) this.forgetFresh();
    }
  }

  /** The next rows to send, at most `max`, oldest first; empty when everything was handed out. */
  take(max: number): SpoolRow[] {
    if (this.store.dropped !== this.droppedSeen) {
      // The limits dropped rows (the oldest, or old ones): copies in memory may be gone on disk.
      this.droppedSeen = this.store.dropped;
      this.forgetFresh();
    }
    if (this.complete) {
      const rows = this.fresh.slice(this.head, this.head + max);
      this.head += rows.length;
      if (this.head === this.fresh.length) {
        this.fresh = [];
        this.head = 0;
      } else if (this.head >= COMPACT_AFTER) {
        this.fresh = this.fresh.slice(this.head);
        this.head = 0;
      }
      if (rows.length > 0) this.cursor = (rows.at(-1) as SpoolRow).id;
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

  private forgetFresh(): void {
    this.fresh = [];
    this.head = 0;
    this.complete = false;
  }
}
