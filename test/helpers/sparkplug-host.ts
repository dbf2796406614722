/**
 * A test-side Sparkplug host application: subscribes to spBv1.0/#, decodes every message
 * with Eclipse Tahu's `sparkplug-payload` (the same encoder the gateway uses, but none of
 * the gateway's own decoding), records them, and sends STATE, NCMD and DCMD.
 */
import mqtt, { type MqttClient } from 'mqtt';
import sparkplug from 'sparkplug-payload';

const tahu = sparkplug.get('spBv1.0');
if (!tahu) throw new Error('sparkplug-payload has no spBv1.0');
const spb = tahu;

export type MetricValue = number | bigint | boolean | string | null;

export interface HostMetric {
  name?: string;
  alias?: number;
  type?: string;
  /** Int64/UInt64 as bigint (exact), UInt32 as number. */
  value: MetricValue;
  timestamp?: number;
  isHistorical?: boolean;
  properties: Record<string, { type?: string; value: MetricValue }>;
}

export interface SpMessage {
  topic: string;
  /** NBIRTH, DBIRTH, NDATA, DDATA, NDEATH, DDEATH, NCMD, DCMD or STATE. */
  type: string;
  group?: string;
  node?: string;
  device?: string;
  seq?: number;
  timestamp?: number;
  metrics: HostMetric[];
  /** STATE: the JSON payload. */
  state?: unknown;
  retain: boolean;
  qos: number;
  index: number;
  receivedAt: number;
}

export type Predicate = (m: SpMessage) => boolean;

export interface SentMetric {
  name?: string;
  alias?: number;
  type:
    | 'Boolean'
    | 'Int8'
    | 'Int16'
    | 'Int32'
    | 'Int64'
    | 'UInt8'
    | 'UInt16'
    | 'UInt32'
    | 'UInt64'
    | 'Float'
    | 'Double'
    | 'String';
  value: number | boolean | string | { low: number; high: number; unsigned: boolean };
}

export class SparkplugHost {
  readonly messages: SpMessage[] = [];
  private waiters: Array<{ predicate: Predicate; since: number; resolve: (m: SpMessage) => void }> = [];

  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      const m = parseMessage(topic, payload, packet.retain, packet.qos, this.messages.length);
      this.messages.push(m);
      const matched = this.waiters.filter((w) => m.index >= w.since && w.predicate(m));
      this.waiters = this.waiters.filter((w) => !matched.includes(w));
      for (const w of matched) w.resolve(m);
    });
  }

  static async connect(url: string, topics: string | string[] = 'spBv1.0/#'): Promise<SparkplugHost> {
    const client = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000, clean: true });
    const host = new SparkplugHost(client);
    await client.subscribeAsync(topics, { qos: 1 });
    return host;
  }

  mark(): number {
    return this.messages.length;
  }

  filter(predicate: Predicate, since = 0): SpMessage[] {
    return this.messages.slice(since).filter(predicate);
  }

  waitFor(predicate: Predicate, opts: { since?: number; timeoutMs?: number } = {}): Promise<SpMessage> {
    const since = opts.since ?? 0;
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const found = this.messages.slice(since).find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = {
        predicate,
        since,
        resolve: (m: SpMessage) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        const recent = this.messages
          .slice(Math.max(since, this.messages.length - 12))
          .map((m) => `  ${m.topic} seq=${m.seq} ${m.metrics.length} metrics`)
          .join('\n');
        reject(new Error(`no matching Sparkplug message within ${timeoutMs} ms; last ones:\n${recent}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Publishes this host's STATE, retained, as a Sparkplug 3.0 host does. */
  async setState(hostId: string, online: boolean, timestamp = Date.now()): Promise<void> {
    await this.client.publishAsync(`spBv1.0/STATE/${hostId}`, JSON.stringify({ online, timestamp }), {
      qos: 1,
      retain: true,
    });
  }

  async clearRetained(topic: string): Promise<void> {
    await this.client.publishAsync(topic, '', { qos: 1, retain: true });
  }

  async nodeCommand(group: string, node: string, metrics: SentMetric[]): Promise<void> {
    const payload = spb.encodePayload({ timestamp: Date.now(), metrics });
    await this.client.publishAsync(`spBv1.0/${group}/NCMD/${node}`, Buffer.from(payload), { qos: 1 });
  }

  async deviceCommand(group: string, node: string, device: string, metrics: SentMetric[]): Promise<void> {
    const payload = spb.encodePayload({ timestamp: Date.now(), metrics });
    await this.client.publishAsync(`spBv1.0/${group}/DCMD/${node}/${device}`, Buffer.from(payload), { qos: 1 });
  }

  async close(): Promise<void> {
    this.waiters = [];
    await this.client.endAsync(true);
  }
}

/** Alias → name from a birth certificate. */
export function aliasNames(birth: SpMessage): Map<number, string> {
  const map = new Map<number, string>();
  for (const m of birth.metrics) if (m.alias !== undefined && m.name !== undefined) map.set(m.alias, m.name);
  return map;
}

export function metricNamed(birth: SpMessage, name: string): HostMetric {
  const m = birth.metrics.find((x) => x.name === name);
  if (!m)
    throw new Error(`${birth.topic} has no metric "${name}"; it has ${birth.metrics.map((x) => x.name).join(', ')}`);
  return m;
}

/**
 * Checks the seq rule of one edge node over `messages` (in arrival order): NBIRTH is 0, every
 * later message of the node but NDEATH is one more, 255 wraps to 0. Returns the violations.
 */
export function seqViolations(messages: SpMessage[], group: string, node: string): string[] {
  const problems: string[] = [];
  let expected: number | undefined;
  for (const m of messages) {
    if (m.group !== group || m.node !== node) continue;
    if (m.type === 'NDEATH' || m.type === 'NCMD' || m.type === 'DCMD') continue;
    if (m.type === 'NBIRTH') {
      if (m.seq !== 0) problems.push(`#${m.index} NBIRTH seq ${m.seq}`);
      expected = 1;
      continue;
    }
    if (expected === undefined) continue; // joined mid-session
    if (m.seq !== expected) problems.push(`#${m.index} ${m.type} seq ${m.seq}, expected ${expected}`);
    expected = ((m.seq ?? 0) + 1) % 256;
  }
  return problems;
}

/** Decodes one message as the host does (for unit tests of payloads). */
export function decodeMessage(topic: string, payload: Buffer): SpMessage {
  return parseMessage(topic, payload, false, 0, 0);
}

function parseMessage(topic: string, payload: Buffer, retain: boolean, qos: number, index: number): SpMessage {
  // A broker that rewrites "." as "/" (RabbitMQ) delivers spBv1.0/… as spBv1/0/….
  const parts = topic.replace(/^spBv1\/0\//, 'spBv1.0/').split('/');
  const base = { topic, retain, qos, index, receivedAt: Date.now(), metrics: [] as HostMetric[] };
  if (parts[1] === 'STATE') {
    let state: unknown;
    try {
      state = JSON.parse(payload.toString('utf8'));
    } catch {
      state = payload.toString('utf8');
    }
    return { ...base, type: 'STATE', node: parts[2], state };
  }
  const m: SpMessage = { ...base, type: parts[2] ?? '', group: parts[1], node: parts[3], device: parts[4] };
  if (payload.length === 0) return m;
  // Tahu's typings say `any` for values; everything below is checked at run time.
  const decoded = spb.decodePayload(payload) as unknown as Record<string, unknown>;
  const seq = toNumber(decoded.seq);
  const timestamp = toNumber(decoded.timestamp);
  if (seq !== undefined) m.seq = seq;
  if (timestamp !== undefined) m.timestamp = timestamp;
  const metrics = Array.isArray(decoded.metrics) ? (decoded.metrics as Array<Record<string, unknown>>) : [];
  m.metrics = metrics.map(hostMetric);
  return m;
}

function hostMetric(raw: Record<string, unknown>): HostMetric {
  const type = typeof raw.type === 'string' ? raw.type : undefined;
  const metric: HostMetric = { value: plainValue(type, raw.value), properties: {} };
  if (type) metric.type = type;
  if (typeof raw.name === 'string') metric.name = raw.name;
  const alias = toNumber(raw.alias);
  if (alias !== undefined) metric.alias = alias;
  const timestamp = toNumber(raw.timestamp);
  if (timestamp !== undefined) metric.timestamp = timestamp;
  if (raw.isHistorical === true) metric.isHistorical = true;
  const props = raw.properties;
  if (typeof props === 'object' && props !== null) {
    for (const [key, p] of Object.entries(props as Record<string, { type?: string; value?: unknown }>)) {
      metric.properties[key] = { type: p.type, value: plainValue(p.type, p.value) };
    }
  }
  return metric;
}

function plainValue(type: string | undefined, raw: unknown): MetricValue {
  if (raw === null || raw === undefined) return null;
  if (type === 'Int64' || type === 'UInt64') {
    const u = toUnsigned(raw);
    if (u === undefined) return null;
    return type === 'Int64' ? BigInt.asIntN(64, u) : u;
  }
  if (type === 'UInt32' || type === 'DateTime') return toNumber(raw) ?? null;
  if (typeof raw === 'number' || typeof raw === 'boolean' || typeof raw === 'string') return raw;
  return null;
}

function toUnsigned(raw: unknown): bigint | undefined {
  if (typeof raw === 'number') return BigInt.asUintN(64, BigInt(raw));
  if (typeof raw === 'object' && raw !== null && 'low' in raw && 'high' in raw) {
    const { low, high } = raw as { low: number; high: number };
    return (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0);
  }
  return undefined;
}

function toNumber(raw: unknown): number | undefined {
  const u = toUnsigned(raw);
  return u === undefined ? undefined : Number(u);
}
