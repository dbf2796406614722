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

export interface DeviceStatusPayload {
  name: string;
  driver: string;
  /** The model the device is built from, if any. */
  model?: string;
  state: ConnectionStateName;
  timestamp: number;
  error?: string;
  /** While backing off after a failed connection: when the next attempt is due (ms since epoch). */
  nextRetryAt?: number;
  counters: DeviceCounters;
  /** Driver-specific link counters (Modbus: requests, timeouts, utilisation, learned splits, …). */
  link?: Record<string, unknown>;
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
