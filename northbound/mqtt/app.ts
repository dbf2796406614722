import type { IClientOptions, IClientPublishOptions, IClientSubscribeOptions, IPublishPacket, MqttClient } from 'mqtt';
import { ACK_SUFFIX } from '../../core/alarms/alarm-service.js';
import type { DeviceState, GroupReading } from '../../core/bus.js';
import { errorCode, errorMessage } from '../../core/errors.js';
import type { NorthLink } from '../../core/north-link.js';
import type { NorthApp, NorthContext, NorthStatus } from '../../core/plugin.js';
import type { SpoolStore } from '../../core/store/spool-store.js';
import { deviceStatusTopic, gatewayStatusTopic, groupTopic, SET_RESULT_SUFFIX, SET_SUFFIX } from '../../core/uns.js';
import { clientOptions, connectMqtt } from '../mqtt-session/connection.js';
import { redactUrl } from '../mqtt-session/redact-url.js';
import { BrokerSessionWatch } from '../mqtt-session/session-watch.js';
import { settledWithin } from '../mqtt-session/settled-within.js';
import { SpoolPump } from '../spool-pump.js';
import { UnexpectedTopics } from '../unexpected-topics.js';
import { AckTargets, acknowledge, alarmPayload } from './alarm-topics.js';
import { ModelContracts } from './model-contracts.js';
import {
  GroupKeys,
  gatewayPayload,
  groupPayload,
  parseSetPayload,
  setResultPayload,
  statusPayload,
  valuePayload,
} from './payload.js';
import { Qos0Queue } from './qos0-queue.js';
import { type SetOwnerCandidate, setOwnerGroup, setOwners } from './set-owners.js';
import { SetTargets } from './set-targets.js';
import type { MqttSettings } from './settings.js';

/** Topic filters per SUBSCRIBE / UNSUBSCRIBE: ~30 KB with 60-character topics. */
const TOPICS_PER_PACKET = 500;

function* inPackets(topics: string[]): Generator<string[]> {
  for (let i = 0; i < topics.length; i += TOPICS_PER_PACKET) yield topics.slice(i, i + TOPICS_PER_PACKET);
}

/**
 * North plugin `mqtt`: publishes the UNS tree as JSON (SPEC §4), device and gateway
 * status, and takes writes from `{tag}/_set`.
 */
export class MqttNorthApp implements NorthApp, SetOwnerCandidate {
  private client: MqttClient | undefined;
  private unsubscribe: (() => void) | undefined;
  private unsubscribeAlarms: (() => void) | undefined;
  private readonly setTargets = new SetTargets();
  private readonly ackTargets = new AckTargets();
  /** The `_set` filters and `_ack` topics subscribed on the current connection (this app owns their devices' writes). */
  private subscribedSets = new Set<string>();
  /** Apps of this gateway on the same broker: one of them takes each device's writes. */
  private readonly ownerGroup: string;
  private readonly sessionWatch: BrokerSessionWatch;
  private readonly unexpected: UnexpectedTopics;
  /** Device name → device topic, kept with the set targets so the publish path does no lookups. */
  private deviceTopics = new Map<string, string>();
  /** Format `group`: the JSON keys of each group's tags, by group topic. */
  private groupKeys = new Map<string, GroupKeys>();
  /** The broker connection: the core retries it with backoff; this app opens it and reports. */
  private readonly link: NorthLink;
  /** Device name → the model it is built from (said in its `_status`). */
  private deviceModels = new Map<string, string>();
  private readonly contracts: ModelContracts;
  private expireTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  private lastError: string | undefined;
  private readonly counters = { dropped: 0, writes: 0, writeErrors: 0, bytes: 0 };
  private readonly statusTopic: string;
  private readonly spool: SpoolStore | undefined;
  private readonly pump: SpoolPump | undefined;
  private readonly qos0: Qos0Queue | undefined;
  private readonly options: IClientOptions;

  constructor(
    private readonly ctx: NorthContext,
    private readonly settings: MqttSettings,
  ) {
    this.statusTopic = gatewayStatusTopic(ctx.gateway);
    // QoS >= 1 values go through the disk spool; QoS 0 means "may be lost" and goes straight out.
    if (settings.qos > 0) {
      this.spool = ctx.spool(settings.buffer);
      this.pump = new SpoolPump(this.spool, undefined, { alwaysToDisk: settings.buffer.alwaysToDisk });
    } else {
      // Not spooled, but bounded: a broker slower than the gateway must not grow memory.
      this.qos0 = new Qos0Queue(settings.retain, settings.buffer);
    }
    this.options = {
      ...clientOptions(ctx, settings),
      reconnectPeriod: 0, // reconnects are ours: backoff with jitter, and a fresh client each time
      will: { topic: this.statusTopic, payload: Buffer.from('{"online":false}'), qos: 1, retain: true },
    };
    this.ownerGroup = setOwnerGroup(settings.url, ctx.dataDir, ctx.gateway.id);
    this.sessionWatch = new BrokerSessionWatch(settings.protocolVersion, this.options.clientId ?? '');
    this.unexpected = new UnexpectedTopics(ctx.log);
    this.link = ctx.link(() => this.connect(), { startDelayMaxMs: settings.startDelayMaxMs });
    this.contracts = new ModelContracts(ctx, settings.format === 'group');
  }

  get name(): string {
    return this.ctx.app.name;
  }

  get protocolVersion(): 4 | 5 {
    return this.settings.protocolVersion;
  }

  get brokerConnected(): boolean {
    return this.link.state === 'connected' && this.client?.connected === true;
  }

  publishes(device: string): boolean {
    return this.deviceTopics.has(device);
  }

  ownersChanged(): void {
    this.syncSetSubscriptions();
  }

  async start(): Promise<void> {
    this.stopping = false;
    this.unsubscribe = this.ctx.subscribe({
      reading: (r) => this.onReading(r),
      state: (device, state) => this.onDeviceState(device, state),
    });
    // Alarm state is retained and republished on every connect: straight out, never spooled.
    this.unsubscribeAlarms = this.ctx.alarms.subscribe((a) => this.publishDirect(a.topic, alarmPayload(a), true));
    this.refreshSetTopics();
    setOwners.join(this.ownerGroup, this);
    this.expireTimer = setInterval(() => this.spool?.expire(), 10_000);
    this.expireTimer.unref();
    this.link.start();
  }

  /** A new mqtt.js client per connection: nothing is carried over but what the spool holds. */
  private connect(): void {
    const client = connectMqtt(this.settings.url, this.options);
    this.client = client;
    this.sessionWatch.connecting();
    client.on('connect', () => this.client === client && this.onConnect(client));
    client.on('close', () => this.client === client && this.onClose(client));
    client.on('error', (err) => {
      if (this.client === client) this.sessionWatch.error(err);
      this.lastError = err.message;
      this.ctx.log.warn({ err: err.message }, 'MQTT error');
    });
    client.on(
      'disconnect',
      (packet) => this.client === client && this.sessionWatch.disconnectPacket(packet.reasonCode),
    );
    client.on('message', (topic, payload, packet) => void this.onMessage(topic, payload, packet));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.unsubscribe?.();
    this.unsubscribeAlarms?.();
    setOwners.leave(this.ownerGroup, this);
    this.link.stop();
    if (this.expireTimer) clearInterval(this.expireTimer);
    this.pump?.flush();
    this.pump?.stop();
    this.qos0?.disconnected();
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    if (client.connected) {
      // A clean goodbye (the will is only for an unexpected loss), bounded so shutdown stays within 5 s.
      // Devices first: once nothing publishes their state, a retained "connected" would be a lie.
      const goodbyes = this.stoppedDeviceStatuses().map(([topic, payload]) =>
        client.publishAsync(topic, payload, { qos: 1, retain: true }),
      );
      goodbyes.push(
        client.publishAsync(this.statusTopic, gatewayPayload(false, this.ctx.version), { qos: 1, retain: true }),
      );
      await settledWithin(Promise.all(goodbyes), 1000);
    }
    // A clean DISCONNECT (so the broker does not also fire the will); unacknowledged
    // messages stay in the spool for the next start, so waiting is bounded.
    const ended = await settledWithin(client.endAsync(false), 1000);
    if (!ended) await settledWithin(client.endAsync(true), 500);
  }

  status(): NorthStatus {
    const spool = this.pump?.stats();
    const state = this.link.state;
    const status: NorthStatus = {
      state,
      counters: {
        ...this.counters,
        reconnects: this.link.reconnects,
        published: this.pump?.sent ?? this.directSent + (this.qos0?.sent ?? 0),
        buffered: spool?.messages ?? 0,
        bufferedBytes: spool?.bytes ?? 0,
        oldestBufferedAgeMs: spool?.oldestAgeMs ?? 0,
        dropped: this.counters.dropped + (spool?.dropped ?? 0) + (this.qos0?.dropped ?? 0),
      },
    };
    if (this.lastError && state !== 'connected') status.error = this.lastError;
    else {
      const warning = this.sessionWatch.warning();
      if (warning) status.error = warning;
    }
    return status;
  }

  private directSent = 0;

  devicesChanged(): void {
    this.refreshSetTopics();
    this.syncSetSubscriptions();
    setOwners.changed(this.ownerGroup, this);
    if (!this.client?.connected) return;
    this.contracts.publishChanges((topic, payload) => this.publishDirect(topic, payload, true));
    for (const d of this.ctx.devices()) {
      this.publishDirect(deviceStatusTopic(d.topic), statusPayload(d.state, d.config.model), true);
    }
  }

  private refreshSetTopics(): void {
    const devices = this.ctx.devices();
    this.deviceTopics = new Map(devices.map((d) => [d.config.name, d.topic]));
    this.groupKeys = new Map();
    this.deviceModels = new Map(devices.flatMap((d) => (d.config.model ? [[d.config.name, d.config.model]] : [])));
    this.setTargets.refresh(devices);
    this.ackTargets.refresh(devices);
  }

  /** Subscribes to the `_set` topics of the devices whose writes this app owns now, and only those. */
  private syncSetSubscriptions(): void {
    const client = this.client;
    if (!client || !this.brokerConnected) return;
    const owned = (device: string) => setOwners.owns(this.ownerGroup, this, device);
    const wanted = new Set([...this.setTargets.filters(owned), ...this.ackTargets.topics(owned)]);
    const added = [...wanted].filter((t) => !this.subscribedSets.has(t));
    const removed = [...this.subscribedSets].filter((t) => !wanted.has(t));
    this.subscribedSets = wanted;
    // Removed first: a wildcard replaced by exact topics (or back) must never be subscribed
    // beside them, or one request could arrive twice. In packets of a bounded size: brokers
    // refuse large ones (EMQX: 1 MB by default).
    for (const topics of inPackets(removed)) client.unsubscribe(topics);
    for (const topics of inPackets(added)) client.subscribe(topics, this.setSubscribeOptions());
  }

  /**
   * MQTT 5: Retain-As-Published, so a request published with the retain flag while we are
   * connected still arrives flagged and is refused. MQTT 3.1.1 brokers clear the flag on live
   * delivery, so such a request cannot be told apart there (README, "MQTT topics").
   */
  private setSubscribeOptions(): IClientSubscribeOptions {
    return this.settings.protocolVersion === 5 ? { qos: 1, rap: true } : { qos: 1 };
  }

  /** `disconnected` with error `gateway-stopped` for every device that is not disabled. */
  private stoppedDeviceStatuses(): Array<[string, string]> {
    const now = Date.now();
    return this.ctx
      .devices()
      .filter((d) => d.state.state !== 'disabled')
      .map((d) => [
        deviceStatusTopic(d.topic),
        statusPayload({ state: 'disconnected', timestamp: now, error: 'gateway-stopped' }, d.config.model),
      ]);
  }

  private onConnect(client: MqttClient): void {
    this.link.connected();
    this.lastError = undefined;
    this.sessionWatch.accepted();
    this.qos0?.connected(client);
    this.ctx.log.info(`connected to ${redactUrl(this.settings.url)}`);
    // State first, straight out: it describes now, not the backlog.
    this.publishDirect(this.statusTopic, gatewayPayload(true, this.ctx.version), true);
    this.contracts.publishAll((topic, payload) => this.publishDirect(topic, payload, true));
    for (const d of this.ctx.devices()) {
      this.publishDirect(deviceStatusTopic(d.topic), statusPayload(d.state, d.config.model), true);
    }
    for (const a of this.ctx.alarms.current()) this.publishDirect(a.topic, alarmPayload(a), true);
    this.subscribedSets = new Set();
    this.syncSetSubscriptions();
    setOwners.changed(this.ownerGroup, this);
    // Current values after the backlog, so a restarted broker has the whole tree and order per tag holds.
    if (this.settings.format === 'uns') {
      for (const s of this.ctx.snapshot()) this.publishValue(s.topic, valuePayload(s.value));
    }
    this.pump?.start(client);
  }

  private onClose(client: MqttClient): void {
    if (this.stopping) return;
    const wasConnected = this.link.state === 'connected';
    if (wasConnected) this.ctx.log.warn('disconnected from broker');
    // Disconnected from here on (write ownership moves below); the core retries after its backoff.
    this.link.lost();
    this.subscribedSets = new Set();
    if (wasConnected) setOwners.changed(this.ownerGroup, this);
    const explanation = this.sessionWatch.closed();
    if (explanation) {
      if (explanation.fresh) this.ctx.log.warn(explanation.text);
      this.lastError = explanation.text;
    }
    this.pump?.stop();
    this.qos0?.disconnected();
    client.end(true);
  }

  private onReading(reading: GroupReading): void {
    if (this.settings.format === 'group') {
      if (reading.items.some((i) => i.publish)) {
        const topic = this.deviceTopics.get(reading.device);
        if (topic !== undefined) {
          const target = groupTopic(topic, reading.group);
          let keys = this.groupKeys.get(target);
          if (!keys) {
            keys = new GroupKeys();
            this.groupKeys.set(target, keys);
          }
          this.publishValue(target, groupPayload(reading.timestamp, reading.items, keys));
        }
      }
      return;
    }
    for (const item of reading.items) {
      if (item.publish) this.publishValue(item.topic, valuePayload(item.value));
    }
  }

  private onDeviceState(device: string, state: DeviceState): void {
    const topic = this.deviceTopics.get(device);
    if (topic !== undefined) {
      this.publishDirect(deviceStatusTopic(topic), statusPayload(state, this.deviceModels.get(device)), true);
    }
  }

  /** A value: spooled on disk at QoS >= 1, else sent (or queued, bounded) if connected. */
  private publishValue(topic: string, payload: string): void {
    this.counters.bytes += payload.length;
    if (this.pump) {
      this.pump.enqueue({ topic, payload, qos: this.settings.qos as 1 | 2, retain: this.settings.retain });
      return;
    }
    if (!this.qos0?.send(topic, payload)) this.counters.dropped++;
  }

  /** State and replies: meaningful only now, never spooled (state is republished on every connect). */
  private publishDirect(topic: string, payload: string, retain: boolean, opts?: IClientPublishOptions): void {
    const client = this.client;
    if (!client?.connected) {
      // Status is published again on every connect: only a write result is really lost.
      if (!retain) this.counters.dropped++;
      return;
    }
    this.directSent++;
    client.publish(topic, payload, opts ?? { qos: 1, retain });
  }

  private async onMessage(topic: string, payload: Buffer, packet: IPublishPacket): Promise<void> {
    if (topic.endsWith(ACK_SUFFIX)) return this.onAck(topic, payload, packet);
    const target = this.setTargets.match(topic);
    if (!target) {
      const unknown = this.setTargets.unknownTag(topic);
      if (unknown) this.unexpected.reportUnknownTag(topic, unknown.device, unknown.tag);
      else this.unexpected.report(topic, "tag's _set topic");
      return;
    }
    // Another app on this broker owns the device's writes now (ownership just moved): it answers.
    if (!setOwners.owns(this.ownerGroup, this, target.device)) return;
    if (packet.retain) {
      if (payload.length === 0) return; // someone clearing a retained request
      // A retained write would be replayed on every reconnect and restart: never act on it.
      this.ctx.log.warn({ topic }, 'ignored a retained write request; publish _set without the retain flag');
      return;
    }
    let id: unknown;
    let result: string;
    let asked = false;
    try {
      const request = parseSetPayload(payload);
      id = request.id;
      asked = true;
      await this.ctx.write(target.device, target.tag, request.value);
      this.counters.writes++;
      result = setResultPayload(id);
    } catch (err) {
      this.counters.writeErrors++;
      // A request that reached the device is logged (and audited) by the gateway; one that
      // could not even be read is logged here.
      if (!asked) {
        this.ctx.log.info({ tag: target.tag, device: target.device, error: errorCode(err) }, 'write refused');
      }
      result = setResultPayload(id, { code: errorCode(err), message: errorMessage(err) });
    }
    const responseTopic = packet.properties?.responseTopic;
    if (responseTopic) {
      const correlationData = packet.properties?.correlationData;
      this.publishDirect(responseTopic, result, false, {
        qos: 1,
        retain: false,
        properties: correlationData ? { correlationData } : {},
      });
    } else {
      this.publishDirect(topic.slice(0, -SET_SUFFIX.length) + SET_RESULT_SUFFIX, result, false, {
        qos: 1,
        retain: false,
      });
    }
  }

  /** `{tag topic}/_alarm/{alarm}/_ack`: the same rules as `_set` (one owner acts, retained requests are ignored). */
  private onAck(topic: string, payload: Buffer, packet: IPublishPacket): void {
    const target = this.ackTargets.match(topic);
    if (!target) this.unexpected.report(topic, "alarm's _ack topic");
    else if (setOwners.owns(this.ownerGroup, this, target.device)) {
      acknowledge(this.ctx, target, topic, payload, packet.retain);
    }
  }
}
