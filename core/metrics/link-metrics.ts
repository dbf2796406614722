import type { Registry } from 'prom-client';
import type { MetricDeclaration } from '../plugin.js';
import { lazyCounter, lazyGauge, type Sample } from './lazy.js';
import { type Fields, num, str } from './status-fields.js';
import type { StatusSource } from './status-source.js';

function perLink(source: StatusSource, pick: (link: Fields) => number | undefined) {
  return (): Array<Sample<'link'>> =>
    source.links().flatMap((l) => {
      const key = str(l, 'key');
      const value = pick(l);
      return key === undefined || value === undefined ? [] : [{ labels: { link: key }, value }];
    });
}

/**
 * The metrics drivers declare (`DriverManifest.metrics`), per shared link (serial port or
 * host:port), from the link's own statistics (`stats().link`) at scrape time. A metric two
 * drivers declare (the Modbus ones share their links) is registered once.
 */
export function linkMetrics(registry: Registry, source: StatusSource, declared: Iterable<MetricDeclaration>): void {
  const seen = new Set<string>();
  for (const m of declared) {
    if (seen.has(m.name)) continue;
    seen.add(m.name);
    const scale = m.scale ?? 1;
    const samples = perLink(source, (l) => {
      const v = num(l, m.stat);
      return v === undefined ? undefined : v * scale;
    });
    const make = m.type === 'counter' ? lazyCounter : lazyGauge;
    make({ registry, name: m.name, help: m.help, labelNames: ['link'], samples });
  }
}
