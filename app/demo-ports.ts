import { createServer } from 'node:net';
import type { Logger } from 'pino';
import type { Config } from '../core/config/schema.js';
import { DEMO_HOST, DEMO_PORTS, type DemoPorts } from './demo.js';

/** True when nothing listens on host:port (bound and released at once). */
export function portIsFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

async function anyFreePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen({ host, port: 0, exclusive: true }, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Ports for a new demo: the usual 1883 and 5020 when free, else free ones picked by the
 * system — a demo must never point its device and north app at another program's PLC or
 * broker (a second gateway on the same box, say).
 */
export async function chooseDemoPorts(log: Logger): Promise<DemoPorts> {
  const ports = { ...DEMO_PORTS };
  for (const [what, label] of [
    ['broker', 'MQTT broker'],
    ['simulator', 'simulated PLC'],
  ] as const) {
    if (await portIsFree(DEMO_HOST, ports[what])) continue;
    const usual = ports[what];
    ports[what] = await anyFreePort(DEMO_HOST);
    log.warn(`demo: ${DEMO_HOST}:${usual} is taken by another program; the demo ${label} uses port ${ports[what]}`);
  }
  return ports;
}

/** What a later start found taken, and the configuration with the demo parts that would use it disabled. */
export interface DemoGuard {
  config: Config;
  reasons: string[];
}

/**
 * On a later start, a demo port may have been taken since (another gateway, a real broker):
 * the demo device and north app are then disabled, with the reason logged and kept in the
 * configuration history, instead of connecting to a stranger with the same client id.
 */
export async function guardDemoPorts(config: Config, simulatorPort: number | undefined): Promise<DemoGuard> {
  const reasons: string[] = [];
  let next = config;
  if (simulatorPort !== undefined && !(await portIsFree(DEMO_HOST, simulatorPort))) {
    const polling = next.devices.filter(
      (d) => d.enabled && d.settings.host === DEMO_HOST && d.settings.port === simulatorPort,
    );
    if (polling.length > 0) {
      next = {
        ...next,
        devices: next.devices.map((d) => (polling.includes(d) ? { ...d, enabled: false } : d)),
      };
      const names = polling.map((d) => d.name).join(', ');
      reasons.push(`${DEMO_HOST}:${simulatorPort} is taken by another program, so ${names} was disabled`);
    }
  }
  const broker = next.gateway.broker;
  if (broker.enabled && !(await portIsFree(broker.host, broker.port))) {
    const publishing = next.north.filter((n) => n.enabled && pointsAt(n.settings.url, broker.host, broker.port));
    if (publishing.length > 0) {
      next = { ...next, north: next.north.map((n) => (publishing.includes(n) ? { ...n, enabled: false } : n)) };
      const names = publishing.map((n) => n.name).join(', ');
      reasons.push(`${broker.host}:${broker.port} is taken by another program, so ${names} was disabled`);
    }
  }
  return { config: next, reasons };
}

function pointsAt(url: unknown, host: string, port: number): boolean {
  if (typeof url !== 'string') return false;
  try {
    const parsed = new URL(url);
    return parsed.hostname === host && Number(parsed.port || 1883) === port;
  } catch {
    return false;
  }
}
