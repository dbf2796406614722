/**
 * The contracts between the core and its plugins. Drivers and north plugins import
 * only this file and the core's model (config schema, values, errors, bus types),
 * never each other.
 */
import type { TSchema } from '@sinclair/typebox';
import type { Logger } from 'pino';
import type { DeviceEvents, DeviceState, GroupReading } from './bus.js';
import type { DeviceConfig, GatewayConfig, GroupConfig, NorthConfig, TagConfig } from './config/schema.js';
import { GatewayError } from './errors.js';
import type { NorthCounters } from './status-payload.js';
import type { SpoolLimits, SpoolStore } from './store/spool-store.js';
import type { TagValue } from './values.js';

/** The address of a tag of a driver that needs one; validation has refused a tag without it. */
export function tagAddress(tag: TagConfig): string {
  if (tag.address === undefined) throw new GatewayError('invalid-config', `address: tag "${tag.name}" has none`);
  return tag.address;
}

/** The message a driver gives for a tag without an address. */
export const MISSING_ADDRESS = 'address: required (the register, node or area this tag reads)';

/** Result of a driver's check of one tag: messages are `field: problem`, [] = valid. */
export interface TagCheck {
  errors: string[];
  /** Defaults the driver fills in (e.g. `type: uint16` for a register address). */
  defaults?: Partial<TagConfig>;
}

export interface DriverManifest {
  name: string;
  title: string;
  /** JSON Schema of `settings`, with defaults; validates files and the API, and drives UI forms. */
  settingsSchema: TSchema;
  /** Cross-field checks of schema-valid settings, as `field: problem` messages; [] = valid. */
  checkSettings?(settings: Record<string, unknown>): string[];
  /** Checks a tag's address/type against this driver; `settings` are already validated. */
  checkTag(tag: TagConfig, settings: Record<string, unknown>): TagCheck;
  /** Assigns only; no I/O until `connect()`. */
  create(ctx: DriverContext): Driver;
  /** Read by "Test connection" when the device has no tag yet (Modbus `hr:0`, OPC UA the server state). */
  probeAddress?: string;
  /** Certificate trust for drivers that use certificates (OPC UA): kept in the data directory. */
  certificates?: CertificateStore;
  /**
   * The device has no link: its values are derived from other tags of the gateway (driver `compute`).
   * Its groups may set `trigger` (default `change`), it gets `tagValues` and `deliver` in its context,
   * and it has no connection to test.
   */
  derivesValues?: boolean;
  /**
   * Checks one device against the whole configuration (references to other devices' tags, cycles),
   * after every device passed its own checks. Messages are `path: problem` with full paths
   * (`devices[2].groups[0].tags[1].expression: …`); `at` is the device's own path.
   */
  checkDevice?(device: DeviceConfig, at: string, config: { devices: readonly DeviceConfig[] }): string[];
}

/** Current values of every tag in the gateway, and every reading as it happens. */
export interface TagValueFeed {
  current(device: string, tag: string): TagValue | undefined;
  /** Called with each group reading of any device (one batch per read); returns an unsubscribe function. */
  subscribe(listener: (reading: GroupReading) => void): () => void;
}

export interface CertificateInfo {
  thumbprint: string;
  subject: string;
  issuer?: string;
  validFrom: string;
  validTo: string;
  status: 'trusted' | 'rejected';
}

export interface CertificateStore {
  list(dataDir: string): Promise<CertificateInfo[]>;
  trust(dataDir: string, thumbprint: string): Promise<void>;
  remove(dataDir: string, thumbprint: string): Promise<void>;
}

export interface DriverContext {
  device: DeviceConfig;
  log: Logger;
  dataDir: string;
  /** Called by the driver when an established connection is lost; the core reconnects. */
  connectionLost(error: string): void;
  /** For drivers that derive values (`derivesValues`): the other tags' values. */
  tagValues?: TagValueFeed;
  /**
   * Hands values of one group to the core outside its schedule: `values[i]` for the group's i-th tag,
   * a hole for a tag not evaluated. `force` publishes whatever the change filter says (a window's end).
   */
  deliver?(group: string, values: ReadonlyArray<TagValue | undefined>, options?: { force?: boolean }): void;
}

export interface Driver {
  /** Opens (or joins) the link; rejects with a GatewayError when the device cannot be reached. */
  connect(): Promise<void>;
  /** Idempotent; releases every timer and socket this device holds. */
  close(): Promise<void>;
  /**
   * Reads every tag of the group; one TagValue per tag, in the group's tag order (a hole for a tag the
   * driver delivers otherwise, e.g. a computed aggregate). Never rejects for a device error.
   */
  read(group: GroupConfig): Promise<TagValue[]>;
  /** Writes one (already access-checked) tag; rejects with a GatewayError naming what is wrong. */
  write(tag: TagConfig, value: unknown): Promise<void>;
  /** Driver-specific counters for the status API. */
  stats?(): Record<string, unknown>;
  /** False for a group whose values the driver delivers itself (`deliver`): the core then does not poll it. */
  polls?(group: GroupConfig): boolean;
  /**
   * Present when the driver can take new groups while connected (it keeps nothing per group
   * that a new group object would not replace): the core then changes a device's groups
   * without closing its connection. Called with the device's new configuration, whose
   * settings are unchanged.
   */
  groupsChanged?(device: DeviceConfig): void;
  /** Children of a node in the device's address space (OPC UA), for picking tags in the UI. */
  browse?(nodeId?: string): Promise<BrowseEntry[]>;
  /**
   * Decode lab (Modbus): reads the raw registers at an address once and decodes them as
   * every type in every byte order, so a user can match what the machine's display shows.
   */
  inspect?(address: string): Promise<InspectResult>;
  /** Reads one address once, outside any group ("test read"). */
  readOnce?(address: string, type?: TagConfig['type']): Promise<TagValue & { dataType?: string }>;
}

export interface InspectResult {
  address: string;
  registers: number[];
  decodes: Array<{ type: string; byteOrder: string; value: number | bigint | string | null }>;
}

export interface BrowseEntry {
  nodeId: string;
  browseName: string;
  displayName: string;
  nodeClass: string;
  /** For variables: the data type's name (Double, Int32, …). */
  dataType?: string;
  /** For variables: "read", "readwrite" or "write". */
  access?: 'read' | 'readwrite' | 'write';
  hasChildren: boolean;
}

export interface NorthManifest {
  name: string;
  title: string;
  settingsSchema: TSchema;
  /** Cross-field checks of schema-valid settings, as `field: problem` messages; [] = valid. */
  checkSettings?(settings: Record<string, unknown>): string[];
  create(ctx: NorthContext): NorthApp;
  /**
   * "Test connection": connects once with these (validated) settings, waits for the peer to
   * accept, and disconnects. Rejects with a GatewayError saying in words what failed.
   */
  probe?(ctx: NorthProbeContext): Promise<void>;
}

/** What a north plugin's probe gets: the app's config (not saved yet) and where the gateway lives. */
export type NorthProbeContext = Pick<NorthContext, 'app' | 'gateway' | 'dataDir' | 'log'>;

/** A device as a north app sees it: its config, topic and current state. */
export interface NorthDevice {
  config: DeviceConfig;
  topic: string;
  state: DeviceState;
}

export interface NorthContext {
  app: NorthConfig;
  gateway: GatewayConfig;
  version: string;
  log: Logger;
  dataDir: string;
  /** Devices this app publishes (its `devices` filter applied). */
  devices(): NorthDevice[];
  /** Current value of every tag of the app's devices, for a first publish after (re)connect. */
  snapshot(): Array<{ device: string; group: string; tag: TagConfig; topic: string; value: TagValue }>;
  /** Subscribes to readings and state changes of the app's devices; returns an unsubscribe function. */
  subscribe(listener: DeviceEvents): () => void;
  /** This app's store-and-forward spool on disk, bounded by `limits`. */
  spool(limits: SpoolLimits): SpoolStore;
  /** Writes a tag (SPEC §3.1 checks), reads it back and publishes it. Rejects with a GatewayError. */
  write(device: string, tag: string, value: unknown): Promise<void>;
}

export interface NorthStatus {
  state: 'connecting' | 'connected' | 'disconnected' | 'disabled';
  error?: string;
  /** The common counters, and any of the plugin's own beside them. */
  counters: NorthCounters & Record<string, number>;
}

export interface NorthApp {
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): NorthStatus;
  /** The app's devices were added, removed or reconfigured while it kept running. */
  devicesChanged?(): void;
}
