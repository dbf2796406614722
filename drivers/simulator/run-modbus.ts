/** Entry point for `tagwire simulate modbus` and the first-start demo: animated demo PLC over TCP. */
import { createDemoModel } from './demo-plc.js';
import { ModbusTcpSimulator } from './modbus-tcp-server.js';

export const DEFAULT_SIMULATOR_PORT = 5020;
/** The CLI listens on all interfaces; the seeded demo passes 127.0.0.1. */
export const DEFAULT_SIMULATOR_HOST = '0.0.0.0';

export interface RunModbusSimulatorOptions {
  host?: string;
  port: number;
  log?: (msg: string) => void;
}

export interface RunningModbusSimulator {
  port: number;
  close(): Promise<void>;
}

/** Rejects (with the port named in the message) when the port cannot be opened; nothing is left running. */
export async function runModbusSimulator(opts: RunModbusSimulatorOptions): Promise<RunningModbusSimulator> {
  const host = opts.host ?? DEFAULT_SIMULATOR_HOST;
  const demo = createDemoModel();
  const server = new ModbusTcpSimulator(demo.model, { host, port: opts.port });
  demo.start();
  let port: number;
  try {
    ({ port } = await server.listen());
  } catch (err) {
    demo.stop();
    throw err;
  }
  opts.log?.(`Modbus TCP simulator listening on ${host}:${port}, unit ids ${demo.model.units().join(', ')}`);
  return {
    port,
    async close() {
      demo.stop();
      await server.close();
    },
  };
}
