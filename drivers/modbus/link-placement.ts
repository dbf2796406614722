import { linkPool, type Transport, transportKey } from './link.js';
import { LocalLinks } from './local-links.js';
import { modbusThread } from './thread-links.js';
import type { UnitLinkSource } from './unit-link.js';

/**
 * Planned requests per second from which a Modbus TCP device's connection goes to the I/O thread
 * when it is on (e.g. four 125-register blocks every 10 ms is 400/s, eight is 800/s). Below it the
 * thread's memory (~30 MB: a second V8 heap) buys nothing and its extra hop costs latency; above
 * it the main thread would spend much of a core on sockets and framing (bench/README.md, I/O thread).
 */
export const THREAD_FROM_REQUESTS_PER_SECOND = 500;

const local = new LocalLinks();

/**
 * Where a device's link runs. A link another device already opened is joined where it is (devices
 * naming the same host:port share one connection). Otherwise everything runs in the main thread,
 * unless `TAGWIRE_MODBUS_THREAD` turns the I/O thread on: `1` for Modbus TCP devices that plan at
 * least THREAD_FROM_REQUESTS_PER_SECOND, `all` for every Modbus TCP device. Off by default: with
 * 100k tags the main thread, relieved of the sockets, reads more than it can publish and the
 * spool's overflow to disk halves what gets through (bench/README.md, I/O thread).
 */
export function linkSourceFor(transport: Transport, plannedRequestsPerSecond: () => number): UnitLinkSource {
  if (transport.kind !== 'tcp') return local;
  const mode = process.env.TAGWIRE_MODBUS_THREAD;
  const thread = mode === '1' || mode === 'all' ? modbusThread() : undefined;
  if (!thread) return local;
  const key = transportKey(transport);
  if (thread.has(key)) return thread;
  if (linkPool.has(key)) return local;
  return mode === 'all' || plannedRequestsPerSecond() >= THREAD_FROM_REQUESTS_PER_SECOND ? thread : local;
}
