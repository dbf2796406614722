import { DEFAULT_SIMULATOR_HOST, runModbusSimulator } from '../../drivers/simulator/run-modbus.js';
import { GatewayError } from '../errors.js';

export interface SimulateOptions {
  port?: string;
  host?: string;
  rtu?: string;
  baud?: string;
  parity?: string;
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

/** `tagwire simulate modbus|opcua`: a simulated PLC until Ctrl-C. */
export async function simulateCommand(kind: string, opts: SimulateOptions) {
  if (kind !== 'modbus') {
    throw new GatewayError('invalid-config', `simulate ${kind}: not available in this version (available: modbus)`);
  }
  const log = (msg: string) => process.stdout.write(`${msg}\n`);
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
  const stop = () => {
    void sim.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
