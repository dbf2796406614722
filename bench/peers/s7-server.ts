/**
 * Peer: the simulated S7 CPU (tagwire's own S7comm server) with DB1 holding `S7_BENCH_TAGS`
 * float32 values that change every 100 ms.
 */
import { S7Memory } from '../../simulators/s7/memory.js';
import { S7Simulator } from '../../simulators/s7/server.js';
import { LOOPBACK } from '../lib/net.js';
import { arg, servePeer } from '../lib/peer-host.js';

const tags = Number(arg(0, 'tags'));
const maxPdu = Number(arg(1, 'maxPdu'));
const memory = new S7Memory({ inputs: 16, outputs: 16, merkers: 16 });
const db1 = memory.addDb(1, 4 * tags);
let tick = 0;
const update = () => {
  tick++;
  for (let i = 0; i < tags; i++) db1.writeFloatBE(20 + 5 * Math.sin(i * 0.37 + tick * 0.1), 4 * i);
};
update();
const timer = setInterval(update, 100);
const server = new S7Simulator({ host: LOOPBACK, port: 0, memory, rack: 0, slot: 1, maxPdu });
const { port } = await server.listen();

servePeer({ port, pid: process.pid }, { requests: () => server.requests }, async () => {
  clearInterval(timer);
  await server.close();
});
