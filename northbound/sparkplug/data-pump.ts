import { SpoolFeed } from '../../core/store/spool-feed.js';
import type { SpoolMessage, SpoolRow, SpoolStore } from '../../core/store/spool-store.js';

/** Messages handed to the MQTT client and not yet acknowledged, at most. */
const WINDOW = 512;

/** The part of an mqtt.js client the pump uses (a fake in unit tests). */
export interface Publisher {
  readonly connected: boolean;
  publish(
    topic: string,
    payload: Buffer,
    opts: { qos: 0 | 1 | 2; retain: boolean },
    callback?: (err?: Error) => void,
  ): unknown;
}

/** A spooled record made into the message to send now, or undefined to drop it. */
export type Render = (row: SpoolRow) => { topic: string; payload: Buffer; qos: 0 | 1 } | undefined;

/**
 * Moves NDATA/DDATA from the disk spool to the broker, oldest first, at most WINDOW in
 * flight; a row is deleted only when the broker acknowledged it (QoS 1) or it was written
 * to the socket (QoS 0). Unlike the `mqtt` plugin's pump, each row is rendered at the moment
 * it is sent: the Sparkplug seq, the aliases and is_historical belong to that moment.
 * It runs only while the Sparkplug session is live (births sent).
 */
export class DataPump {
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
    private readonly render: Render,
  ) {
    this.feed = new SpoolFeed(store);
  }

  /** Queues a record; it reaches the disk within this tick. */
  enqueue(message: SpoolMessage): void {
    if (this.closed) return;
    this.feed.enqueue(message);
    this.schedule();
  }

  /** The session is live: send from the oldest unacknowledged row. */
  start(publisher: Publisher): void {
    this.publisher = publisher;
    this.generation++;
    this.feed.rewind();
    this.inFlight = 0;
    this.schedule();
  }

  /** The session ended: what is not acknowledged is sent again in the next one. */
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
        publisher.publish(message.topic, message.payload, { qos: message.qos, retain: false }, (err) => {
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
