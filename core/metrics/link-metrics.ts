import type { Registry } from 'prom-client';
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

/** Per shared link (serial port or host:port), from the link's own statistics at scrape time. */
export function linkMetrics(registry: Registry, source: StatusSource): void {
  const counter = (name: string, help: string, key: string, scale = 1) =>
    lazyCounter({
      registry,
      name,
      help,
      labelNames: ['link'],
      samples: perLink(source, (l) => {
        const v = num(l, key);
        return v === undefined ? undefined : v * scale;
      }),
    });
  counter('tagwire_link_requests_total', 'Requests sent on the link', 'requests');
  counter('tagwire_link_timeouts_total', 'Requests that got no answer in time', 'timeouts');
  counter('tagwire_link_crc_errors_total', 'Frames discarded for a bad CRC (RTU)', 'crcErrors');
  counter(
    'tagwire_link_errors_total',
    'Other failed requests: exception answers, bad responses, socket errors',
    'errors',
  );
  counter(
    'tagwire_link_writes_refused_total',
    'Writes refused with busy because too many were already waiting on the link',
    'writesRefused',
  );
  // rate() of this is the line utilisation over any window; the ratio below is since the link opened.
  counter('tagwire_link_busy_seconds_total', 'Time the link spent on requests', 'busyMs', 1 / 1000);
  lazyGauge({
    registry,
    name: 'tagwire_link_utilisation_ratio',
    help: 'Busy time / wall time since the link was opened (0..1)',
    labelNames: ['link'],
    samples: perLink(source, (l) => num(l, 'utilisation')),
  });
}
