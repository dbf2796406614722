/**
 * A simulated device whose clock registers always hold the time of the answer being built:
 * the Modbus frame handler looks the unit up once per request, right before it copies the
 * registers, so that lookup is where the clock is set.
 */
import { ModbusDataModel, type ModbusUnitData } from '../../simulators/modbus-model.js';

/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes. */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}

export class ClockedModel extends ModbusDataModel {
  /** Holding registers where a float64 (ABCD) clock is kept. */
  clocks: number[] = [];
  private readonly scratch = new DataView(new ArrayBuffer(8));

  override unit(unitId: number): ModbusUnitData | undefined {
    const unit = super.unit(unitId);
    if (unit && this.clocks.length > 0) {
      this.scratch.setFloat64(0, preciseNow());
      const w0 = this.scratch.getUint16(0);
      const w1 = this.scratch.getUint16(2);
      const w2 = this.scratch.getUint16(4);
      const w3 = this.scratch.getUint16(6);
      for (const at of this.clocks) {
        unit.hr[at] = w0;
        unit.hr[at + 1] = w1;
        unit.hr[at + 2] = w2;
        unit.hr[at + 3] = w3;
      }
    }
    return unit;
  }
}
