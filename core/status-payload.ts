/**
 * The shape of `GET /api/v1/status`: one definition that the gateway builds and the web UI
 * reads, so that a renamed counter fails the build instead of showing "—" on screen. Types
 * only, with no imports, so that the browser build can take them as they are.
 */

export type ConnectionStateName = 'connecting' | 'connected' | 'disconnected' | 'disabled';

export interface DeviceCounters {
  reads: number;
  readErrors: number;
  tagErrors: number;
  overruns: number;
  writes: number;
  writeErrors: number;
  reconnects: number;
  lastReadMs: number;
}

export interface GroupStatusPayload {
  name: string;
  intervalMs: number;
  tags: number;
  overruns: number;
}

/** A shared connection's numbers (Modbus: one TCP socket or serial port for several devices). */
export interface LinkStats {
  /** Names the link: `host:port`, a serial port. Metrics declared by the driver are labelled with it. */
  key: string;
  [stat: string]: unknown;
}

/** What a driver's `stats()` returns: its own numbers, and the link's when it shares connections. */
export interface DriverStats {
  link?: LinkStats | null;
  [stat: string]: unknown;
}

export interface DeviceStatusPayload {
  name: string;
  driver: string;
  state: ConnectionStateName;
  timestamp: number;
  error?: string;
  /** While backing off after a failed connection: when the next attempt is due (ms since epoch). */
  nextRetryAt?: number;
  counters: DeviceCounters;
  /** The driver's `stats()` (Modbus: learned splits and the link's requests, timeouts, utilisation, …). */
  link?: DriverStats;
  groups: GroupStatusPayload[];
}

/** Counters every north app reports; a plugin may add its own beside them. */
export interface NorthCounters {
  /** Messages handed to the broker since start. */
  published: number;
  /** Messages waiting in the store-and-forward buffer. */
  buffered: number;
  bufferedBytes: number;
  /** Messages lost for good (buffer limits, QoS 0 while offline). */
  dropped: number;
  reconnects: number;
  /** Payload bytes of value messages published or spooled (MQTT plugins). */
  bytes?: number;
  /** Age of the oldest spooled message (plugins with a spool). */
  oldestBufferedAgeMs?: number;
}

export interface NorthStatusPayload {
  name: string;
  plugin: string;
  state: ConnectionStateName;
  error?: string;
  counters: NorthCounters;
}

export interface GatewayStatusPayload {
  gateway: { id?: string; version: string; startedAt: number; uptimeMs: number };
  devices: DeviceStatusPayload[];
  north: NorthStatusPayload[];
}
