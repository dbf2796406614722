/** Peer: the RTU limit — a plain modbus-serial RTU client on one end of the pty pair. */

import { servePeer } from '../lib/peer-host.js';
import { newPlainModbusClient } from '../lib/plain-modbus-client.js';
import { type Block, closeQuietly, readLoop } from '../lib/read-loop.js';

interface RunArgs {
  path: string;
  baudRate: number;
  unitId: number;
  blocks: Block[];
  durationMs: number;
}

async function run(args: RunArgs): Promise<unknown> {
  const client = newPlainModbusClient();
  await client.connectRTUBuffered(args.path, { baudRate: args.baudRate });
  client.setID(args.unitId);
  client.setTimeout(1000);
  const started = performance.now();
  const result = await readLoop(client, args.blocks, started + args.durationMs);
  const seconds = (performance.now() - started) / 1000;
  await closeQuietly(client);
  return { ...result, seconds };
}

servePeer({ pid: process.pid }, { run: (arg) => run(arg as RunArgs) });
