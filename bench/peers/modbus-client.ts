/** Peer: the Modbus TCP limit — plain modbus-serial clients reading as fast as the server answers. */

import { LOOPBACK } from '../lib/net.js';
import { servePeer } from '../lib/peer-host.js';
import { newPlainModbusClient } from '../lib/plain-modbus-client.js';
import { addResults, type Block, closeQuietly, readLoop } from '../lib/read-loop.js';

interface RunArgs {
  /** One connection per entry. */
  ports: number[];
  blocks: Block[];
  durationMs: number;
}

async function run(args: RunArgs): Promise<unknown> {
  const clients = await Promise.all(
    args.ports.map(async (port) => {
      const client = newPlainModbusClient();
      await client.connectTCP(LOOPBACK, { port });
      client.setID(1);
      client.setTimeout(2000);
      return client;
    }),
  );
  const started = performance.now();
  const until = started + args.durationMs;
  const results = await Promise.all(clients.map((c) => readLoop(c, args.blocks, until)));
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(clients.map(closeQuietly));
  return { ...addResults(results), seconds };
}

servePeer({ pid: process.pid }, { run: (arg) => run(arg as RunArgs) });
