/**
 * The in-process bus from devices to north apps. Plain listener arrays rather than
 * EventEmitter: this is the hot path, called once per group read.
 */
import type { TagConfig } from './config/schema.js';
import type { TagValue } from './values.js';

export type DeviceStateName = 'connecting' | 'connected' | 'disconnected' | 'disabled';

export interface DeviceState {
  state: DeviceStateName;
  timestamp: number;
  error?: string;
}

/** One tag of a group reading, with the core's publish decision (change filter, heartbeat). */
export interface ReadingItem {
  tag: TagConfig;
  topic: string;
  value: TagValue;
  /** True when the change filter says this value is to be published. */
  publish: boolean;
}

/** The outcome of one read of one group. */
export interface GroupReading {
  device: string;
  group: string;
  timestamp: number;
  items: ReadingItem[];
}

export interface DeviceEvents {
  reading?(reading: GroupReading): void;
  state?(device: string, state: DeviceState): void;
}

export class Bus {
  private listeners: DeviceEvents[] = [];

  subscribe(listener: DeviceEvents): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /** Set by the gateway: one listener that throws must not stop delivery to the others. */
  onListenerError: (err: unknown) => void = () => undefined;

  emitReading(reading: GroupReading): void {
    for (const l of this.listeners) {
      try {
        l.reading?.(reading);
      } catch (err) {
        this.onListenerError(err);
      }
    }
  }

  emitState(device: string, state: DeviceState): void {
    for (const l of this.listeners) {
      try {
        l.state?.(device, state);
      } catch (err) {
        this.onListenerError(err);
      }
    }
  }
}
