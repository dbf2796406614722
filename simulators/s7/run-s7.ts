/** Entry point for `tagwire simulate s7`: the animated demo image served as an S7 CPU. */
import { createS7Demo } from './demo-image.js';
import { S7Simulator } from './server.js';

/** Port 102 needs root; the simulator listens above 1024 by default. */
export const DEFAULT_S7_SIMULATOR_PORT = 1102;
// Loopback unless told otherwise: a simulated PLC accepts writes from anyone who reaches it.
export const DEFAULT_S7_SIMULATOR_HOST = '127.0.0.1';

export interface RunS7SimulatorOptions {
  host?: string;
  port?: number;
  /** Largest PDU granted (an S7-1200 grants 240, an S7-1500 960); default 480. */
  maxPdu?: number;
  log?: (msg: string) => void;
}

export interface RunningS7Simulator {
  port: number;
  simulator: S7Simulator;
  close(): Promise<void>;
}

/** Rejects (e.g. port in use) with nothing left running. */
export async function runS7Simulator(opts: RunS7SimulatorOptions = {}): Promise<RunningS7Simulator> {
  const demo = createS7Demo();
  const host = opts.host ?? DEFAULT_S7_SIMULATOR_HOST;
  const simulator = new S7Simulator({
    host,
    port: opts.port ?? DEFAULT_S7_SIMULATOR_PORT,
    memory: demo.memory,
    rack: 0,
    slot: 1,
    maxPdu: opts.maxPdu ?? 480,
  });
  const { port } = await simulator.listen();
  demo.start();
  opts.log?.(`S7 simulator listening on ${host}:${port} (rack 0, slot 1); DB1 process values, DB2 setpoints`);
  return {
    port,
    simulator,
    async close() {
      demo.stop();
      await simulator.close();
    },
  };
}
