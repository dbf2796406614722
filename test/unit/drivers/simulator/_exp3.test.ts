import ModbusRTU from 'modbus-serial';
import { it } from 'vitest';
import { createDemoModel } from '../../../../drivers/simulator/demo-plc.js';
import { serveRtuOnSerial } from '../../../../drivers/simulator/modbus-rtu-serial.js';
import { ptyPair } from '../../../helpers/pty.js';

const Client = ModbusRTU.default;
it('late cross address', async () => {
  const pair = await ptyPair();
  const demo = createDemoModel();
  demo.model.setRegister(1, 'hr', 100, 1111);
  demo.model.setRegister(1, 'hr', 200 - 1, 0);
  demo.model.setRegister(1, 'hr', 150, 2222);
  const srv = await serveRtuOnSerial(demo.model, { path: pair.a, baudRate: 38400 });
  const c = new Client();
  await c.connectRTUBuffered(pair.b, { baudRate: 38400 });
  c.setTimeout(300);
  c.setID(1);
  srv.sim.responseDelayMs = 400;
  const out: string[] = [];
  for (let i = 0; i < 6; i++) {
    const addr = i % 2 ? 150 : 100;
    try {
      const r = await c.readHoldingRegisters(addr, 1);
      out.push(`hr:${addr} -> ${r.data[0]}`);
    } catch (e) {
      out.push(`hr:${addr} -> ${(e as Error).message}`);
    }
    srv.sim.responseDelayMs = 0;
  }
  // length mismatch after stale
  srv.sim.responseDelayMs = 400;
  for (let i = 0; i < 5; i++) {
    const n = i % 2 ? 2 : 1;
    try {
      const r = await c.readHoldingRegisters(100, n);
      out.push(`hr:100 x${n} -> ${r.data.join(',')}`);
    } catch (e) {
      out.push(`hr:100 x${n} -> ${(e as Error).message}`);
    }
    srv.sim.responseDelayMs = 0;
  }
  console.log(out.join('\n'));
  await new Promise<void>((r) => c.close(() => r()));
  await srv.close();
  await pair.close();
}, 60000);
