import { Counter, Gauge, type Registry } from 'prom-client';

export interface Sample<L extends string> {
  labels: Record<L, string>;
  value: number;
}

export interface LazyMetric<L extends string> {
  registry: Registry;
  name: string;
  help: string;
  labelNames: readonly L[];
  /** Read at scrape time; series that are no longer listed disappear. */
  samples: () => Iterable<Sample<L>>;
}

/**
 * A counter whose values are owned elsewhere (a runner's or link's own counters) and
 * copied in at scrape time. It restarts from 0 when its owner does (a device restarted
 * by a configuration change); Prometheus' rate() handles that as a counter reset.
 */
export function lazyCounter<L extends string>(m: LazyMetric<L>): Counter<L> {
  return new Counter<L>({
    name: m.name,
    help: m.help,
    labelNames: m.labelNames,
    registers: [m.registry],
    collect() {
      this.reset();
      for (const s of m.samples()) this.inc(s.labels, Math.max(0, s.value));
    },
  });
}

/** A gauge read at scrape time. */
export function lazyGauge<L extends string>(m: LazyMetric<L>): Gauge<L> {
  return new Gauge<L>({
    name: m.name,
    help: m.help,
    labelNames: m.labelNames,
    registers: [m.registry],
    collect() {
      this.reset();
      for (const s of m.samples()) this.set(s.labels, s.value);
    },
  });
}
