/**
 * The demo seeded on a first start (SPEC §2): the embedded broker, the simulated
 * PLC on 127.0.0.1:5020, a device polling it and a north app publishing it.
 */
export const DEMO_SIMULATOR = { host: '127.0.0.1', port: 5020 } as const;

export function demoConfig(): Record<string, unknown> {
  const plc = { host: DEMO_SIMULATOR.host, port: DEMO_SIMULATOR.port, unitId: 1 };
  return {
    gateway: { id: 'gw1', uns: 'demo/site1', broker: { enabled: true, host: '127.0.0.1', port: 1883 } },
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
        settings: { url: 'mqtt://127.0.0.1:1883', qos: 1, retain: true },
      },
    ],
  };
}
