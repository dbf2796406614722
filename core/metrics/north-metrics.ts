import type { Registry } from 'prom-client';
import type { NorthCounters } from '../status-payload.js';
import { lazyCounter, lazyGauge, type Sample } from './lazy.js';
import { type Fields, fields, num, str } from './status-fields.js';
import type { StatusSource } from './status-source.js';

type Label = 'app' | 'plugin';

function perApp(source: StatusSource, pick: (app: Fields, counters: Fields) => number | undefined) {
  return (): Array<Sample<Label>> =>
    source.north.flatMap((n) => {
      const app = str(n, 'name');
      const value = pick(n, fields(n.counters));
      if (app === undefined || value === undefined) return [];
      return [{ labels: { app, plugin: str(n, 'plugin') ?? '' }, value }];
    });
}

/** Per north app, from the app's status counters at scrape time. */
export function northMetrics(registry: Registry, source: StatusSource): void {
  const labelNames: Label[] = ['app', 'plugin'];
  const counter = (name: string, help: string, key: keyof NorthCounters) =>
    lazyCounter({ registry, name, help, labelNames, samples: perApp(source, (_a, c) => num(c, key)) });
  const gauge = (name: string, help: string, pick: (app: Fields, counters: Fields) => number | undefined) =>
    lazyGauge({ registry, name, help, labelNames, samples: perApp(source, pick) });

  counter('tagwire_north_messages_published_total', 'Messages handed to the broker connection', 'published');
  counter('tagwire_north_bytes_total', 'Payload bytes of value messages published or spooled', 'bytes');
  counter(
    'tagwire_north_dropped_total',
    'Messages dropped: buffer limits, or not connected for state messages',
    'dropped',
  );
  counter('tagwire_north_reconnects_total', 'Reconnects to the broker', 'reconnects');
  gauge('tagwire_north_buffered_messages', 'Messages in the on-disk spool, not yet acknowledged', (_a, c) =>
    num(c, 'buffered' satisfies keyof NorthCounters),
  );
  gauge('tagwire_north_buffered_bytes', 'Payload bytes in the on-disk spool', (_a, c) =>
    num(c, 'bufferedBytes' satisfies keyof NorthCounters),
  );
  gauge('tagwire_north_oldest_buffered_age_seconds', 'Age of the oldest spooled message', (_a, c) => {
    const ms = num(c, 'oldestBufferedAgeMs' satisfies keyof NorthCounters);
    return ms === undefined ? undefined : ms / 1000;
  });
  gauge('tagwire_north_connected', '1 while connected to the broker, else 0', (a) =>
    str(a, 'state') === 'connected' ? 1 : 0,
  );
}
