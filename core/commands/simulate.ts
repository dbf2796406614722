import { DEFAULT_SIMULATOR_HOST, runModbusSimulator } from '../../drivers/simulator/run-modbus.js';
import { GatewayError } from '../errors.js';

function parsePort(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new GatewayError('invalid-config', `--port must be 0..65535, not "${text}"`);
  }
  return port;
}

/** `tagwire simulate modbus|opcua`: a simulated PLC until Ctrl-C. */
export async function simulateCommand(kind: string, opts: { port?: string; rtu?: string; host?: string }) {
  if (kind !== 'modbus') {
    throw new GatewayError('invalid-config', `simulate ${kind}: not available in this version (available: modbus)`);
  }
  if (opts.rtu)
    throw new GatewayError('invalid-config', '--rtu: the serial simulator is not available in this version');
  const sim = await runModbusSimulator({
    host: opts.host ?? DEFAULT_SIMULATOR_HOST,
    port: parsePort(opts.port, 5020),
    log: (msg) => process.stdout.write(`${msg}\n`),
  });
  const stop = () => {
    void sim.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
