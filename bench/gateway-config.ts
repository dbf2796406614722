/** The tagwire configuration document of a load run. */
import { deviceLayout, type GroupLayout } from './layout.js';
import { LOOPBACK } from './lib/net.js';
import type { LoadSpec } from './load-spec.js';

export function layoutOf(spec: LoadSpec): GroupLayout[] {
  return deviceLayout(spec.variant, spec.groupsPerDevice, spec.tagsPerGroup - 1);
}

/** Every device polls the same simulated registers through a connection (port) of its own. */
export function gatewayConfig(spec: LoadSpec, ports: number[], brokerUrl: string): unknown {
  const groups = layoutOf(spec).map((g) => ({
    name: g.name,
    intervalMs: spec.intervalMs,
    publish: 'always',
    tags: g.tags,
  }));
  return {
    gateway: { id: 'bench', uns: `bench/${spec.id}`, http: { host: LOOPBACK, port: 0 } },
    devices: Array.from({ length: spec.devices }, (_, d) => ({
      name: `d${d}`,
      driver: 'modbus-tcp',
      settings: { host: LOOPBACK, port: ports[d], unitId: 1, maxRegistersPerRead: 125 },
      groups,
    })),
    north:
      spec.format === 'none'
        ? []
        : [{ name: 'mqtt', plugin: 'mqtt', settings: { url: brokerUrl, qos: spec.qos, format: spec.format } }],
  };
}
