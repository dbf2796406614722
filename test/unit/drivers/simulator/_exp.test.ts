import ModbusRTU from 'modbus-serial';
import { it } from 'vitest';
import { createDemoModel } from '../../../../drivers/simulator/demo-plc.js';
import { serveRtuOnSerial } from '../../../../drivers/simulator/modbus-rtu-serial.js';
import { ModbusRtuTcpSimulator } from '../../../../drivers/simulator/modbus-rtu-tcp-server.js';
import type { RtuSlaveControls } from '../../../../drivers/simulator/rtu-slave-controls.js';
import { ptyPair } from '../../../helpers/pty.js';

const Client = ModbusRTU.default;
type C = InstanceType<typeof Client>;
let counter = 1000;
async function probe(c: C, model: any, unit: number, label: string) {
  const v = ++counter;
  model.setRegister(unit, 'hr', 100, v);
  c.setID(unit);
  try {
    const r = await c.readHoldingRegisters(100, 1);
    return `${label}: u${unit} got ${r.data[0]} ${r.data[0] === v ? 'OK' : 'STALE/WRONG (expected ' + v + ')'}`;
  } catch (e) {
    return `${label}: u${unit} ERR ${(e as Error).message}`;
  }
}
type Mk = () => Promise<C>;
async function scenarios(mk: Mk, model: any, ctl: RtuSlaveControls, kind: string) {
  const out: string[] = [];
  const run = async (name: string, setup: () => void, seq: number[] = [1, 1, 1], between?: () => Promise<void>) => {
    const c = await mk();
    c.setTimeout(300);
    setup();
    for (const [i, u] of seq.entries()) {
      out.push(await probe(c, model, u, `${kind} ${name} #${i}`));
      ctl.responseDelayMs = 0;
      if (between && i === 0) await between();
    }
    await new Promise<void>((r) => c.close(() => r()));
    await new Promise((r) => setTimeout(r, 100));
  };
  await run('stray5', () => ctl.strayBytesBeforeNext(5));
  await run('stray 01 03 ff', () => ctl.strayBytesBeforeNext(Buffer.from([1, 3, 0xff])));
  await run('corrupt', () => ctl.corruptNextResponses(1));
  await run('truncate', () => ctl.truncateNextResponses(1), [1, 1, 1, 1]);
  await run('truncate-other-unit-next', () => ctl.truncateNextResponses(1), [1, 2, 1, 1]);
  await run('wrongUnit', () => ctl.wrongUnitNext(1), [1, 2, 2, 1]);
  await run('wrongUnit then u1', () => ctl.wrongUnitNext(1), [1, 1, 1, 2, 2]);
  await run('late, next at once', () => {
    ctl.responseDelayMs = 400;
  }, [1, 1, 1, 1, 2, 1]);
  await run(
    'late, wait, next',
    () => {
      ctl.responseDelayMs = 400;
    },
    [1, 1, 1],
    () => new Promise((r) => setTimeout(r, 300)),
  );
  await run('drop', () => ctl.dropNextResponses(1), [1, 1]);
  console.log(out.join('\n'));
}
it('serial', async () => {
  const pair = await ptyPair();
  const demo = createDemoModel();
  const srv = await serveRtuOnSerial(demo.model, { path: pair.a, baudRate: 38400 });
  await scenarios(
    async () => {
      const c = new Client();
      await c.connectRTUBuffered(pair.b, { baudRate: 38400 });
      return c;
    },
    demo.model,
    srv.sim,
    'rtu',
  );
  console.log(srv.sim.requests, srv.sim.crcErrors);
  await srv.close();
  await pair.close();
}, 60000);
it('tcp', async () => {
  const demo = createDemoModel();
  const sim = new ModbusRtuTcpSimulator(demo.model);
  const { port } = await sim.listen();
  await scenarios(
    async () => {
      const c = new Client();
      await c.connectTelnet('127.0.0.1', { port });
      return c;
    },
    demo.model,
    sim,
    'telnet',
  );
  console.log(sim.requests, sim.crcErrors);
  await sim.close();
}, 60000);
