/**
 * QoS 0 values on their way to a broker that may be slower than the gateway. mqtt.js
 * writes every publish into the socket whether or not the socket keeps up, so without
 * this the socket's write buffer grows without bound. Here a message goes to mqtt.js only
 * while the socket holds less than HIGH_WATER bytes; the rest wait in a bounded queue,
 * oldest dropped (and counted) first, and move on when the socket drains. QoS 0 means "may
 * be lost": nothing is kept across a disconnect.
 */

/** Bytes waiting in the socket above which new messages wait here instead. */
const HIGH_WATER = 256 * 1024;
/** The queue's own bounds; the app's `buffer` limits apply when they are lower. */
const MAX_MESSAGES = 10_000;
const MAX_BYTES = 16 * 1024 * 1024;
/** Sent or dropped entries at the front of the queue that are cut off at once. */
const COMPACT_AFTER = 1024;
/** How soon to look again at a socket that is full but will not signal 'drain'. */
const RETRY_MS = 10;

/** The part of an mqtt.js client the queue uses (a fake in unit tests). */
export interface Qos0Client {
  readonly connected: boolean;
  readonly stream: {
    readonly writableLength: number;
    readonly writableNeedDrain: boolean;
    once(event: 'drain', listener: () => void): unknown;
  };
  publish(topic: string, payload: string, opts: { qos: 0; retain: boolean }): unknown;
}

interface Waiting {
  topic: string;
  payload: string;
}

export class Qos0Queue {
  private client: Qos0Client | undefined;
  private queue: Waiting[] = [];
  private head = 0;
  private bytes = 0;
  private waitingForDrain = false;
  private readonly maxMessages: number;
  private readonly maxBytes: number;
  /** Handed to mqtt.js. */
  sent = 0;
  /** Dropped: the oldest past the bounds, and whatever waited when the connection was lost. */
  dropped = 0;

  constructor(
    private readonly retain: boolean,
    limits: { maxMessages: number; maxBytes: number },
    private readonly highWater = HIGH_WATER,
  ) {
    this.maxMessages = Math.min(limits.maxMessages, MAX_MESSAGES);
    this.maxBytes = Math.min(limits.maxBytes, MAX_BYTES);
  }

  /** Messages waiting here (not counting what sits in the socket). */
  get length(): number {
    return this.queue.length - this.head;
  }

  connected(client: Qos0Client): void {
    this.client = client;
    this.waitingForDrain = false;
  }

  disconnected(): void {
    this.client = undefined;
    this.dropped += this.length;
    this.clear();
  }

  /** Sends now if the socket keeps up, else queues; false when there is no connection (nothing was kept). */
  send(topic: string, payload: string): boolean {
    const client = this.client;
    if (!client?.connected) return false;
    if (this.length === 0 && !this.congested(client)) {
      this.publish(client, topic, payload);
      return true;
    }
    this.queue.push({ topic, payload });
    this.bytes += payload.length; // characters: close enough to bound memory
    while (this.length > this.maxMessages || (this.bytes > this.maxBytes && this.length > 0)) this.dropOldest();
    this.compact();
    this.waitForDrain(client);
    return true;
  }

  private congested(client: Qos0Client): boolean {
    return client.stream.writableLength >= this.highWater;
  }

  private publish(client: Qos0Client, topic: string, payload: string): void {
    client.publish(topic, payload, { qos: 0, retain: this.retain });
    this.sent++;
  }

  private dropOldest(): void {
    const oldest = this.queue[this.head] as Waiting;
    this.bytes -= oldest.payload.length;
    this.head++;
    this.dropped++;
  }

  private waitForDrain(client: Qos0Client): void {
    if (this.waitingForDrain) return;
    this.waitingForDrain = true;
    const resume = () => {
      this.waitingForDrain = false;
      if (this.client === client) this.drain(client);
    };
    // 'drain' comes only after a write the socket refused; otherwise look again shortly.
    if (client.stream.writableNeedDrain) client.stream.once('drain', resume);
    else setTimeout(resume, RETRY_MS);
  }

  /** Moves waiting messages to mqtt.js until the socket is full again. */
  private drain(client: Qos0Client): void {
    while (this.length > 0 && client.connected && !this.congested(client)) {
      const next = this.queue[this.head] as Waiting;
      this.head++;
      this.bytes -= next.payload.length;
      this.publish(client, next.topic, next.payload);
    }
    if (this.length === 0) this.clear();
    else {
      this.compact();
      if (client.connected) this.waitForDrain(client);
    }
  }

  /** Lets go of entries already sent or dropped, so the array does not grow behind `head`. */
  private compact(): void {
    if (this.head < COMPACT_AFTER) return;
    this.queue = this.queue.slice(this.head);
    this.head = 0;
  }

  private clear(): void {
    this.queue = [];
    this.head = 0;
    this.bytes = 0;
  }
}
