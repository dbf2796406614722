import ModbusRTU from 'modbus-serial';
import { it } from 'vitest';
import { createDemoModel } from '../../../../drivers/simulator/demo-plc.js';
import { serveRtuOnSerial } from '../../../../drivers/simulator/modbus-rtu-serial.js';
import { ptyPair } from '../../../helpers/pty.js';

const Client = ModbusRTU.default;
it('late', async () => {
  const pair = await ptyPair();
  const demo = createDemoModel();
  const srv = await serveRtuOnSerial(demo.model, { path: pair.a, baudRate: 38400 });
  for (let round = 0; round < 3; round++) {
    const c = new Client();
    await c.connectRTUBuffered(pair.b, { baudRate: 38400 });
    c.setTimeout(300);
    const port = (c as any)._port;
    const t0 = performance.now();
    const log: string[] = [];
    const ms = () => (performance.now() - t0).toFixed(0).padStart(4);
    port._client.on('data', (d: Buffer) =>
      log.push(`${ms()} chunk ${d.toString('hex')} buffer-before=${port._buffer.length}`),
    );
    const emit = port.emit.bind(port);
    port.emit = (ev: string, d: any) => {
      if (ev === 'data') log.push(`${ms()} emit ${d.toString('hex')}`);
      return emit(ev, d);
    };
    srv.sim.responseDelayMs = 400;
    let v = 0;
    for (let i = 0; i < 6; i++) {
      v = 100 + i;
      demo.model.setRegister(1, 'hr', 100, v);
      c.setID(1);
      log.push(`${ms()} request value=${v}`);
      try {
        const r = await c.readHoldingRegisters(100, 1);
        log.push(`${ms()} result ${r.data[0]}`);
      } catch (e) {
        log.push(`${ms()} error ${(e as Error).message}`);
      }
      srv.sim.responseDelayMs = 0;
    }
    console.log(log.join('\n'));
    await new Promise<void>((r) => c.close(() => r()));
  }
  await srv.close();
  await pair.close();
}, 60000);
