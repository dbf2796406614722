import { SpoolFeed } from '../core/store/spool-feed.js';
import type { SpoolMessage, SpoolRow, SpoolStore } from '../core/store/spool-store.js';

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
 * Moves spooled messages from the disk spool to the broker, oldest first, at most WINDOW in
 * flight; a row is deleted only when the broker acknowledged it (QoS ≥ 1) or it was written
 * to the socket (QoS 0). After a new start everything not acknowledged is sent again from the
 * oldest (QoS 1 allows duplicates, never gaps), so per-topic order holds across outages and
 * restarts. Used by both north plugins: `mqtt` sends rows as spooled; `sparkplug-b` renders
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
  /** Messages the broker took. */
  sent = 0;
  /** Rows dropped by the renderer (their device is not born, their metrics are gone). */
  skipped = 0;

  constructor(
    store: SpoolStore,
    private readonly render: Render = asSpooled,
  ) {
    this.feed = new SpoolFeed(store);
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
    this.inFlight = 0;
    this.schedule();
  }

  /** Disconnected (session ended): what is not acknowledged is sent again after the next start. */
  stop(): void {
    this.publisher = undefined;
    this.generation++;
  }

  get active(): boolean {
    return this.publisher !== undefined;
  }

  /** Writes queued records to disk and acknowledged deletions now (used on stop). */
  flush(): void {
    this.feed.flush();
  }

  /** The app stops: what is queued goes to disk, and nothing touches the store afterwards. */
  close(): void {
    this.stop();
    this.flush();
    this.closed = true;
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
          this.feed.ack(row.id);
          continue;
        }
        this.inFlight++;
        const opts = { qos: message.qos, retain: message.retain ?? false };
        publisher.publish(message.topic, message.payload, opts, (err) => {
          if (generation !== this.generation) return;
          this.inFlight--;
          if (!err) {
            this.feed.ack(row.id);
            this.sent++;
          }
          this.schedule();
        });
      }
    }
  }
}
