import mqtt, { type IClientOptions, type IClientPublishOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import { Backoff } from '../../core/backoff.js';
import type { DeviceState, GroupReading } from '../../core/bus.js';
import { errorCode, errorMessage, GatewayError } from '../../core/errors.js';
import { parseExact } from '../../core/json.js';
import type { NorthApp, NorthContext, NorthStatus } from '../../core/plugin.js';
import {
  deviceStatusTopic,
  gatewayStatusTopic,
  groupTopic,
  SET_RESULT_SUFFIX,
  SET_SUFFIX,
  tagTopic,
} from '../../core/uns.js';
import { clientOptions } from './connection.js';
import { gatewayPayload, groupPayload, setResultPayload, statusPayload, valuePayload } from './payload.js';
import type { MqttSettings } from './settings.js';

interface SetTarget {
  device: string;
  tag: string;
}

/**
 * North plugin `mqtt`: publishes the UNS tree as JSON (SPEC §4), device and gateway
 * status, and takes writes from `{tag}/_set`.
 */
export class MqttNorthApp implements NorthApp {
  private client: MqttClient | undefined;
  private unsubscribe: (() => void) | undefined;
  private setTopics = new Map<string, SetTarget>();
  private readonly backoff = new Backoff(1000, 30_000);
  private reconnectTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  private state: NorthStatus['state'] = 'connecting';
  private lastError: string | undefined;
  private offlineQueued = 0;
  private readonly counters = { published: 0, bytes: 0, dropped: 0, reconnects: 0, writes: 0, writeErrors: 0 };
  private readonly publishOpts: IClientPublishOptions;
  private readonly statusTopic: string;

  constructor(
    private readonly ctx: NorthContext,
    private readonly settings: MqttSettings,
  ) {
    this.publishOpts = { qos: settings.qos, retain: settings.retain };
    this.statusTopic = gatewayStatusTopic(ctx.gateway);
  }

  async start(): Promise<void> {
    this.stopping = false;
    const options: IClientOptions = {
      ...clientOptions(this.ctx, this.settings),
      reconnectPeriod: 0, // reconnects are ours: backoff with jitter
      will: { topic: this.statusTopic, payload: Buffer.from('{"online":false}'), qos: 1, retain: true },
    };
    const client = mqtt.connect(this.settings.url, options);
    this.client = client;
    client.on('connect', () => this.onConnect());
    client.on('close', () => this.onClose());
    client.on('error', (err) => {
      this.lastError = err.message;
      this.ctx.log.warn({ err: err.message }, 'MQTT error');
    });
    client.on('message', (topic, payload, packet) => void this.onMessage(topic, payload, packet));
    this.unsubscribe = this.ctx.subscribe({
      reading: (r) => this.onReading(r),
      state: (device, state) => this.onDeviceState(device, state),
    });
    this.refreshSetTopics();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.unsubscribe?.();
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    if (client.connected) {
      // A clean goodbye (the will is only for an unexpected loss), bounded so shutdown stays within 5 s.
      await withTimeout(
        client.publishAsync(this.statusTopic, gatewayPayload(false, this.ctx.version), { qos: 1, retain: true }),
        1000,
      );
    }
    const ended = await withTimeout(client.endAsync(!client.connected), 1500);
    if (!ended) await withTimeout(client.endAsync(true), 500);
    this.state = 'disconnected';
  }

  status(): NorthStatus {
    const status: NorthStatus = { state: this.state, counters: { ...this.counters, queued: this.offlineQueued } };
    if (this.lastError && this.state !== 'connected') status.error = this.lastError;
    return status;
  }

  devicesChanged(): void {
    const before = new Set(this.setTopics.keys());
    this.refreshSetTopics();
    const client = this.client;
    if (!client?.connected) return;
    const added = [...this.setTopics.keys()].filter((t) => !before.has(t));
    const removed = [...before].filter((t) => !this.setTopics.has(t));
    if (added.length > 0) client.subscribe(added, { qos: 1 });
    if (removed.length > 0) client.unsubscribe(removed);
    for (const d of this.ctx.devices()) this.publishRaw(deviceStatusTopic(d.topic), statusPayload(d.state), true);
  }

  private refreshSetTopics(): void {
    this.setTopics = new Map();
    for (const d of this.ctx.devices()) {
      for (const g of d.config.groups) {
        for (const t of g.tags) {
          // Read-only tags are subscribed too, so that a write to one is answered with "read-only".
          this.setTopics.set(tagTopic(d.topic, t.name) + SET_SUFFIX, { device: d.config.name, tag: t.name });
        }
      }
    }
  }

  private onConnect(): void {
    const client = this.client;
    if (!client) return;
    this.backoff.reset();
    this.state = 'connected';
    this.lastError = undefined;
    this.offlineQueued = 0;
    this.ctx.log.info(`connected to ${redactUrl(this.settings.url)}`);
    this.publishRaw(this.statusTopic, gatewayPayload(true, this.ctx.version), true);
    for (const d of this.ctx.devices()) this.publishRaw(deviceStatusTopic(d.topic), statusPayload(d.state), true);
    // Current values, so a new or restarted broker has the whole tree at once.
    for (const s of this.ctx.snapshot()) {
      if (this.settings.format === 'uns') this.publishRaw(s.topic, valuePayload(s.value), this.settings.retain);
    }
    if (this.setTopics.size > 0) client.subscribe([...this.setTopics.keys()], { qos: 1 });
  }

  private onClose(): void {
    if (this.stopping) return;
    if (this.state === 'connected') this.ctx.log.warn('disconnected from broker');
    this.state = 'disconnected';
    if (this.reconnectTimer) return;
    const delay = this.backoff.next();
    this.counters.reconnects++;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.stopping || !this.client) return;
      this.state = 'connecting';
      // Keep the stores: reconnect() without them starts empty and loses what was queued.
      const { incomingStore, outgoingStore } = this.client;
      this.client.reconnect({ incomingStore, outgoingStore });
    }, delay);
  }

  private onReading(reading: GroupReading): void {
    if (this.settings.format === 'group') {
      if (reading.items.some((i) => i.publish)) {
        const device = this.ctx.devices().find((d) => d.config.name === reading.device);
        if (device) {
          this.publishRaw(
            groupTopic(device.topic, reading.group),
            groupPayload(reading.timestamp, reading.items),
            this.settings.retain,
          );
        }
      }
      return;
    }
    for (const item of reading.items) {
      if (item.publish) this.publishRaw(item.topic, valuePayload(item.value), this.settings.retain);
    }
  }

  private onDeviceState(device: string, state: DeviceState): void {
    const d = this.ctx.devices().find((x) => x.config.name === device);
    if (d) this.publishRaw(deviceStatusTopic(d.topic), statusPayload(state), true);
  }

  private publishRaw(topic: string, payload: string, retain: boolean, opts?: IClientPublishOptions): void {
    const client = this.client;
    if (!client) return;
    if (!client.connected) {
      // Bounded in memory until the disk spool takes over this job.
      if (this.settings.qos === 0 || this.offlineQueued >= this.settings.buffer.maxMessages) {
        this.counters.dropped++;
        return;
      }
      this.offlineQueued++;
    }
    this.counters.published++;
    this.counters.bytes += payload.length;
    client.publish(topic, payload, opts ?? { ...this.publishOpts, retain });
  }

  private async onMessage(topic: string, payload: Buffer, packet: IPublishPacket): Promise<void> {
    const target = this.setTopics.get(topic);
    if (!target) return;
    if (packet.retain) {
      // A retained write would be replayed on every reconnect and restart: never act on it.
      this.ctx.log.warn({ topic }, 'ignored a retained write request; publish _set without the retain flag');
      return;
    }
    let id: unknown;
    let result: string;
    try {
      const request = parseSetPayload(payload);
      id = request.id;
      await this.ctx.write(target.device, target.tag, request.value);
      this.counters.writes++;
      result = setResultPayload(id);
    } catch (err) {
      this.counters.writeErrors++;
      this.ctx.log.info({ tag: target.tag, device: target.device, error: errorCode(err) }, 'write refused');
      result = setResultPayload(id, { code: errorCode(err), message: errorMessage(err) });
    }
    const responseTopic = packet.properties?.responseTopic;
    if (responseTopic) {
      const correlationData = packet.properties?.correlationData;
      this.publishRaw(responseTopic, result, false, {
        qos: 1,
        retain: false,
        properties: correlationData ? { correlationData } : {},
      });
    } else {
      this.publishRaw(topic.slice(0, -SET_SUFFIX.length) + SET_RESULT_SUFFIX, result, false);
    }
  }
}

/** `_set` payload: a JSON value (`42`, `true`, `"AB"`) or `{"value": 42, "id": "abc"}`. */
export function parseSetPayload(payload: Buffer): { value: unknown; id?: unknown } {
  let parsed: unknown;
  try {
    parsed = parseExact(payload.toString('utf8'));
  } catch {
    throw new GatewayError('invalid-value', 'payload is not JSON; send e.g. 42, true, "text" or {"value": 42}');
  }
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const obj = parsed as Record<string, unknown>;
    if (!('value' in obj)) throw new GatewayError('invalid-value', 'object payload needs a "value" key');
    return { value: obj.value, id: obj.id };
  }
  return { value: parsed };
}

/** Resolves true when `promise` settles in time, false otherwise; never rejects. */
async function withTimeout(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true).catch(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
