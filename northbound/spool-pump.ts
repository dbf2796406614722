import { SPILL_AFTER_MS, SpoolFeed } from '../core/store/spool-feed.js';
import type { SpoolMessage, SpoolRow, SpoolStats, SpoolStore } from '../core/store/spool-store.js';

/** Messages handed to the MQTT client and not yet acknowledged, at most. */
const WINDOW = 512;

/** The part of an mqtt.js client the pump uses (a fake in unit tests). */
export interface Publisher {
  readonly connected: boolean;
  publish(
    topic: string,
    payload: string | Buffer,
    opts: { qos: 0 | 1 | 2; retain: boolean },
    callback?: (err?: Error) => void,
  ): unknown;
}

/** A spooled record made into the message to send now, or undefined to drop it. */
export type Render = (
  row: SpoolRow,
) => { topic: string; payload: string | Buffer; qos: 0 | 1 | 2; retain?: boolean | undefined } | undefined;

/** The `mqtt` plugin sends rows as they were spooled. */
const asSpooled: Render = (row) => row;

/**
 * Moves queued messages to the broker, oldest first, at most WINDOW in flight; a message is
 * forgotten only when the broker acknowledged it. While connected, messages go out from memory
 * and reach the disk only if the broker leaves them unacknowledged for SPILL_AFTER_MS; while
 * not, they go to disk (see SpoolFeed). After a new start everything not acknowledged is sent
 * again from the oldest (QoS 1 allows duplicates, never gaps), so per-topic order holds across
 * outages and restarts. Used by both north plugins: `mqtt` sends rows as spooled; `sparkplug-b` renders
 * each row at the moment it is sent (seq, aliases and is_historical belong to that moment)
 * and runs the pump only while its session is live (births sent).
 */
export class SpoolPump {
  private publisher: Publisher | undefined;
  private generation = 0;
  private inFlight = 0;
  private readonly feed: SpoolFeed;
  private scheduled = false;
  private running = false;
  private closed = false;
  /** Wakes the pump to write messages the broker left unacknowledged to disk. */
  private spillTimer: NodeJS.Timeout | undefined;
  /** Messages the broker took. */
  sent = 0;
  /** Rows dropped by the renderer (their device is not born, their metrics are gone). */
  skipped = 0;

  constructor(
    store: SpoolStore,
    private readonly render: Render = asSpooled,
    options: { alwaysToDisk?: boolean } = {},
  ) {
    this.feed = new SpoolFeed(store, { alwaysToDisk: options.alwaysToDisk ?? false });
  }

  /** The spool's figures, messages held in memory counted in. */
  stats(): SpoolStats {
    return this.feed.stats();
  }

  /** Queues a record; it reaches the disk within this tick. */
  enqueue(message: SpoolMessage): void {
    if (this.closed) return;
    this.feed.enqueue(message);
    this.schedule();
  }

  /** Connected (Sparkplug: the session is live): send from the oldest unacknowledged row. */
  start(publisher: Publisher): void {
    this.publisher = publisher;
    this.generation++;
    this.feed.rewind();
    this.feed.setLive(true);
    this.inFlight = 0;
    this.schedule();
  }

  /** Disconnected (session ended): what is not acknowledged is sent again after the next start. */
  stop(): void {
    this.publisher = undefined;
    this.generation++;
    if (!this.closed) this.feed.setLive(false);
    if (this.spillTimer) clearTimeout(this.spillTimer);
    this.spillTimer = undefined;
  }

  get active(): boolean {
    return this.publisher !== undefined;
  }

  /** Moves queued records on and writes acknowledged deletions now (used on stop). */
  flush(): void {
    if (!this.closed) this.feed.flush();
  }

  /** The app stops: what is queued goes to disk, and nothing touches the store afterwards. */
  close(): void {
    this.stop();
    this.flush();
    this.closed = true;
  }

  /** While messages wait in memory for their acknowledgement, the pump looks at them again in time. */
  private watchMemory(): void {
    if (this.spillTimer || this.feed.inMemory === 0 || !this.publisher) return;
    this.spillTimer = setTimeout(() => {
      this.spillTimer = undefined;
      this.schedule();
    }, SPILL_AFTER_MS);
    this.spillTimer.unref();
  }

  /** Sends what can be sent now, synchronously: before a DDEATH, so data read before it goes first. */
  drain(): void {
    this.run();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.run();
    });
  }

  private run(): void {
    if (this.running || this.closed) return;
    this.running = true;
    try {
      // Acknowledgements are deleted in batches, and all of them once nothing is in flight.
      this.feed.flush(this.inFlight === 0);
      this.send();
      this.watchMemory();
    } finally {
      this.running = false;
    }
  }

  private send(): void {
    const publisher = this.publisher;
    if (!publisher?.connected) return;
    const generation = this.generation;
    while (this.inFlight < WINDOW) {
      const rows = this.feed.take(WINDOW - this.inFlight);
      if (rows.length === 0) break;
      for (const row of rows) {
        const message = this.render(row);
        if (!message) {
          this.skipped++;
          this.feed.ack(row);
          continue;
        }
        this.inFlight++;
        const opts = { qos: message.qos, retain: message.retain ?? false };
        publisher.publish(message.topic, message.payload, opts, (err) => {
          if (generation !== this.generation) return;
          this.inFlight--;
          if (!err) {
            this.feed.ack(row);
            this.sent++;
          }
          this.schedule();
        });
      }
    }
  }
}
