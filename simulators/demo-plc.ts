/**
 * The demo PLC: a register map with moving values (README.md in this folder documents it),
 * used by the first-start demo, the tests and the benchmark.
 */
import { ModbusDataModel } from './modbus-model.js';

export const DEMO_UNITS = [1, 2] as const;
/** Animation step; fast enough for 100 ms polling groups to see every change of the ramp. */
export const DEMO_TICK_MS = 100;

export const DEMO_INITIAL = {
  setpoint: 22.5,
  speed: 1500,
  int16: -5,
  int32: -123456,
  int64: 1234567890123456789n,
  name: 'TAGWIRE-SIM',
} as const;

export interface DemoPlc {
  model: ModbusDataModel;
  start(): void;
  stop(): void;
}

export function createDemoModel(): DemoPlc {
  const model = new ModbusDataModel();
  for (const unitId of DEMO_UNITS) initUnit(model, unitId);

  // di:1 mirrors coil:0 immediately on write, not only on the next tick.
  model.onWrite((unitId, area, address) => {
    if (area === 'coil' && address === 0) model.setBit(unitId, 'di', 1, model.getBit(unitId, 'coil', 0));
  });

  let timer: NodeJS.Timeout | undefined;
  let startedAt = Date.now();
  const tick = (): void => {
    for (const unitId of DEMO_UNITS) animate(model, unitId, Date.now(), startedAt);
  };

  return {
    model,
    start() {
      if (timer) return;
      startedAt = Date.now();
      tick();
      timer = setInterval(tick, DEMO_TICK_MS);
      // The simulator must never keep a test run or the CLI alive on its own.
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}

function initUnit(model: ModbusDataModel, unitId: number): void {
  model.addUnit(unitId);
  // Mapped ranges; everything else answers exception 2.
  model.map(unitId, 'ir', 0, 6); // temperature, pressure, counter, ramp
  model.map(unitId, 'ir', 10, 4); // epoch ms
  model.map(unitId, 'ir', 20, 2); // temperature CDAB
  model.map(unitId, 'hr', 0, 21); // setpoint .. status word
  model.map(unitId, 'hr', 100, 100); // scratch
  model.map(unitId, 'hr', 1000, 100); // hr:1100..1199 is the hole that forces split reads
  model.map(unitId, 'hr', 1200, 100);
  model.map(unitId, 'coil', 0, 16);
  model.map(unitId, 'di', 0, 16);

  model.setFloat32(unitId, 'hr', 0, DEMO_INITIAL.setpoint);
  model.setUint16(unitId, 'hr', 2, DEMO_INITIAL.speed);
  model.setInt16(unitId, 'hr', 3, DEMO_INITIAL.int16);
  model.setInt32(unitId, 'hr', 4, DEMO_INITIAL.int32);
  model.setInt64(unitId, 'hr', 6, DEMO_INITIAL.int64);
  model.setString(unitId, 'hr', 10, DEMO_INITIAL.name, 20);
  model.setBit(unitId, 'coil', 0, true);
  animate(model, unitId, Date.now(), Date.now());
}

function sine(elapsedMs: number, periodMs: number, min: number, max: number): number {
  const mid = (min + max) / 2;
  return mid + ((max - min) / 2) * Math.sin((2 * Math.PI * elapsedMs) / periodMs);
}

/** Sets every moving value from the clock, so values are right even if ticks are late. */
function animate(model: ModbusDataModel, unitId: number, now: number, startedAt: number): void {
  const elapsed = now - startedAt;
  const temperature = sine(elapsed, 60_000, 20, 25);
  model.setFloat32(unitId, 'ir', 0, temperature);
  model.setFloat32(unitId, 'ir', 2, sine(elapsed, 20_000, 1.0, 1.5));
  model.setUint16(unitId, 'ir', 4, Math.floor(elapsed / 1000) & 0xffff);
  // Triangle -100..100: one step per tick, 40 s per period.
  const step = Math.floor(elapsed / DEMO_TICK_MS) % 400;
  model.setInt16(unitId, 'ir', 5, step < 200 ? -100 + step : 300 - step);
  model.setUint64(unitId, 'ir', 10, BigInt(now));
  model.setFloat32(unitId, 'ir', 20, temperature, 'CDAB');

  // Status word: bit0 running, bit1 alarm (toggles every 10 s); other bits stay as written.
  const alarm = Math.floor(elapsed / 10_000) % 2 === 1;
  const status = model.getRegister(unitId, 'hr', 20);
  model.setRegister(unitId, 'hr', 20, (status & ~0b11) | 0b01 | (alarm ? 0b10 : 0));

  model.setBit(unitId, 'di', 0, Math.floor(elapsed / 1000) % 2 === 1);
  model.setBit(unitId, 'di', 1, model.getBit(unitId, 'coil', 0));
}
