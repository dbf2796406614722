import { Counter, Histogram, type Registry } from 'prom-client';
import type { Bus } from '../bus.js';
import type { DeviceCounters } from '../status-payload.js';
import { lazyCounter, lazyGauge, type Sample } from './lazy.js';
import { observeReads } from './read-observer.js';
import { counter, str } from './status-fields.js';
import type { StatusSource } from './status-source.js';

/** Read durations from a fast TCP PLC (ms) to a slow serial line with retries (s). */
const READ_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

function perDevice(source: StatusSource, pick: (device: Record<string, unknown>) => number | undefined) {
  return (): Array<Sample<'device'>> =>
    source.devices.flatMap((d) => {
      const name = str(d, 'name');
      const value = pick(d);
      return name === undefined || value === undefined ? [] : [{ labels: { device: name }, value }];
    });
}

/**
 * Per device: reads, bad tag values by error code and read durations are counted as the
 * reads happen (they need every read, not a snapshot); overruns, reconnects and the
 * connection state are read from the runners at scrape time. Returns the unsubscribe.
 */
export function deviceMetrics(registry: Registry, bus: Bus, source: StatusSource): () => void {
  const reads = new Counter({
    name: 'tagwire_device_reads_total',
    help: 'Scheduled group reads completed (with or without errors)',
    labelNames: ['device'],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'tagwire_device_read_errors_total',
    help: 'Tag values read as bad, by error code (timeout, modbus-exception-2, ...)',
    labelNames: ['device', 'code'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'tagwire_device_read_duration_seconds',
    help: 'Duration of one group read, from request to decoded values',
    labelNames: ['device'],
    buckets: READ_BUCKETS,
    registers: [registry],
  });
  lazyCounter({
    registry,
    name: 'tagwire_device_poll_overruns_total',
    help: 'Group reads skipped because the previous read of the group was still running',
    labelNames: ['device'],
    samples: perDevice(source, (d) => counter<DeviceCounters>(d.counters, 'overruns')),
  });
  lazyCounter({
    registry,
    name: 'tagwire_device_reconnects_total',
    help: 'Connection attempts that failed or connections that were lost',
    labelNames: ['device'],
    samples: perDevice(source, (d) => counter<DeviceCounters>(d.counters, 'reconnects')),
  });
  lazyGauge({
    registry,
    name: 'tagwire_device_connected',
    help: '1 while the device is connected, else 0',
    labelNames: ['device'],
    samples: perDevice(source, (d) => (str(d, 'state') === 'connected' ? 1 : 0)),
  });

  return observeReads(bus, (device, durationMs, values) => {
    reads.inc({ device });
    duration.observe({ device }, durationMs / 1000);
    for (const v of values) {
      if (v && v.quality === 'bad') errors.inc({ device, code: v.error ?? 'unknown' });
    }
  });
}
