import { join } from 'node:path';
import { GatewayError } from '../../core/errors.js';
import { resolveDataDir } from '../../core/paths.js';
import { DEFAULT_SIMULATOR_HOST, runModbusSimulator } from '../../simulators/run-modbus.js';

export interface SimulateOptions {
  port?: string;
  host?: string;
  rtu?: string;
  baud?: string;
  parity?: string;
  data?: string;
}

function parseInteger(flag: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new GatewayError('invalid-config', `${flag} must be ${min}..${max}, not "${text}"`);
  }
  return n;
}

function parseParity(text: string | undefined): 'none' | 'even' | 'odd' {
  if (text === undefined) return 'none';
  if (text === 'none' || text === 'even' || text === 'odd') return text;
  throw new GatewayError('invalid-config', `--parity must be none, even or odd, not "${text}"`);
}

/** `tagwire simulate modbus|opcua|s7`: a simulated PLC until Ctrl-C. */
export async function simulateCommand(kind: string, opts: SimulateOptions) {
  const log = (msg: string) => process.stdout.write(`${msg}\n`);
  if (kind === 'opcua') {
    // Loaded on demand: node-opcua is large and only this command and the OPC UA driver need it.
    const { runOpcuaSimulator } = await import('../../simulators/run-opcua.js');
    const sim = await runOpcuaSimulator({
      host: opts.host ?? DEFAULT_SIMULATOR_HOST,
      port: parseInteger('--port', opts.port, 4840, 1, 65535),
      // The simulator's own certificate lives beside the gateway's data, so it stays the same across runs.
      pkiDir: join(resolveDataDir(opts.data), 'simulator', 'opcua-pki'),
      log,
    });
    stopOnSignal(() => sim.close());
    return;
  }
  if (kind === 's7') {
    const { runS7Simulator } = await import('../../simulators/s7/run-s7.js');
    const sim = await runS7Simulator({ host: opts.host, port: parseInteger('--port', opts.port, 1102, 0, 65535), log });
    stopOnSignal(() => sim.close());
    return;
  }
  if (kind !== 'modbus') {
    throw new GatewayError('invalid-config', `simulate ${kind}: unknown simulator (available: modbus, opcua, s7)`);
  }
  const sim = opts.rtu
    ? await runModbusSimulator({
        rtu: {
          path: opts.rtu,
          baudRate: parseInteger('--baud', opts.baud, 9600, 300, 4_000_000),
          parity: parseParity(opts.parity),
        },
        log,
      })
    : await runModbusSimulator({
        host: opts.host ?? DEFAULT_SIMULATOR_HOST,
        port: parseInteger('--port', opts.port, 5020, 0, 65535),
        log,
      });
  stopOnSignal(() => sim.close());
}

function stopOnSignal(close: () => Promise<void>): void {
  const stop = () => {
    void close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
