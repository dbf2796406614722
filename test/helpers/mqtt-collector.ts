import mqtt, { type IClientOptions, type IClientPublishOptions, type IPublishPacket, type MqttClient } from 'mqtt';

/** One message as a subscriber received it. */
export interface Received {
  topic: string;
  /** The payload as UTF-8 text (assert on this for exact number formatting). */
  text: string;
  /** The payload parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
  /** The retain flag as delivered (true for retained messages sent on subscribe). */
  retain: boolean;
  packet: IPublishPacket;
  /** Position in `messages`; compare with a `mark()` to look only at later messages. */
  index: number;
  receivedAt: number;
}

export type Predicate = (m: Received) => boolean;

export interface WaitOptions {
  /** Only messages at or after this index (from `mark()`); default 0 = everything received so far. */
  since?: number;
  timeoutMs?: number;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * A real MQTT subscriber that records every message and lets a test await the first
 * message matching a predicate (already received or still to come), with a timeout.
 */
export class MqttCollector {
  readonly messages: Received[] = [];
  private waiters: Array<{ predicate: Predicate; since: number; resolve: (m: Received) => void }> = [];

  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      const text = payload.toString('utf8');
      const m: Received = {
        topic,
        text,
        json: parseJson(text),
        retain: packet.retain,
        packet,
        index: this.messages.length,
        receivedAt: Date.now(),
      };
      this.messages.push(m);
      const matched = this.waiters.filter((w) => m.index >= w.since && w.predicate(m));
      if (matched.length > 0) {
        this.waiters = this.waiters.filter((w) => !matched.includes(w));
        for (const w of matched) w.resolve(m);
      }
    });
  }

  /** Connects to `url` and subscribes to `topics` (QoS 1); resolves once the subscription is granted. */
  static async connect(url: string, topics: string | string[], options: IClientOptions = {}): Promise<MqttCollector> {
    const client = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000, ...options });
    const collector = new MqttCollector(client);
    const list = Array.isArray(topics) ? topics : [topics];
    if (list.length > 0) await client.subscribeAsync(list, { qos: 1 });
    return collector;
  }

  /** The index the next message will get; pass as `since` to ignore what came before. */
  mark(): number {
    return this.messages.length;
  }

  /** Messages received so far (from `since`) that match. */
  filter(predicate: Predicate, since = 0): Received[] {
    return this.messages.slice(since).filter(predicate);
  }

  /** Resolves with the first message (at or after `since`) matching `predicate`; rejects after the timeout. */
  waitFor(predicate: Predicate, options: WaitOptions = {}): Promise<Received> {
    const since = options.since ?? 0;
    const timeoutMs = options.timeoutMs ?? 5000;
    const found = this.messages.slice(since).find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise<Received>((resolve, reject) => {
      const waiter = {
        predicate,
        since,
        resolve: (m: Received) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        const recent = this.messages
          .slice(Math.max(since, this.messages.length - 10))
          .map((m) => `  ${m.topic} ${m.text.slice(0, 200)}`)
          .join('\n');
        reject(
          new Error(
            `no matching MQTT message within ${timeoutMs} ms (${this.messages.length - since} messages since ${since}); last ones:\n${recent}`,
          ),
        );
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Waits for the first message on exactly `topic` that also matches `predicate` (if given). */
  waitForTopic(topic: string, predicate: Predicate = () => true, options: WaitOptions = {}): Promise<Received> {
    return this.waitFor((m) => m.topic === topic && predicate(m), options);
  }

  async publish(topic: string, payload: string | Buffer, options: IClientPublishOptions = { qos: 1 }): Promise<void> {
    await this.client.publishAsync(topic, payload, options);
  }

  async close(): Promise<void> {
    this.waiters = [];
    await this.client.endAsync(true);
  }
}

/** Field access on a parsed JSON payload, for predicates: `field(m, 'quality') === 'good'`. */
export function field(m: Received, key: string): unknown {
  const json = m.json;
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return undefined;
  return (json as Record<string, unknown>)[key];
}
