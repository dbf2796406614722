/**
 * Entry point for `tagwire simulate modbus` and the first-start demo: the animated demo PLC,
 * over Modbus TCP, or over Modbus RTU on a serial port when `rtu` is given.
 */
import { createDemoModel, type DemoPlc } from './demo-plc.js';
import { type RtuSerialOptions, serialSettings, serialSettingsLabel, serveRtuOnSerial } from './modbus-rtu-serial.js';
import { ModbusTcpSimulator } from './modbus-tcp-server.js';

export const DEFAULT_SIMULATOR_PORT = 5020;
/** The CLI listens on all interfaces; the seeded demo passes 127.0.0.1. */
// Loopback unless told otherwise: a simulated PLC accepts writes from anyone who reaches it.
export const DEFAULT_SIMULATOR_HOST = '127.0.0.1';

export interface RunModbusSimulatorOptions {
  host?: string;
  /** TCP port; default DEFAULT_SIMULATOR_PORT. Ignored with `rtu`. */
  port?: number;
  /** Serve on this serial port (Modbus RTU) instead of TCP. */
  rtu?: RtuSerialOptions;
  log?: (msg: string) => void;
}

export interface RunningModbusSimulator {
  /** The TCP port; 0 when serving a serial port. */
  port: number;
  /** The serial port, when serving Modbus RTU. */
  path?: string;
  close(): Promise<void>;
}

/** Rejects (naming the TCP or serial port) when it cannot be opened; nothing is left running. */
export async function runModbusSimulator(opts: RunModbusSimulatorOptions): Promise<RunningModbusSimulator> {
  const demo = createDemoModel();
  demo.start();
  try {
    return opts.rtu ? await serveRtu(demo, opts.rtu, opts.log) : await serveTcp(demo, opts);
  } catch (err) {
    demo.stop();
    throw err;
  }
}

async function serveTcp(demo: DemoPlc, opts: RunModbusSimulatorOptions): Promise<RunningModbusSimulator> {
  const host = opts.host ?? DEFAULT_SIMULATOR_HOST;
  const server = new ModbusTcpSimulator(demo.model, { host, port: opts.port ?? DEFAULT_SIMULATOR_PORT });
  const { port } = await server.listen();
  opts.log?.(`Modbus TCP simulator listening on ${host}:${port}, unit ids ${demo.model.units().join(', ')}`);
  return {
    port,
    async close() {
      demo.stop();
      await server.close();
    },
  };
}

async function serveRtu(
  demo: DemoPlc,
  rtu: RtuSerialOptions,
  log: ((msg: string) => void) | undefined,
): Promise<RunningModbusSimulator> {
  const serial = await serveRtuOnSerial(demo.model, rtu);
  const label = serialSettingsLabel(serialSettings(rtu));
  log?.(`Modbus RTU simulator on ${rtu.path} at ${label}, unit ids ${demo.model.units().join(', ')}`);
  return {
    port: 0,
    path: rtu.path,
    async close() {
      demo.stop();
      await serial.close();
    },
  };
}
