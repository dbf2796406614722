import { AttributeIds, type NodeId, setErrorLogger, setWarningLogger } from 'node-opcua';
import type { GroupConfig, TagConfig } from '../../core/config/schema.js';
import { GatewayError } from '../../core/errors.js';
import { type BrowseEntry, type Driver, type DriverContext, tagAddress } from '../../core/plugin.js';
import type { DriverStats } from '../../core/status-payload.js';
import { badValue, type TagValue } from '../../core/values.js';
import { browseChildren } from './browse.js';
import { valueToVariant } from './convert.js';
import { NODE_ID_UNKNOWN } from './errors.js';
import { nodeOpcuaLoaded } from './logging.js';
import { NodeTypes } from './node-types.js';
import { nodeIdHint, parseNodeId, resolveAddress } from './nodeid.js';
import { type ResolvedTag, readDataValues, readTags, resultToTagValue } from './poll.js';
import { OpcuaConnection } from './session.js';
import type { OpcuaSettings } from './settings.js';
import { statusError, statusName } from './status.js';
import { GroupSubscription } from './subscription.js';
import { toTagValue } from './tag-value.js';
import { withTimeout } from './timeout.js';

/** What lives and dies with one connection: plans are per connection (nsu= indexes, subscriptions). */
interface Live {
  connection: OpcuaConnection;
  types: NodeTypes;
  resolved: WeakMap<GroupConfig, ResolvedTag[]>;
  /** Keyed by group name; the first group object seen for a name is the scheduled one. */
  subscriptions: Map<string, GroupSubscription>;
  creating: Map<string, Promise<GroupSubscription | undefined>>;
}

nodeOpcuaLoaded({ setWarningLogger, setErrorLogger });

/** After a failed subscription, its group is read instead for this long before trying again. */
const SUBSCRIBE_RETRY_MS = 30_000;

/**
 * One OPC UA server. `connect()` always closes what a previous connection left, then opens a
 * new session; a lost connection is reported to the core, which reconnects with backoff.
 */
export class OpcuaDriver implements Driver {
  private live: Live | undefined;
  private connects = 0;
  private readonly retryAfter = new Map<string, number>();
  private notificationsBefore = 0;
  /** Bumped by close(), so a connect() still in flight knows it was overtaken. */
  private generation = 0;

  constructor(
    private readonly ctx: DriverContext,
    private readonly settings: OpcuaSettings,
  ) {}

  async connect(): Promise<void> {
    await this.close();
    const generation = this.generation;
    const connection = await OpcuaConnection.open({
      settings: this.settings,
      dataDir: this.ctx.dataDir,
      deviceName: this.ctx.device.name,
      log: this.ctx.log,
      onLost: () => this.onLost(connection),
    });
    // close() while the session was being created (the device was stopped): that session must go too.
    if (generation !== this.generation) {
      await connection.close();
      throw new GatewayError('disconnected', 'the device was closed while connecting');
    }
    this.connects++;
    this.live = {
      connection,
      types: new NodeTypes(connection.session, this.settings.timeoutMs),
      resolved: new WeakMap(),
      subscriptions: new Map(),
      creating: new Map(),
    };
    this.retryAfter.clear();
    this.ctx.log.info({ endpoint: this.settings.endpointUrl, session: connection.sessionId }, 'OPC UA session created');
  }

  private onLost(connection: OpcuaConnection): void {
    if (this.live?.connection !== connection) return;
    this.ctx.connectionLost('disconnected');
  }

  async close(): Promise<void> {
    this.generation++;
    const live = this.live;
    this.live = undefined;
    if (!live) return;
    for (const sub of live.subscriptions.values()) {
      this.notificationsBefore += sub.notifications;
      sub.retire();
    }
    // Closing the session with deleteSubscriptions removes them on the server in the same step.
    await live.connection.close();
  }

  private requireLive(): Live {
    const live = this.live;
    if (!live?.connection.isOpen) throw new GatewayError('not-connected', 'the OPC UA server is not connected');
    return live;
  }

  private resolveTag(live: Live, tag: TagConfig): ResolvedTag {
    try {
      return { tag, nodeId: resolveAddress(parseNodeId(tagAddress(tag)), live.connection.namespaceArray) };
    } catch (err) {
      this.ctx.log.warn({ address: tag.address, err: (err as Error).message }, 'address cannot be used on this server');
      return { tag, error: NODE_ID_UNKNOWN };
    }
  }

  private resolveGroup(live: Live, group: GroupConfig): ResolvedTag[] {
    let tags = live.resolved.get(group);
    if (!tags) {
      tags = group.tags.map((t) => this.resolveTag(live, t));
      live.resolved.set(group, tags);
    }
    return tags;
  }

  async read(group: GroupConfig): Promise<TagValue[]> {
    const live = this.live;
    if (!live?.connection.isOpen) return group.tags.map(() => badValue('disconnected', Date.now()));
    if (group.tags.length === 0) return [];
    const tags = this.resolveGroup(live, group);
    const { session, limits } = live.connection;
    const sub = this.settings.mode === 'subscribe' ? await this.subscriptionFor(live, group, tags) : undefined;
    if (!sub) return readTags(session, tags, limits.maxNodesPerRead, this.settings.timeoutMs);

    // Another object under the subscription's group name is a one-off read (a write's read-back):
    // it always reads, and what it reads updates the subscription's values (tags found by identity).
    const own = sub.group === group;
    const slotOf = (i: number): number => (own ? i : sub.group.tags.indexOf((tags[i] as ResolvedTag).tag));
    const out: TagValue[] = new Array(tags.length);
    const missing: number[] = [];
    const now = Date.now();
    tags.forEach((t, i) => {
      const dv = own ? sub.current(i) : undefined;
      if (dv) out[i] = toTagValue(dv, t.tag, now);
      else missing.push(i);
    });
    if (missing.length > 0) {
      const startedAt = performance.now();
      const results = await readDataValues(
        session,
        missing.map((i) => tags[i] as ResolvedTag),
        limits.maxNodesPerRead,
        this.settings.timeoutMs,
      );
      const readAt = Date.now();
      missing.forEach((i, k) => {
        let result = results[k] ?? 'bad-response';
        const slot = slotOf(i);
        if (typeof result !== 'string' && slot >= 0) result = sub.offerRead(slot, result, startedAt);
        out[i] = resultToTagValue(result, (tags[i] as ResolvedTag).tag, readAt);
      });
    }
    return out;
  }

  /**
   * The subscription of the group's name, created on the first read under that name (and again
   * after the server ended it). Undefined means "read this time": a failed creation, or a
   * one-off read while the subscription is dead.
   */
  private async subscriptionFor(
    live: Live,
    group: GroupConfig,
    tags: ResolvedTag[],
  ): Promise<GroupSubscription | undefined> {
    const existing = live.subscriptions.get(group.name);
    if (existing) {
      if (existing.alive) return existing;
      // Only the group that created it makes it again; a one-off read of a dead one just reads.
      if (existing.group !== group) return undefined;
      live.subscriptions.delete(group.name);
      this.notificationsBefore += existing.notifications;
      void existing.close(this.settings.timeoutMs);
    }
    if ((this.retryAfter.get(group.name) ?? 0) > Date.now()) return undefined;
    let pending = live.creating.get(group.name);
    if (!pending) {
      pending = this.createSubscription(live, group, tags).finally(() => live.creating.delete(group.name));
      live.creating.set(group.name, pending);
    }
    return pending;
  }

  private async createSubscription(
    live: Live,
    group: GroupConfig,
    tags: ResolvedTag[],
  ): Promise<GroupSubscription | undefined> {
    const started = performance.now();
    try {
      const sub = await GroupSubscription.create({
        session: live.connection.session,
        group,
        tags,
        settings: this.settings,
        batchSize: live.connection.limits.maxMonitoredItemsPerCall,
        log: this.ctx.log,
      });
      if (this.live !== live) {
        await sub.close(this.settings.timeoutMs);
        return undefined;
      }
      live.subscriptions.set(group.name, sub);
      this.ctx.log.info(
        { group: group.name, monitoredItems: sub.monitoredItems, ms: Math.round(performance.now() - started) },
        'subscription created',
      );
      return sub;
    } catch (err) {
      this.retryAfter.set(group.name, Date.now() + SUBSCRIBE_RETRY_MS);
      this.ctx.log.warn(
        { group: group.name, err: (err as Error).message },
        `cannot subscribe; the group is read every interval, subscribing again in ${SUBSCRIBE_RETRY_MS / 1000} s`,
      );
      return undefined;
    }
  }

  private resolveForRequest(live: Live, address: string): NodeId {
    try {
      return resolveAddress(parseNodeId(address), live.connection.namespaceArray);
    } catch (err) {
      const text = (err as Error).message;
      if (text === nodeIdHint(address)) throw new GatewayError('invalid-config', `address: ${text}`);
      throw new GatewayError(NODE_ID_UNKNOWN, `${address}: ${text}`);
    }
  }

  async write(tag: TagConfig, value: unknown): Promise<void> {
    const live = this.requireLive();
    const nodeId = this.resolveForRequest(live, tagAddress(tag));
    const type = await live.types.nodeType(nodeId);
    // Every check happens before anything is sent.
    const variant = valueToVariant(value, type, tag);
    const status = await withTimeout(
      live.connection.session.write({ nodeId, attributeId: AttributeIds.Value, value: { value: variant } }),
      this.settings.timeoutMs,
      'writing',
    );
    if (!status.isGood()) {
      throw new GatewayError(
        statusError(status),
        `the server refused the write to ${tag.address}: ${statusName(status)}`,
      );
    }
    // Notifications from before the write may still be on their way: the node is read next time.
    for (const sub of live.subscriptions.values()) sub.written(nodeId);
  }

  async browse(nodeId = 'i=85'): Promise<BrowseEntry[]> {
    const live = this.requireLive();
    return browseChildren(
      {
        session: live.connection.session,
        types: live.types,
        timeoutMs: this.settings.timeoutMs,
        batchSize: live.connection.limits.maxNodesPerBrowse,
      },
      this.resolveForRequest(live, nodeId),
    );
  }

  async readOnce(address: string, type?: TagConfig['type']): Promise<TagValue & { dataType?: string }> {
    const live = this.requireLive();
    const nodeId = this.resolveForRequest(live, address);
    const [value, dataType] = await withTimeout(
      live.connection.session.read([
        { nodeId, attributeId: AttributeIds.Value },
        { nodeId, attributeId: AttributeIds.DataType },
      ]),
      this.settings.timeoutMs,
      'reading',
    );
    if (!value) throw new GatewayError('bad-response', 'the server sent no value');
    const tag: TagConfig = { name: 'readOnce', address, access: 'read', scale: 1, offset: 0, deadband: 0 };
    if (type !== undefined) tag.type = type;
    const result: TagValue & { dataType?: string } = toTagValue(value, tag);
    if (dataType?.statusCode.isGood()) {
      const name = await live.types.typeName(dataType.value.value as NodeId).catch(() => undefined);
      if (name !== undefined) result.dataType = name;
    }
    return result;
  }

  stats(): DriverStats {
    const live = this.live;
    const subs = live ? [...live.subscriptions.values()] : [];
    return {
      mode: this.settings.mode,
      sessionId: live?.connection.isOpen ? live.connection.sessionId : null,
      subscriptions: subs.length,
      monitoredItems: subs.reduce((n, s) => n + s.monitoredItems, 0),
      notifications: this.notificationsBefore + subs.reduce((n, s) => n + s.notifications, 0),
      reconnects: Math.max(0, this.connects - 1),
    };
  }
}
