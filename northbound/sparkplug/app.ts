import type { IClientOptions, IPublishPacket, MqttClient } from 'mqtt';
import { errorMessage } from '../../core/errors.js';
import type { NorthLink } from '../../core/north-link.js';
import type { NorthApp, NorthContext, NorthStatus } from '../../core/plugin.js';
import type { SpoolStore } from '../../core/store/spool-store.js';
import { clientOptions, connectMqtt } from '../mqtt-session/connection.js';
import { redactUrl } from '../mqtt-session/redact-url.js';
import { BrokerSessionWatch } from '../mqtt-session/session-watch.js';
import { settledWithin } from '../mqtt-session/settled-within.js';
import { UnexpectedTopics } from '../unexpected-topics.js';
import { BdSeqStore } from './bdseq-store.js';
import { encodePayload } from './codec.js';
import { CommandHandler } from './commands.js';
import { EdgeNode } from './edge-node.js';
import { PrimaryHostState } from './host-state.js';
import { nodeDeathPayload } from './payloads.js';
import type { SparkplugSettings } from './settings.js';
import { isStateTopic, SparkplugTopics, stateTopic } from './topics.js';

/**
 * North plugin `sparkplug-b`: the gateway as a Sparkplug 3.0 edge node (SPEC §4, README.md
 * in this folder). This class owns the MQTT connection: a fresh client per connection
 * whose will is the NDEATH with that connection's bdSeq, the command and STATE
 * subscriptions (the core retries it with backoff). The Sparkplug session itself is `EdgeNode`.
 */
export class SparkplugNorthApp implements NorthApp {
  private client: MqttClient | undefined;
  private unsubscribe: (() => void) | undefined;
  /** The broker connection: the core retries it with backoff; this app opens it and reports. */
  private readonly link: NorthLink;
  private unsubscribeAlarms: (() => void) | undefined;
  private expireTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  private lastError: string | undefined;
  /** bdSeq of the current connection's will. */
  private bdSeq: number | undefined;
  private readonly topics: SparkplugTopics;
  private readonly bdSeqStore: BdSeqStore;
  private readonly spool: SpoolStore;
  private readonly node: EdgeNode;
  private readonly commands: CommandHandler;
  private readonly host: PrimaryHostState | undefined;
  private readonly sessionWatch: BrokerSessionWatch;
  private readonly unexpected: UnexpectedTopics;

  constructor(
    private readonly ctx: NorthContext,
    private readonly settings: SparkplugSettings,
  ) {
    this.topics = new SparkplugTopics(settings.groupId, ctx.gateway.id);
    this.bdSeqStore = BdSeqStore.forApp(ctx.dataDir, ctx.app.name);
    this.spool = ctx.spool(settings.buffer);
    this.node = new EdgeNode({
      ctx,
      topics: this.topics,
      spool: this.spool,
      dataQos: settings.dataQos,
      alwaysToDisk: settings.buffer.alwaysToDisk,
    });
    this.commands = new CommandHandler(this.node, ctx);
    if (settings.primaryHostId) this.host = new PrimaryHostState(settings.primaryHostId);
    this.sessionWatch = new BrokerSessionWatch(settings.protocolVersion, clientOptions(ctx, settings).clientId ?? '');
    this.unexpected = new UnexpectedTopics(ctx.log);
    this.link = ctx.link(() => this.connect());
  }

  async start(): Promise<void> {
    this.stopping = false;
    this.unsubscribe = this.ctx.subscribe({
      reading: (r) => this.node.onReading(r),
      state: (device, state) => this.node.onDeviceState(device, state),
    });
    this.unsubscribeAlarms = this.ctx.alarms.subscribe((alarm) => this.node.onAlarm(alarm));
    this.expireTimer = setInterval(() => this.spool.expire(), 10_000);
    this.expireTimer.unref();
    this.link.start();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.unsubscribe?.();
    this.unsubscribeAlarms?.();
    this.link.stop();
    if (this.expireTimer) clearInterval(this.expireTimer);
    this.node.end();
    // Unacknowledged data stays in the spool for the next start.
    this.node.pump.close();
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    if (client.connected && this.bdSeq !== undefined) {
      // Sparkplug 3.0 §5.5: an intentional disconnect publishes the NDEATH itself (the will is only for a loss).
      await settledWithin(client.publishAsync(this.topics.node('NDEATH'), this.ndeath(this.bdSeq), { qos: 1 }), 1000);
    }
    // A DISCONNECT follows (not a dropped socket), so that the broker does not publish the will as well.
    if (!(await settledWithin(client.endAsync(false), 1000))) client.stream?.destroy();
  }

  devicesChanged(): void {
    this.node.devicesChanged();
  }

  status(): NorthStatus {
    const spool = this.node.pump.stats();
    // Connected to the broker but not yet born (waiting for the primary host) is still "connecting".
    const waiting = this.link.state === 'connected' && !this.node.live;
    const state: NorthStatus['state'] = waiting ? 'connecting' : this.link.state;
    const status: NorthStatus = {
      state,
      counters: {
        published: this.node.counters.published + this.node.pump.sent,
        births: this.node.counters.births,
        deaths: this.node.counters.deaths,
        rebirths: this.node.counters.rebirths,
        seq: this.node.seq.last ?? 0,
        bdSeq: this.bdSeq ?? this.bdSeqStore.last() ?? 0,
        buffered: spool.messages,
        bufferedBytes: spool.bytes,
        oldestBufferedAgeMs: spool.oldestAgeMs,
        dropped: spool.dropped + this.node.pump.skipped,
        reconnects: this.link.reconnects,
        ...this.commands.counters,
        ...(this.host ? { primaryHostOnline: this.host.online ? 1 : 0 } : {}),
      },
    };
    if (waiting && this.host) status.error = `waiting for primary host "${this.host.hostId}" to be online`;
    else if (this.lastError && state !== 'connected') status.error = this.lastError;
    else {
      const warning = this.sessionWatch.warning();
      if (warning) status.error = warning;
    }
    return status;
  }

  /** A new mqtt.js client per connection: its will must carry this connection's bdSeq. */
  private connect(): void {
    const bdSeq = this.bdSeqStore.next();
    this.bdSeq = bdSeq;
    const options: IClientOptions = {
      ...clientOptions(this.ctx, this.settings),
      reconnectPeriod: 0, // reconnects are ours: backoff with jitter, and a new bdSeq each time
      will: { topic: this.topics.node('NDEATH'), payload: this.ndeath(bdSeq), qos: 1, retain: false },
    };
    const client = connectMqtt(this.settings.url, options);
    this.client = client;
    this.sessionWatch.connecting();
    client.on('connect', () => {
      if (this.client === client) void this.onConnect(client);
    });
    client.on('close', () => {
      if (this.client === client) this.onClose(client);
    });
    client.on('error', (err) => {
      if (this.client === client) this.sessionWatch.error(err);
      this.lastError = err.message;
      this.ctx.log.warn({ err: err.message }, 'MQTT error');
    });
    client.on('disconnect', (packet) => {
      if (this.client === client) this.sessionWatch.disconnectPacket(packet.reasonCode);
    });
    client.on('message', (topic, payload, packet) => {
      if (this.client === client) this.onMessage(client, topic, payload, packet);
    });
  }

  private async onConnect(client: MqttClient): Promise<void> {
    this.link.connected();
    this.lastError = undefined;
    this.sessionWatch.accepted();
    this.host?.reset();
    this.ctx.log.info({ bdSeq: this.bdSeq }, `connected to ${redactUrl(this.settings.url)}`);
    const topics = [this.topics.node('NCMD'), this.topics.deviceCommands];
    if (this.host) topics.push(stateTopic(this.host.hostId));
    try {
      // Commands (and the host's STATE) are subscribed before the births, so no rebirth request is missed.
      await client.subscribeAsync(topics, { qos: 1 });
    } catch (err) {
      this.ctx.log.warn({ err: errorMessage(err) }, 'cannot subscribe; reconnecting');
      client.end(true);
      return;
    }
    if (this.client !== client || !client.connected) return;
    if (!this.host || this.host.online) this.beginSession(client);
    else this.ctx.log.info(`waiting for primary host "${this.host.hostId}" to be online before the births`);
  }

  private beginSession(client: MqttClient): void {
    if (this.node.live || this.bdSeq === undefined) return;
    this.node.begin(client, this.bdSeq);
  }

  private onClose(client: MqttClient): void {
    if (this.stopping) return;
    if (this.link.state === 'connected') this.ctx.log.warn('disconnected from broker');
    // The core retries after its backoff (a timer: the old client is ended below first).
    this.link.lost();
    const explanation = this.sessionWatch.closed();
    if (explanation) {
      if (explanation.fresh) this.ctx.log.warn(explanation.text);
      this.lastError = explanation.text;
    }
    this.node.end();
    client.end(true);
  }

  private onMessage(client: MqttClient, topic: string, payload: Buffer, packet: IPublishPacket): void {
    if (this.host && isStateTopic(topic, this.host.hostId)) {
      this.onHostState(client, payload);
      return;
    }
    const nodeCommand = this.topics.isNodeCommand(topic);
    const device = nodeCommand ? undefined : this.topics.commandDevice(topic);
    if (!nodeCommand && device === undefined) {
      this.unexpected.report(topic, 'NCMD, DCMD or primary host STATE topic of this edge node');
      return;
    }
    if (packet.retain) {
      // A retained command would be replayed on every reconnect and restart: never act on it.
      this.ctx.log.warn({ topic }, 'ignored a retained Sparkplug command');
      return;
    }
    if (nodeCommand) this.commands.nodeCommand(payload);
    else if (device !== undefined) void this.commands.deviceCommand(device, payload);
  }

  /** Sparkplug 3.0 §5.4: births wait for the host online; when it goes offline, NDEATH and start over. */
  private onHostState(client: MqttClient, payload: Buffer): void {
    const change = this.host?.update(payload);
    if (change === 'online') {
      this.ctx.log.info(`primary host "${this.host?.hostId}" is online`);
      if (client.connected) this.beginSession(client);
    } else if (change === 'offline') {
      this.ctx.log.warn(`primary host "${this.host?.hostId}" went offline; NDEATH, reconnecting to wait for it`);
      if (!this.node.live || this.bdSeq === undefined) return;
      this.node.end();
      client.publish(this.topics.node('NDEATH'), this.ndeath(this.bdSeq), { qos: 1, retain: false }, () => {
        // After the NDEATH has left: a new connection (new bdSeq) waits for the host.
        if (this.client === client) client.end(false);
      });
    }
  }

  private ndeath(bdSeq: number): Buffer {
    return encodePayload(nodeDeathPayload(bdSeq, Date.now()));
  }
}
