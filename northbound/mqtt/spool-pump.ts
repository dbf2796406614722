import type { MqttClient } from 'mqtt';
import { SpoolFeed } from '../../core/store/spool-feed.js';
import type { SpoolMessage, SpoolStore } from '../../core/store/spool-store.js';

/** Messages handed to mqtt.js and not yet acknowledged, at most. */
const WINDOW = 512;

/**
 * Moves spooled messages to the broker: oldest first, at most WINDOW in flight,
 * each deleted from the spool only when the broker acknowledged it. After a
 * reconnect everything not acknowledged is sent again from the oldest (QoS 1 allows
 * duplicates, never gaps), so per-topic order holds across outages and restarts.
 */
export class SpoolPump {
  private client: MqttClient | undefined;
  private generation = 0;
  private inFlight = 0;
  private readonly feed: SpoolFeed;
  private scheduled = false;
  sent = 0;

  constructor(store: SpoolStore) {
    this.feed = new SpoolFeed(store);
  }

  /** Queues a message; it reaches the disk within this tick, before mqtt.js sees it. */
  enqueue(message: SpoolMessage): void {
    this.feed.enqueue(message);
    this.schedule();
  }

  connected(client: MqttClient): void {
    this.client = client;
    this.generation++;
    this.feed.rewind();
    this.inFlight = 0;
    this.schedule();
  }

  disconnected(): void {
    this.client = undefined;
    this.generation++;
  }

  /** Writes what is queued to disk now (used on stop). */
  flush(): void {
    this.feed.flush();
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
    // Acknowledgements are deleted in batches, and all of them once nothing is in flight.
    this.feed.flush(this.inFlight === 0);
    const client = this.client;
    if (!client?.connected) return;
    const generation = this.generation;
    while (this.inFlight < WINDOW) {
      const rows = this.feed.take(WINDOW - this.inFlight);
      if (rows.length === 0) break;
      for (const row of rows) {
        this.inFlight++;
        const id = row.id;
        client.publish(row.topic, row.payload, { qos: row.qos, retain: row.retain }, (err) => {
          if (generation !== this.generation) return;
          this.inFlight--;
          if (!err) {
            this.feed.ack(id);
            this.sent++;
          }
          this.schedule();
        });
      }
    }
  }
}
