/**
 * The demo seeded on a first start (SPEC §2): the embedded broker, the simulated
 * PLC on 127.0.0.1:5020, a device polling it and a north app publishing it.
 */
export const DEMO_HOST = '127.0.0.1';
export const DEMO_PORTS: DemoPorts = { broker: 1883, simulator: 5020 };

/** The loopback ports the demo's broker and simulated PLC listen on. */
export interface DemoPorts {
  broker: number;
  simulator: number;
}

export function demoConfig(ports: DemoPorts = DEMO_PORTS): Record<string, unknown> {
  const plc = { host: DEMO_HOST, port: ports.simulator, unitId: 1 };
  return {
    gateway: { id: 'gw1', uns: 'demo/site1', broker: { enabled: true, host: DEMO_HOST, port: ports.broker } },
    devices: [
      {
        name: 'sim-plc',
        driver: 'modbus-tcp',
        uns: 'area1/line1/sim-plc',
        settings: plc,
        groups: [
          {
            name: 'fast',
            intervalMs: 1000,
            tags: [
              { name: 'temperature', address: 'ir:0', type: 'float32', unit: '°C', deadband: 0.01 },
              { name: 'pressure', address: 'ir:2', type: 'float32', unit: 'bar', deadband: 0.001 },
              { name: 'counter', address: 'ir:4', type: 'uint16' },
              { name: 'ramp', address: 'ir:5', type: 'int16' },
              { name: 'clock', address: 'ir:10', type: 'uint64', unit: 'ms', description: "The PLC's clock" },
              { name: 'motor/setpoint', address: 'hr:0', type: 'float32', access: 'readwrite', unit: '°C' },
              { name: 'motor/speed', address: 'hr:2', type: 'uint16', access: 'readwrite', unit: 'rpm' },
              { name: 'motor/running', address: 'hr:20.0', type: 'bool' },
              { name: 'motor/alarm', address: 'hr:20.1', type: 'bool' },
              { name: 'pump', address: 'coil:0', type: 'bool', access: 'readwrite' },
              { name: 'door', address: 'di:0', type: 'bool' },
            ],
          },
          {
            name: 'slow',
            intervalMs: 10000,
            tags: [{ name: 'info/name', address: 'hr:10', type: 'string', length: 20 }],
          },
        ],
      },
    ],
    north: [
      {
        name: 'local-broker',
        plugin: 'mqtt',
        devices: ['*'],
        settings: { url: `mqtt://${DEMO_HOST}:${ports.broker}`, qos: 1, retain: true },
      },
    ],
  };
}
