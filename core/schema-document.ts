/**
 * The shape of `GET /api/v1/schema`: the configuration's JSON Schema and what each plugin's
 * manifest declares, as the web UI reads it. Types only, so the browser build takes them as
 * they are; `Schema` is the JSON Schema the gateway's TypeBox schemas produce.
 */
import type { ErrorDeclaration } from './error-table.js';

export type { ErrorDeclaration };

/** Which extra tools a driver offers (core/plugin.ts `DriverCapabilities`). */
export interface DriverCapabilityFlags {
  browse: boolean;
  decodeLab: boolean;
  testRead: boolean;
  serialPorts: boolean;
  certificates: boolean;
  writes: boolean;
  liveGroupChanges: boolean;
  /** Values computed from other tags: no link, tags without an address, groups with a `trigger`. */
  derivesValues?: boolean;
}

export interface AddressHelpText {
  text: string;
  /** What a tag without a `type` reads as ("uint16 for a register, bool for a bit"). */
  typeDefault: string;
  examples: ReadonlyArray<{ address: string; meaning: string }>;
}

export interface MetricInfo {
  stat: string;
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  scale?: number;
}

export interface DriverSchemaEntry<Schema = unknown> {
  title: string;
  apiVersion: number;
  settings: Schema;
  /** A tag of this driver's devices: the core's fields and the driver's own. */
  tag: Schema;
  capabilities: DriverCapabilityFlags;
  address: AddressHelpText;
  probeAddress?: string;
  /** With capability certificates: a device's error code while its server certificate is untrusted. */
  certificateUntrustedCode?: string;
  metrics: readonly MetricInfo[];
}

export interface NorthSchemaEntry<Schema = unknown> {
  title: string;
  apiVersion: number;
  settings: Schema;
  /** The plugin can test a connection before the app is saved. */
  probe: boolean;
  metrics: readonly MetricInfo[];
}

export interface SchemaDocument<Schema = unknown> {
  config: Schema;
  drivers: Record<string, DriverSchemaEntry<Schema>>;
  north: Record<string, NorthSchemaEntry<Schema>>;
  /** Every error code: the core's, then each plugin's. */
  errors: readonly ErrorDeclaration[];
}
