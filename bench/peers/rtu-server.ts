/** Peer: the simulated RTU slaves (units 1–3) on one end of a pty pair; units can be made silent. */
import { ModbusDataModel } from '../../simulators/modbus-model.js';
import { serveRtuOnSerial } from '../../simulators/modbus-rtu-serial.js';
import { arg, servePeer } from '../lib/peer-host.js';

const path = arg(0, 'serial device');
const baudRate = Number(arg(1, 'baud rate'));
const model = new ModbusDataModel();
for (const unit of [1, 2, 3]) {
  model.addUnit(unit);
  model.map(unit, 'hr', 0, 1000);
  for (let at = 0; at < 1000; at++) model.setRegister(unit, 'hr', at, (at * 31 + unit) & 0xffff);
}
const server = await serveRtuOnSerial(model, { path, baudRate });

servePeer(
  { pid: process.pid },
  {
    silent: (units) => {
      server.sim.silentUnits.clear();
      for (const u of units as number[]) server.sim.silentUnits.add(u);
      return true;
    },
    stats: () => ({ requests: server.sim.requests, crcErrors: server.sim.crcErrors }),
  },
  () => server.close(),
);
