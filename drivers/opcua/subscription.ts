/**
 * `mode: subscribe`: one subscription per group, its monitored items created in batches, the
 * newest DataValue kept per tag (`LatestValues`). The core still asks on the group's schedule;
 * `current()` then answers from memory, and only tags without a usable value are read.
 */

import {
  AttributeIds,
  type ClientMonitoredItemBase,
  ClientMonitoredItemGroup,
  type ClientSession,
  type ClientSubscription,
  DataChangeFilter,
  DataChangeTrigger,
  type DataValue,
  DeadbandType,
  type MonitoringParametersOptions,
  type NodeId,
  StatusCodes,
  TimestampsToReturn,
} from 'node-opcua';
import type { Logger } from 'pino';
import type { GroupConfig } from '../../core/config/schema.js';
import { LatestValues } from './latest-values.js';
import type { ResolvedTag } from './poll.js';
import type { OpcuaSettings } from './settings.js';
import { statusName } from './status.js';
import { withTimeout } from './timeout.js';

/** Statuses saying the item no longer watches a node (it was deleted): such tags are read instead. */
const ITEM_LOST = new Set([StatusCodes.BadNodeIdInvalid.value, StatusCodes.BadNodeIdUnknown.value]);

/** Longest publishing interval asked for: slower groups still get a prompt keep-alive (see below). */
const MAX_PUBLISHING_MS = 10_000;

export interface SubscriptionOptions {
  session: ClientSession;
  group: GroupConfig;
  tags: readonly ResolvedTag[];
  settings: OpcuaSettings;
  batchSize: number;
  log: Logger;
}

/**
 * Publishing parameters that node-opcua accepts: it refuses a subscription whose keep-alive
 * (maxKeepAliveCount × publishingInterval, count ≥ 3) exceeds the session timeout, so the
 * interval is capped and the count sized to give a keep-alive about every 10 s.
 */
export function publishingParameters(
  intervalMs: number,
  sessionTimeoutMs: number,
): { publishingInterval: number; maxKeepAliveCount: number; lifetimeCount: number } {
  const publishingInterval = Math.max(10, Math.min(intervalMs, MAX_PUBLISHING_MS, Math.floor(sessionTimeoutMs / 6)));
  // Sized as if the server raised the interval to 1 s, a common minimum, so its revision still fits.
  const fits = Math.floor(sessionTimeoutMs / (4 * Math.max(publishingInterval, 1000)));
  const maxKeepAliveCount = Math.max(3, Math.min(fits, Math.ceil(10_000 / publishingInterval)));
  return { publishingInterval, maxKeepAliveCount, lifetimeCount: maxKeepAliveCount * 6 };
}

function deadbandFilter(deadband: number, scale: number): DataChangeFilter | null {
  if (!(deadband > 0)) return null;
  // The tag's deadband is in published units; the server compares raw values.
  return new DataChangeFilter({
    trigger: DataChangeTrigger.StatusValue,
    deadbandType: DeadbandType.Absolute,
    deadbandValue: deadband / Math.abs(scale),
  });
}

export class GroupSubscription {
  /** Items the server accepted. */
  monitoredItems = 0;
  notifications = 0;
  private readonly latest: LatestValues;
  /** Tags with a monitored item the server accepted; the others are read on every cycle. */
  private readonly watched: boolean[];
  /** Node id (as text) → the tags reading it, so that a write can mark their values stale. */
  private readonly byNode = new Map<string, number[]>();
  private dead = false;

  private constructor(
    readonly group: GroupConfig,
    private readonly subscription: ClientSubscription,
    tags: readonly ResolvedTag[],
    timeoutMs: number,
    private readonly log: Logger,
  ) {
    // A notification sampled before a Read arrives within about a publishing interval of it.
    const publishingMs = Math.max(subscription.publishingInterval || 0, group.intervalMs);
    this.latest = new LatestValues(tags.length, 2 * publishingMs + timeoutMs);
    this.watched = new Array(tags.length).fill(false);
    tags.forEach((t, i) => {
      if (!t.nodeId) return;
      const key = t.nodeId.toString();
      this.byNode.set(key, [...(this.byNode.get(key) ?? []), i]);
    });
    const die = (why: string) => () => {
      if (!this.dead) log.warn({ group: group.name, why }, 'subscription ended; it is created again on the next read');
      this.dead = true;
    };
    subscription.on('terminated', die('terminated'));
    subscription.on('internal_error', die('internal error'));
    subscription.on('status_changed', (status: { value: number }) => die(statusName(status.value))());
  }

  /** False once the server ended the subscription (e.g. BadTimeout): the driver makes a new one. */
  get alive(): boolean {
    return !this.dead;
  }

  /**
   * A value read for tag `i` by a Read sent at `startedAt` (performance.now()). Returns the
   * newest value known for the tag: a notification newer than the Read wins over it, and a
   * notification older than the Read that arrives after it is dropped.
   */
  offerRead(i: number, dv: DataValue, startedAt: number): DataValue {
    return this.latest.offerRead(i, dv, startedAt);
  }

  /** A write to `nodeId` succeeded: its tags are read, not answered from memory, until a Read after it. */
  written(nodeId: NodeId): void {
    for (const i of this.byNode.get(nodeId.toString()) ?? []) this.latest.written(i);
  }

  private notified(i: number, dv: DataValue): void {
    this.notifications++;
    this.latest.notified(i, dv);
  }

  /** The newest value of tag `i`, or undefined when the tag must be read instead. */
  current(i: number): DataValue | undefined {
    const dv = this.latest.get(i);
    if (!dv || !this.watched[i]) return undefined;
    return ITEM_LOST.has((dv.statusCode.value & 0xffff0000) >>> 0) ? undefined : dv;
  }

  static async create(options: SubscriptionOptions): Promise<GroupSubscription> {
    const { session, group, tags, settings, log } = options;
    const params = publishingParameters(group.intervalMs, session.timeout);
    const subscription = await withTimeout(
      session.createSubscription2({
        requestedPublishingInterval: params.publishingInterval,
        requestedMaxKeepAliveCount: params.maxKeepAliveCount,
        requestedLifetimeCount: params.lifetimeCount,
        maxNotificationsPerPublish: 0,
        publishingEnabled: true,
        priority: 10,
      }),
      settings.timeoutMs,
      'creating a subscription',
    );
    const sub = new GroupSubscription(group, subscription, tags, settings.timeoutMs, log);
    try {
      await sub.monitor(options);
    } catch (err) {
      await sub.close(settings.timeoutMs);
      throw err;
    }
    return sub;
  }

  /** Creates the monitored items: one request per batch of items sharing the same parameters. */
  private async monitor(options: SubscriptionOptions): Promise<void> {
    const { tags, settings, batchSize, group } = options;
    const samplingInterval = settings.samplingIntervalMs === -1 ? group.intervalMs : settings.samplingIntervalMs;
    // Items of one request share one filter, so tags are grouped by their deadband.
    const byFilter = new Map<string, number[]>();
    tags.forEach((t, i) => {
      if (!t.nodeId) return;
      const key = t.tag.deadband > 0 ? `${t.tag.deadband / Math.abs(t.tag.scale)}` : 'none';
      const list = byFilter.get(key) ?? [];
      list.push(i);
      byFilter.set(key, list);
    });
    for (const indices of byFilter.values()) {
      const first = tags[indices[0] as number] as ResolvedTag;
      const parameters: MonitoringParametersOptions = {
        samplingInterval,
        queueSize: settings.queueSize,
        discardOldest: true,
        filter: deadbandFilter(first.tag.deadband, first.tag.scale),
      };
      for (let start = 0; start < indices.length; start += batchSize) {
        await this.monitorBatch(indices.slice(start, start + batchSize), tags, parameters, settings.timeoutMs);
      }
    }
  }

  private async monitorBatch(
    indices: number[],
    tags: readonly ResolvedTag[],
    parameters: MonitoringParametersOptions,
    timeoutMs: number,
  ): Promise<void> {
    const items = indices.map((i) => ({ nodeId: tags[i]?.nodeId as NodeId, attributeId: AttributeIds.Value }));
    const batch = ClientMonitoredItemGroup.create(this.subscription, items, parameters, TimestampsToReturn.Both);
    // Listening before the items exist, so the first notification cannot be missed.
    batch.on('changed', (_item: ClientMonitoredItemBase, dv: DataValue, index: number) => {
      const i = indices[index];
      if (i !== undefined) this.notified(i, dv);
    });
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        batch.once('initialized', () => resolve());
        batch.once('terminated', (err: Error) => reject(err));
      }),
      // Creating many items takes the server a while: allow 1 s per 1000 beyond the request timeout.
      timeoutMs + items.length,
      'creating monitored items',
    );
    batch.monitoredItems.forEach((item, k) => {
      if (item.statusCode.isGood()) {
        this.monitoredItems++;
        this.watched[indices[k] as number] = true;
      } else {
        // Read on every cycle instead: the read reports the node's status (e.g. BadNodeIdUnknown).
        this.log.debug(
          { address: tags[indices[k] as number]?.tag.address, status: statusName(item.statusCode) },
          'monitored item refused; the tag is read instead',
        );
      }
    });
  }

  /** Marks it ended without a warning: its session is being closed on purpose. */
  retire(): void {
    this.dead = true;
  }

  /** Deletes the subscription on the server, bounded by the timeout; never rejects. */
  async close(timeoutMs: number): Promise<void> {
    this.dead = true;
    await withTimeout(this.subscription.terminate(), timeoutMs, 'deleting a subscription').catch(() => undefined);
  }
}
