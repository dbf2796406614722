/**
 * Peer: the simulated Modbus TCP device(s). One model (unit 1, all 65536 holding registers
 * mapped, values that change every 100 ms), served on as many ports as devices are wanted,
 * so that every gateway device gets a connection of its own.
 */
import { ModbusTcpSimulator } from '../../simulators/modbus-tcp-server.js';
import { LOOPBACK } from '../lib/net.js';
import { servePeer } from '../lib/peer-host.js';
import { ClockedModel } from './clocked-model.js';

const UNIT = 1;
const UPDATE_MS = 100;

const model = new ClockedModel();
model.addUnit(UNIT);
model.map(UNIT, 'hr', 0, 0x10000);
const regs = model.unit(UNIT)?.hr ?? new Uint16Array(0);
const servers: ModbusTcpSimulator[] = [];
const ports: number[] = [];
let used = 0x10000;
let tick = 0;

/**
 * Sensor-like float32 values (not round numbers) in every register pair, new ones each tick.
 * Clock registers are overwritten too: the model sets them again before every answer.
 */
function update(): void {
  tick++;
  const view = new DataView(new ArrayBuffer(4));
  for (let at = 0; at + 1 < used; at += 2) {
    view.setFloat32(0, 20 + 5 * Math.sin(at * 0.37 + tick * 0.1));
    regs[at] = view.getUint16(0);
    regs[at + 1] = view.getUint16(2);
  }
}
update();
const timer = setInterval(update, UPDATE_MS);

async function ensure(count: number): Promise<number[]> {
  while (servers.length < count) {
    const server = new ModbusTcpSimulator(model, { host: LOOPBACK });
    const { port } = await server.listen();
    servers.push(server);
    ports.push(port);
  }
  return ports.slice(0, count);
}

await ensure(1);
servePeer(
  { ports },
  {
    ensure: (count) => ensure(Number(count)),
    layout: (arg) => {
      const { registers, clocks } = arg as { registers: number; clocks: number[] };
      used = Math.min(0x10000, registers);
      model.clocks = clocks;
      update();
      return true;
    },
    stats: () => ({ requests: servers.reduce((n, s) => n + s.requests, 0) }),
  },
  async () => {
    clearInterval(timer);
    await Promise.all(servers.map((s) => s.close()));
  },
);
