/** tagwire's figures as fractions of the limits measured in the same run. */
import type { BenchResults } from './results.js';
import type { LoadResult } from './scenarios/load-run.js';

/** The plain client's registers/s with as many connections as the run had devices (else the best). */
export function modbusLimitFor(results: BenchResults, devices: number): number {
  const same = results.limits.modbus.find((l) => l.connections === devices);
  if (same) return same.registersPerSecond;
  return Math.max(0, ...results.limits.modbus.map((l) => l.registersPerSecond));
}

/** The plain publisher's messages/s at this QoS: the better of the two limit runs. */
export function mqttLimitFor(results: BenchResults, qos: 0 | 1): number {
  const all = [...results.limits.mqtt, ...results.limits.mqttAtEnd].filter((l) => l.qos === qos);
  return Math.max(0, ...all.map((l) => l.messagesPerSecond));
}

export function modbusRatio(results: BenchResults, r: LoadResult): number {
  const limit = modbusLimitFor(results, r.spec.devices);
  return limit > 0 ? r.registersPerSecond / limit : Number.NaN;
}

/**
 * The most `modbusRatio` could be: what the schedule offers against the plain client (a float32 is two
 * registers). Below 1 when the shortest interval cannot offer as much as the plain client reads.
 */
export function offeredModbusRatio(results: BenchResults, r: LoadResult): number {
  const limit = modbusLimitFor(results, r.spec.devices);
  const registersPerValue = r.readPerSecond > 0 ? r.registersPerSecond / r.readPerSecond : 2;
  return limit > 0 ? (r.offeredPerSecond * registersPerValue) / limit : Number.NaN;
}

/** `perSecond` as a share of the plain publisher at the run's QoS; only for format uns, where a message is a tag value. */
function shareOfMqttLimit(results: BenchResults, r: LoadResult, perSecond: number): number {
  if (r.spec.format !== 'uns') return Number.NaN;
  const limit = mqttLimitFor(results, r.spec.qos);
  return limit > 0 ? perSecond / limit : Number.NaN;
}

export function mqttRatio(results: BenchResults, r: LoadResult): number {
  return shareOfMqttLimit(results, r, r.messagesPerSecond);
}

/** The most `mqttRatio` could be: what the schedule offers against the plain publisher. */
export function offeredMqttRatio(results: BenchResults, r: LoadResult): number {
  return shareOfMqttLimit(results, r, r.offeredPerSecond);
}

/** Whether the subscriber got (nearly) everything the schedule offered. */
export function sustained(r: LoadResult): boolean {
  return r.publishedPerSecond >= 0.95 * r.offeredPerSecond;
}
