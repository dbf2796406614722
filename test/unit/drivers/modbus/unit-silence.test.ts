import { describe, expect, it } from 'vitest';
import { badValue, goodValue } from '../../../../core/values.js';
import { isGatewayNoAnswer, unitSilence } from '../../../../drivers/modbus/unit-silence.js';

const bad = (error: string) => badValue(error, 0);

describe('unit silence', () => {
  it('takes exceptions 10 and 11 (a gateway whose unit does not answer) like a timeout, no other', () => {
    expect(isGatewayNoAnswer('modbus-exception-10')).toBe(true);
    expect(isGatewayNoAnswer('modbus-exception-11')).toBe(true);
    for (const code of ['modbus-exception-1', 'modbus-exception-2', 'modbus-exception-4', 'timeout', undefined]) {
      expect(isGatewayNoAnswer(code)).toBe(false);
    }
  });

  it('names why a whole read got nothing from the unit, the gateway exception first', () => {
    expect(unitSilence([bad('timeout'), bad('timeout')])).toBe('timeout');
    expect(unitSilence([bad('modbus-exception-10')])).toBe('modbus-exception-10');
    expect(unitSilence([bad('timeout'), bad('modbus-exception-11')])).toBe('modbus-exception-11');
  });

  it('is undefined as soon as the unit answered one tag, even with an exception', () => {
    expect(unitSilence([bad('modbus-exception-11'), goodValue(1, 0)])).toBeUndefined();
    expect(unitSilence([bad('timeout'), bad('modbus-exception-2')])).toBeUndefined();
    expect(unitSilence([])).toBeUndefined();
  });
});
