import type { MetricDeclaration } from '../../core/plugin.js';

/** Per shared link (serial port or host:port), from `stats().link` at scrape time. */
export const LINK_METRICS: readonly MetricDeclaration[] = [
  { stat: 'requests', name: 'tagwire_link_requests_total', help: 'Requests sent on the link', type: 'counter' },
  {
    stat: 'timeouts',
    name: 'tagwire_link_timeouts_total',
    help: 'Requests that got no answer in time',
    type: 'counter',
  },
  {
    stat: 'crcErrors',
    name: 'tagwire_link_crc_errors_total',
    help: 'Frames discarded for a bad CRC (RTU)',
    type: 'counter',
  },
  {
    stat: 'errors',
    name: 'tagwire_link_errors_total',
    help: 'Other failed requests: exception answers, bad responses, socket errors',
    type: 'counter',
  },
  {
    stat: 'writesRefused',
    name: 'tagwire_link_writes_refused_total',
    help: 'Writes refused with busy because too many were already waiting on the link',
    type: 'counter',
  },
  // rate() of this is the line utilisation over any window; the ratio below is since the link opened.
  {
    stat: 'busyMs',
    name: 'tagwire_link_busy_seconds_total',
    help: 'Time the link spent on requests',
    type: 'counter',
    scale: 1 / 1000,
  },
  {
    stat: 'utilisation',
    name: 'tagwire_link_utilisation_ratio',
    help: 'Busy time / wall time since the link was opened (0..1)',
    type: 'gauge',
  },
];
