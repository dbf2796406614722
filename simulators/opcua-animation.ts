/**
 * Moves the simulator's Demo/Dynamic values (and the Bulk ones) on a 100 ms timer, each with a
 * source timestamp, the way a PLC stamps a value when it changes.
 */
import { DataType, StatusCodes, type UAVariable, Variant } from 'node-opcua';
import type { DynamicVariables } from './opcua-address-space.js';

export const OPCUA_TICK_MS = 100;

export interface AnimationOptions {
  dynamic: DynamicVariables;
  bulk: UAVariable[];
  /** Bulk update period; 0 = only on `tickBulk()`. */
  bulkIntervalMs: number;
}

export interface Animation {
  /** Stops updating this node (it was removed from the address space). */
  forget(variable: UAVariable): void;
  /** Gives every Bulk variable a new value now. */
  tickBulk(): void;
  stop(): void;
}

function sine(elapsedMs: number, periodMs: number, min: number, max: number): number {
  return (min + max) / 2 + ((max - min) / 2) * Math.sin((2 * Math.PI * elapsedMs) / periodMs);
}

interface Track {
  variable: UAVariable;
  dataType: DataType;
  compute: (elapsedMs: number, now: number) => number | Date;
  last?: number;
}

export function startAnimation(opts: AnimationOptions): Animation {
  const { dynamic } = opts;
  const tracks: Track[] = [
    { variable: dynamic.temperature, dataType: DataType.Double, compute: (t) => sine(t, 60_000, 20, 25) },
    { variable: dynamic.pressure, dataType: DataType.Float, compute: (t) => sine(t, 20_000, 1.0, 1.5) },
    { variable: dynamic.counter, dataType: DataType.UInt32, compute: (t) => Math.floor(t / 1000) % 2 ** 32 },
    // Triangle -100..100: one step per tick, 40 s per period (as the Modbus demo's ramp).
    { variable: dynamic.ramp, dataType: DataType.Int16, compute: (t) => triangle(Math.floor(t / OPCUA_TICK_MS)) },
    { variable: dynamic.clock, dataType: DataType.DateTime, compute: (_t, now) => new Date(now) },
  ];
  let bulk = opts.bulk;
  let bulkTick = 0;
  const startedAt = Date.now();

  const tick = (): void => {
    const now = Date.now();
    for (const track of tracks) {
      const value = track.compute(now - startedAt, now);
      const key = value instanceof Date ? value.getTime() : value;
      // Only a change gets a new source timestamp, as a PLC would stamp it.
      if (key === track.last) continue;
      track.last = key;
      publish(track.variable, track.dataType, value, now);
    }
  };
  const tickBulk = (): void => {
    bulkTick++;
    const now = Date.now();
    for (const variable of bulk) publish(variable, DataType.Double, bulkTick, now);
  };

  tick();
  // Timers never keep a test run or the CLI alive on their own.
  const timer = setInterval(tick, OPCUA_TICK_MS).unref();
  const bulkTimer =
    bulk.length > 0 && opts.bulkIntervalMs > 0 ? setInterval(tickBulk, opts.bulkIntervalMs).unref() : undefined;

  return {
    forget(variable) {
      const i = tracks.findIndex((t) => t.variable === variable);
      if (i >= 0) tracks.splice(i, 1);
      bulk = bulk.filter((v) => v !== variable);
    },
    tickBulk,
    stop() {
      clearInterval(timer);
      if (bulkTimer) clearInterval(bulkTimer);
    },
  };
}

function triangle(step: number): number {
  const s = step % 400;
  return s < 200 ? -100 + s : 300 - s;
}

function publish(variable: UAVariable, dataType: DataType, value: number | Date, now: number): void {
  variable.setValueFromSource(new Variant({ dataType, value }), StatusCodes.Good, new Date(now));
}
