/**
 * Peer: a simulated Modbus TCP gateway with many units behind it — unit ids 1–247, each with
 * the same register map (hr 0–99, float32 values that change every second) — served on
 * `ports` TCP ports, as a plant's meters sit behind a few Modbus TCP gateways.
 */
import { ModbusDataModel } from '../../simulators/modbus-model.js';
import { ModbusTcpSimulator } from '../../simulators/modbus-tcp-server.js';
import { LOOPBACK } from '../lib/net.js';
import { arg, servePeer } from '../lib/peer-host.js';

const UNITS = 247;
const REGISTERS = 100;
const model = new ModbusDataModel();
for (let u = 1; u <= UNITS; u++) model.addUnit(u).map('hr', 0, REGISTERS);
let tick = 0;

function update(): void {
  tick++;
  for (let u = 1; u <= UNITS; u++) {
    for (let at = 0; at + 1 < REGISTERS; at += 2) model.setFloat32(u, 'hr', at, 230 + u / 100 + Math.sin(at + tick));
  }
}
update();
const timer = setInterval(update, 1000);

const servers: ModbusTcpSimulator[] = [];
const ports: number[] = [];
for (let i = 0; i < Number(arg(0, 'ports')); i++) {
  const server = new ModbusTcpSimulator(model, { host: LOOPBACK });
  ports.push((await server.listen()).port);
  servers.push(server);
}
servePeer({ ports }, { stats: () => ({ requests: servers.reduce((n, s) => n + s.requests, 0) }) }, async () => {
  clearInterval(timer);
  await Promise.all(servers.map((s) => s.close()));
});
