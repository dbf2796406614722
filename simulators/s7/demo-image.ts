/**
 * The simulated S7 PLC's documented image (README.md in this folder): a process DB with
 * moving values, a setpoint DB the gateway can write, and the I, Q and M areas.
 */
import { S7Memory } from './memory.js';

/** Animation step: fast enough for 100 ms polling groups to see every change of the ramp. */
export const S7_DEMO_TICK_MS = 100;

export const S7_DEMO_INITIAL = { setpoint: 22.5, speed: 1500, recipe: 'default', target: -123456 } as const;

export interface S7DemoPlc {
  memory: S7Memory;
  start(): void;
  stop(): void;
}

function writeString(block: Buffer, at: number, max: number, text: string): void {
  block[at] = max;
  block[at + 1] = text.length;
  block.write(text, at + 2, 'latin1');
}

export function createS7Demo(): S7DemoPlc {
  const memory = new S7Memory({ inputs: 16, outputs: 16, merkers: 64 });
  const processDb = memory.addDb(1, 64);
  const setpoints = memory.addDb(2, 64);
  setpoints.writeFloatBE(S7_DEMO_INITIAL.setpoint, 0);
  setpoints.writeInt16BE(S7_DEMO_INITIAL.speed, 4);
  writeString(setpoints, 8, 20, S7_DEMO_INITIAL.recipe);
  setpoints.writeInt32BE(S7_DEMO_INITIAL.target, 30);
  writeString(processDb, 32, 16, 'TAGWIRE-S7-SIM');

  // Q0.0 follows the start bit DB2.DBX6.0 at once, as the program would on its next cycle.
  memory.onWrite((area, db) => {
    if (area === 'DB' && db === 2) {
      const on = ((setpoints[6] as number) & 1) === 1;
      memory.outputs[0] = on ? (memory.outputs[0] as number) | 1 : (memory.outputs[0] as number) & ~1;
    }
  });

  let timer: NodeJS.Timeout | undefined;
  let startedAt = Date.now();
  let energy = 0;
  const tick = () => {
    const now = Date.now();
    const t = (now - startedAt) / 1000;
    const setpoint = setpoints.readFloatBE(0);
    const temperature = setpoint + 2.5 * Math.sin((2 * Math.PI * t) / 60);
    processDb.writeFloatBE(Number.isFinite(temperature) ? temperature : 0, 0);
    processDb.writeFloatBE(1.25 + 0.25 * Math.sin((2 * Math.PI * t) / 20), 4);
    const step = Math.floor(t * 10) % 400;
    processDb.writeInt16BE(step < 200 ? step - 100 : 300 - step, 8);
    processDb.writeUInt16BE(Math.floor(t) % 65536, 10);
    const running = Math.floor(t / 10) % 2 === 0;
    processDb[12] = (running ? 1 : 0) | (temperature > setpoint + 2 ? 2 : 0);
    processDb.writeBigUInt64BE(BigInt(now), 16);
    energy += (setpoints.readInt16BE(4) / 1000) * (S7_DEMO_TICK_MS / 3_600_000);
    processDb.writeDoubleBE(energy, 24);
    memory.merkers[0] = Math.floor(t * 2) % 2; // M0.0: 1 Hz clock
    memory.merkers.writeUInt16BE(Math.floor(t) % 65536, 2);
    memory.inputs[0] = running ? 1 : 0;
    memory.inputs.writeInt16BE(Math.round(temperature * 100), 2);
  };

  return {
    memory,
    start() {
      startedAt = Date.now();
      tick();
      timer = setInterval(tick, S7_DEMO_TICK_MS);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}
