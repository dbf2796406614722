/** Shapes of the gateway's HTTP API (SPEC §3 and §5) as the UI uses them. */

import type { ConnectionStateName } from '../../../core/status-payload';

export type ConnState = ConnectionStateName;
export type Quality = 'good' | 'uncertain' | 'bad';
/** 64-bit integers beyond 2^53 arrive as bigint (parsed exactly), everything else as JSON. */
export type Scalar = number | bigint | boolean | string | null;

export interface TagConfig {
  name: string;
  /** Absent on computed tags, which have an expression or an aggregate instead. */
  address?: string;
  expression?: string;
  aggregate?: { function: string; of: string; windowMs: number };
  type?: string;
  length?: number;
  byteOrder?: string;
  access: 'read' | 'readwrite' | 'write';
  scale: number;
  offset: number;
  deadband: number;
  unit?: string;
  description?: string;
}

export interface GroupConfig {
  name: string;
  intervalMs: number;
  publish: 'change' | 'always';
  heartbeatMs: number;
  tags: TagConfig[];
}

export interface DeviceConfig {
  name: string;
  driver: string;
  enabled: boolean;
  uns?: string;
  settings: Record<string, unknown>;
  reconnectMaxMs?: number;
  groups: GroupConfig[];
}

export interface NorthConfig {
  name: string;
  plugin: string;
  enabled: boolean;
  devices: string[];
  settings: Record<string, unknown>;
}

export interface GatewayConfig {
  id: string;
  uns: string;
  http: { host: string; port: number };
  broker: { enabled: boolean; host: string; port: number };
}

export interface Config {
  gateway: GatewayConfig;
  devices: DeviceConfig[];
  north: NorthConfig[];
}

export interface ValueRow {
  device: string;
  group: string;
  tag: string;
  topic: string;
  value: Scalar;
  timestamp: number;
  quality: Quality;
  error?: string;
}

/** SSE `log` event and `GET /api/v1/logs`: one log line (after redaction). */
export type { LogLine } from '../../../core/log-line';

/** `GET /api/v1/log-level`: an override in force. */
export interface LogLevelOverride {
  target: string;
  level: string;
  setAt: number;
  revertsAt: number;
}

export interface StateEvent {
  device: string;
  state: ConnState;
  timestamp: number;
  error?: string;
}

// The status payload is the server's own definition, so a renamed counter fails this build.
export type {
  DeviceStatusPayload as DeviceStatus,
  GatewayStatusPayload as GatewayStatus,
  NorthStatusPayload as NorthStatus,
} from '../../../core/status-payload';

/** The subset of JSON Schema the gateway's TypeBox schemas use. */
export interface JsonSchema {
  type?: string;
  title?: string;
  description?: string;
  default?: unknown;
  const?: unknown;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  patternHint?: string;
  'x-ui'?: { secret?: boolean; advanced?: boolean; [k: string]: unknown };
}

export interface PluginSchema {
  title: string;
  settings: JsonSchema;
  /** A driver whose tags are computed from other tags (no address, an expression or aggregate). */
  derivesValues?: boolean;
}

/** `GET /api/v1/schema`. */
export interface SchemaDoc {
  config: JsonSchema;
  drivers: Record<string, PluginSchema>;
  north: Record<string, PluginSchema>;
}

export interface SerialPortInfo {
  path: string;
  manufacturer: string | null;
  serialNumber: string | null;
  vendorId: string | null;
  productId: string | null;
}

/** `GET /api/v1/devices/{d}/browse?nodeId=…`: one child of a node (OPC UA). */
export interface BrowseEntry {
  nodeId: string;
  /** `ns:name`, e.g. `1:Demo`. */
  browseName: string;
  displayName: string;
  nodeClass: string;
  /** Variables: the data type's name (Double, Int32, …). */
  dataType?: string;
  /** Variables: what the logged-in client may do. */
  access?: 'read' | 'readwrite' | 'write';
  hasChildren: boolean;
}

/** `GET /api/v1/devices/{d}/decode`: raw registers and every type × byte order of them. */
export interface DecodeResult {
  address: string;
  registers: number[];
  decodes: Array<{ type: string; byteOrder: string; value: number | bigint | string | null }>;
}

/** `GET /api/v1/devices/{d}/read?address=…&type=…`: one value read once. */
export interface ReadResult {
  value: unknown;
  timestamp: number;
  quality: Quality;
  error?: string;
  /** OPC UA: the server's data type. */
  dataType?: string;
}

/** `GET /api/v1/certificates`. */
export interface CertificateInfo {
  driver: string;
  thumbprint: string;
  subject: string;
  issuer?: string;
  applicationUri?: string;
  validFrom: string;
  validTo: string;
  status: 'trusted' | 'rejected';
}

/** `GET /api/v1/tokens`. */
export interface ApiTokenInfo {
  id: string;
  name: string | null;
  createdAt: number;
}

/** `GET /api/v1/users`. */
export interface UserInfo {
  username: string;
  role: 'admin' | 'operator' | 'viewer';
  createdAt: number;
}
