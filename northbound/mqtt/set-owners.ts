/**
 * Which `mqtt` north app takes a device's write requests (`{tag}/_set`) when several apps of
 * one gateway publish that device to the same broker. They all publish the same topics, so
 * each would subscribe to the same `_set` topics and one request would become one device
 * write per app. Instead exactly one app subscribes: among the apps connected to that broker
 * and publishing the device, MQTT 5 apps first (they honour response topics), then by name.
 * When the owner loses its connection or stops, the next one takes over.
 */

export interface SetOwnerCandidate {
  readonly name: string;
  readonly protocolVersion: 4 | 5;
  /** Connected to the broker now (only a connected app can take requests). */
  readonly brokerConnected: boolean;
  /** Whether this app publishes `device`. */
  publishes(device: string): boolean;
  /** Ownership may have moved (an app joined, left, connected, disconnected or changed its devices). */
  ownersChanged(): void;
}

export class SetOwners {
  private readonly groups = new Map<string, Set<SetOwnerCandidate>>();

  join(group: string, app: SetOwnerCandidate): void {
    let members = this.groups.get(group);
    if (!members) {
      members = new Set();
      this.groups.set(group, members);
    }
    members.add(app);
    this.changed(group, app);
  }

  leave(group: string, app: SetOwnerCandidate): void {
    const members = this.groups.get(group);
    if (!members?.delete(app)) return;
    if (members.size === 0) this.groups.delete(group);
    this.changed(group, app);
  }

  /** Tells the other members of `group` that `app` changed (connection or devices). */
  changed(group: string, app: SetOwnerCandidate): void {
    for (const member of this.groups.get(group) ?? []) if (member !== app) member.ownersChanged();
  }

  owns(group: string, app: SetOwnerCandidate, device: string): boolean {
    let owner: SetOwnerCandidate | undefined;
    for (const member of this.groups.get(group) ?? [app]) {
      if (!member.brokerConnected || !member.publishes(device)) continue;
      if (!owner || ranksBefore(member, owner)) owner = member;
    }
    return owner === app;
  }
}

function ranksBefore(a: SetOwnerCandidate, b: SetOwnerCandidate): boolean {
  if (a.protocolVersion !== b.protocolVersion) return a.protocolVersion > b.protocolVersion;
  return a.name < b.name;
}

/** One registry per process; groups keep gateways (data directories) and brokers apart. */
export const setOwners = new SetOwners();

const DEFAULT_PORTS: Record<string, string> = { mqtt: '1883', mqtts: '8883', ws: '80', wss: '443' };
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/**
 * The group of apps that share `_set` topics: one gateway (its data directory and id) and
 * one broker, by host and port as written in the URL (`localhost` and `127.0.0.1` are one
 * host; a broker reached under two different names counts as two).
 */
export function setOwnerGroup(url: string, dataDir: string, gatewayId: string): string {
  let broker = url;
  try {
    const parsed = new URL(url);
    const scheme = parsed.protocol.replace(/:$/, '');
    const host = LOOPBACK.has(parsed.hostname.toLowerCase()) ? 'localhost' : parsed.hostname.toLowerCase();
    const port = parsed.port || DEFAULT_PORTS[scheme] || '';
    const path = scheme.startsWith('ws') ? parsed.pathname : '';
    broker = `${host}:${port}${path}`;
  } catch {
    // A URL the schema accepted but URL cannot parse: compared as written.
  }
  return `${dataDir}\n${gatewayId}\n${broker}`;
}
