/** Shapes of the gateway's HTTP API (SPEC §3 and §5) as the UI uses them. */

import type { CertificateInfo as DriverCertificate } from '../../../core/driver-tools';
import type { DriverSchemaEntry, NorthSchemaEntry, SchemaDocument } from '../../../core/schema-document';
import type { ConnectionStateName } from '../../../core/status-payload';

export type ConnState = ConnectionStateName;
export type Quality = 'good' | 'uncertain' | 'bad';
/** 64-bit integers beyond 2^53 arrive as bigint (parsed exactly), everything else as JSON. */
export type Scalar = number | bigint | boolean | string | null;

// The configuration is the server's own definition (types only), so a renamed field fails this build.
// `Config` as the UI edits it: the server's file configuration (not frozen).
export type {
  DeviceConfig,
  GatewayConfig,
  GatewayFileConfig as Config,
  GroupConfig,
  NorthConfig,
  TagConfig,
} from '../../../core/config/schema';

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

/** `GET /api/v1/schema`: the configuration's schema, every plugin's manifest and the error codes. */
export type SchemaDoc = SchemaDocument<JsonSchema>;
export type DriverSchema = DriverSchemaEntry<JsonSchema>;
export type NorthSchema = NorthSchemaEntry<JsonSchema>;

export interface SerialPortInfo {
  path: string;
  manufacturer: string | null;
  serialNumber: string | null;
  vendorId: string | null;
  productId: string | null;
}

// What drivers' tools answer is the server's own definition (types only).
export type { BrowseEntry, InspectResult as DecodeResult } from '../../../core/driver-tools';

/** `GET /api/v1/certificates`: a certificate and the driver that keeps it. */
export type CertificateInfo = DriverCertificate & { driver: string };

/** `GET /api/v1/devices/{d}/read?address=…&type=…`: one value read once. */
export interface ReadResult {
  value: unknown;
  timestamp: number;
  quality: Quality;
  error?: string;
  /** OPC UA: the server's data type. */
  dataType?: string;
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
