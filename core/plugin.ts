/**
 * The contracts between the core and its plugins. Drivers and north plugins import
 * only this file and the core's model (config schema, values, errors, bus types),
 * never each other.
 */
import type { Static, TProperties, TSchema } from '@sinclair/typebox';
import type { Logger } from 'pino';
import type { AlarmStatus } from './alarms/alarm-types.js';
import type { DeviceEvents, DeviceState, GroupReading } from './bus.js';
import type { DeviceConfig, GatewayConfig, GroupConfig, ModelConfig, NorthConfig, TagConfig } from './config/schema.js';
import type { BrowseEntry, CertificateInfo, InspectResult } from './driver-tools.js';
import type { ErrorDeclaration } from './error-table.js';
import { GatewayError } from './errors.js';
import type { NorthLink, NorthLinkOptions } from './north-link.js';
import type { AddressHelpText, DriverCapabilityFlags, MetricInfo } from './schema-document.js';
import type { DriverStats, NorthCounters } from './status-payload.js';
import type { SpoolLimits, SpoolStore } from './store/spool-store.js';
import type { TagValue } from './values.js';

export type { BrowseEntry, CertificateInfo, ErrorDeclaration, InspectResult };

/**
 * The address of a tag of a driver whose tags have one; validation has refused such a tag
 * without it (only a driver with capability `derivesValues` has tags without an address).
 */
export function tagAddress(tag: TagConfig): string {
  if (tag.address === undefined) throw new GatewayError('invalid-config', `address: tag "${tag.name}" has none`);
  return tag.address;
}

/** The message for a tag without an address on a device whose driver reads addresses. */
export const MISSING_ADDRESS = 'address: required (the register, node or area this tag reads)';

/** Result of a driver's check of one tag: messages are `field: problem`, [] = valid. */
export interface TagCheck {
  errors: string[];
  /** Defaults the driver fills in (e.g. `type: uint16` for a register address). */
  defaults?: Partial<TagConfig>;
}

/**
 * The plugin API version this core implements. A manifest names the version it was written
 * for; the registry refuses one written for another, before anything starts.
 */
export const PLUGIN_API_VERSION = 1;

/**
 * A Prometheus metric made from a number in the plugin's statistics at scrape time: for a
 * driver, a number of `stats().link` (labelled by link: one series per shared connection).
 * `stat` is its key, `name` the full metric name (`tagwire_…`), `scale` multiplies it
 * (1/1000 for a ms counter published in seconds).
 */
export type MetricDeclaration = MetricInfo;

/** What a kind of plugin has in common: identity, settings, errors, metrics. */
interface PluginManifestBase<S extends TSchema> {
  /** The PLUGIN_API_VERSION the plugin was written for. */
  apiVersion: number;
  /** The name configuration files use (`driver:` or `plugin:`); unique per kind. */
  name: string;
  title: string;
  /** JSON Schema of `settings`, with defaults; validates files and the API, and drives UI forms. */
  settingsSchema: S;
  /** Cross-field checks of schema-valid settings, as `field: problem` messages; [] = valid. */
  checkSettings?(settings: Static<S>): string[];
  /** The error codes the plugin produces beyond the core's own (SPEC §5). */
  errors?: readonly ErrorDeclaration[];
  /** Metrics made from the plugin's statistics. */
  metrics?: readonly MetricDeclaration[];
}

/**
 * What a driver can do beyond polling; the UI shows a device's buttons from these.
 * - browse: `Driver.browse`, the address space can be browsed to pick tags (OPC UA).
 * - decodeLab: `Driver.inspect`, raw registers decoded as every type and byte order (Modbus).
 * - testRead: `Driver.readOnce`, "Test read" of any address.
 * - serialPorts: its `port` setting names a serial port here; the UI offers the ports found.
 * - certificates: `DriverManifest.certificates`, server certificates trusted on the Certificates page.
 * - writes: `Driver.write`, tags may have access readwrite or write.
 * - liveGroupChanges: `Driver.groupsChanged`, a changed group restarts alone, the connection stays open.
 * - derivesValues: the device has no link, its values are derived from other tags of the gateway
 *   (computed tags). Its tags have no address (their fields are the driver's `tagFields`), its
 *   groups may set `trigger` (default `change`), its context gets `tagValues` and `deliver`, and it
 *   has no connection to test.
 */
export type DriverCapabilities = DriverCapabilityFlags;

/** Help for the tag editor's address field: the forms an address takes, and examples to copy. */
export type AddressHelp = AddressHelpText;

/**
 * A driver: one protocol to devices. `S` is its settings schema, so that `checkSettings`,
 * `checkTag` and `create` get settings typed from it (validated, defaults filled).
 */
export interface DriverManifest<S extends TSchema = TSchema> extends PluginManifestBase<S> {
  kind: 'driver';
  /**
   * Tag fields this driver adds to the core's (TypeBox properties, each optional), e.g.
   * Modbus `byteOrder`. A field no driver of the device declares is refused.
   */
  tagFields?: TProperties;
  capabilities: DriverCapabilities;
  address: AddressHelp;
  /** Checks a tag's address/type (and the driver's own tag fields) against this driver. */
  checkTag(tag: TagConfig, settings: Static<S>): TagCheck;
  /** Assigns only; no I/O until `connect()`. */
  create(ctx: DriverContext<Static<S>>): Driver;
  /** Read by "Test connection" when the device has no tag yet (Modbus `hr:0`, OPC UA the server state). */
  probeAddress?: string;
  /** Certificate trust for drivers that use certificates (OPC UA): kept in the data directory. */
  certificates?: CertificateStore;
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
  /**
   * Changes whenever a device starts, stops or takes new groups. A driver that keeps values from
   * readings (instead of asking `current` each time) drops them when this changes: until then a
   * tag's last reading is its current value.
   */
  readonly generation: number;
  /** Called with each group reading of any device (one batch per read); returns an unsubscribe function. */
  subscribe(listener: (reading: GroupReading) => void): () => void;
}

/** Lets TypeScript infer a driver manifest's settings type from its schema. */
export function defineDriver<S extends TSchema>(manifest: DriverManifest<S>): DriverManifest<S> {
  return manifest;
}

export interface CertificateStore {
  /** The error code of a device whose server certificate is not trusted yet (trusting it reconnects the device). */
  untrustedCode: string;
  list(dataDir: string): Promise<CertificateInfo[]>;
  trust(dataDir: string, thumbprint: string): Promise<void>;
  remove(dataDir: string, thumbprint: string): Promise<void>;
}

export interface DriverContext<Settings = unknown> {
  device: DeviceConfig;
  /** The device's settings, validated against the driver's schema with defaults filled in. */
  settings: Settings;
  log: Logger;
  dataDir: string;
  /** Called by the driver when an established connection is lost; the core reconnects. */
  connectionLost(error: string): void;
  /** For drivers that derive values (capability `derivesValues`): the other tags' values. */
  tagValues?: TagValueFeed;
  /**
   * Hands values of one group to the core outside its schedule: `values[i]` for the group's i-th tag,
   * a hole for a tag not evaluated. `force` publishes whatever the change filter says (a window's end).
   * The core reads `values` during the call and keeps the values, not the array: a driver may reuse it.
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
  /** Driver-specific counters for the status API; `link` feeds the metrics the manifest declares. */
  stats?(): DriverStats;
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

/** A north plugin: publishes the devices' values somewhere (MQTT, Sparkplug, a file …). */
export interface NorthManifest<S extends TSchema = TSchema> extends PluginManifestBase<S> {
  kind: 'north';
  create(ctx: NorthContext<Static<S>>): NorthApp;
  /**
   * "Test connection": connects once with these (validated) settings, waits for the peer to
   * accept, and disconnects. Rejects with a GatewayError saying in words what failed.
   */
  probe?(ctx: NorthProbeContext<Static<S>>): Promise<void>;
}

/** Lets TypeScript infer a north manifest's settings type from its schema. */
export function defineNorth<S extends TSchema>(manifest: NorthManifest<S>): NorthManifest<S> {
  return manifest;
}

/** Either kind of plugin. */
export type PluginManifest = DriverManifest | NorthManifest;

/** What a north plugin's probe gets: the app's config (not saved yet) and where the gateway lives. */
export type NorthProbeContext<Settings = unknown> = Pick<
  NorthContext<Settings>,
  'app' | 'settings' | 'gateway' | 'dataDir' | 'log'
>;

/** A device as a north app sees it: its config, topic and current state. */
export interface NorthDevice {
  config: DeviceConfig;
  topic: string;
  state: DeviceState;
}

export interface NorthContext<Settings = unknown> {
  app: NorthConfig;
  /** The app's settings, validated against the plugin's schema with defaults filled in. */
  settings: Settings;
  gateway: GatewayConfig;
  version: string;
  log: Logger;
  dataDir: string;
  /** Devices this app publishes (its `devices` filter applied). */
  devices(): NorthDevice[];
  /** The models the app's devices are built from (for their published data contract). */
  models?(): readonly ModelConfig[];
  /** Current value of every tag of the app's devices, for a first publish after (re)connect. */
  snapshot(): Array<{ device: string; group: string; tag: TagConfig; topic: string; value: TagValue }>;
  /** Subscribes to readings and state changes of the app's devices; returns an unsubscribe function. */
  subscribe(listener: DeviceEvents): () => void;
  /** This app's store-and-forward spool on disk, bounded by `limits`. */
  spool(limits: SpoolLimits): SpoolStore;
  /** Writes a tag (SPEC §3.1 checks), reads it back and publishes it. Rejects with a GatewayError. */
  write(device: string, tag: string, value: unknown): Promise<void>;
  /**
   * The app's connection, supervised by the core: `open` starts one attempt; the app reports
   * `connected()` and `lost()`, the core keeps the state and retries with capped backoff, and
   * stops retrying when the app stops. The app calls `start()` when it starts.
   */
  link(open: () => void, options?: NorthLinkOptions): NorthLink;
  /** Alarms of the app's devices (SPEC §3.5). */
  alarms: NorthAlarms;
}

/** What a north app sees of the alarms of its devices. */
export interface NorthAlarms {
  /** Every alarm of the app's devices as it stands, for a publish after (re)connect. */
  current(): AlarmStatus[];
  /** Every change of state, acknowledgement or quality; returns an unsubscribe function. */
  subscribe(listener: (alarm: AlarmStatus) => void): () => void;
  /**
   * Acknowledges an alarm in the name of `by`, recorded with the app as its source. Throws a
   * GatewayError('not-found') for an alarm that is not one of the app's.
   */
  ack(id: string, by: string, comment: string): AlarmStatus;
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
