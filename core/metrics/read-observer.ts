import type { Bus } from '../bus.js';
import type { TagValue } from '../values.js';

/** Told about every scheduled group read: how long it took and what came back. */
export type ReadObserver = (device: string, durationMs: number, values: readonly TagValue[]) => void;

// Keyed by the gateway's bus, so that two gateways in one process (tests) never mix their reads.
const observers = new WeakMap<Bus, Set<ReadObserver>>();

export function observeReads(bus: Bus, observer: ReadObserver): () => void {
  let set = observers.get(bus);
  if (!set) {
    set = new Set();
    observers.set(bus, set);
  }
  set.add(observer);
  return () => set.delete(observer);
}

/** Called by the device runner after each scheduled read; a no-op when nobody observes. */
export function reportRead(bus: Bus, device: string, durationMs: number, values: readonly TagValue[]): void {
  const set = observers.get(bus);
  if (!set) return;
  for (const observer of set) {
    try {
      observer(device, durationMs, values);
    } catch {
      // Metrics must never break polling.
    }
  }
}
