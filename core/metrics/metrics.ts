import { Gauge, Registry } from 'prom-client';
import type { Gateway } from '../gateway.js';
import { deviceMetrics } from './device-metrics.js';
import { linkMetrics } from './link-metrics.js';
import { northMetrics } from './north-metrics.js';
import { processMetrics } from './process-metrics.js';
import { StatusSource } from './status-source.js';

export interface Metrics {
  readonly contentType: string;
  /** The Prometheus text exposition of every metric, as of now. */
  scrape(): Promise<string>;
  close(): void;
}

/**
 * The gateway's Prometheus metrics, in a registry of their own (never prom-client's global
 * one, which other libraries may fill). Metric names: README "Metrics".
 */
export function createMetrics(gateway: Gateway, version: string): Metrics {
  const registry = new Registry();
  const source = new StatusSource(gateway);
  const stopReads = deviceMetrics(registry, gateway.bus, source);
  const drivers = [...gateway.registry.drivers.values()];
  linkMetrics(
    registry,
    source,
    drivers.flatMap((d) => d.metrics ?? []),
  );
  northMetrics(registry, source);
  const stopProcess = processMetrics(registry);
  new Gauge({
    name: 'tagwire_info',
    help: 'Always 1; the labels say which tagwire runs',
    labelNames: ['version'],
    registers: [registry],
  }).set({ version }, 1);
  return {
    contentType: registry.contentType,
    async scrape() {
      source.refresh();
      return registry.metrics();
    },
    close() {
      stopReads();
      stopProcess();
    },
  };
}
