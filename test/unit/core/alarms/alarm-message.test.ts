import { describe, expect, it } from 'vitest';
import { alarmMessage } from '../../../../core/alarms/condition.js';

describe('alarm message', () => {
  const def = { name: 'high', above: 100, message: 'setpoint {value} {unit} too high' } as const;
  const tag = { name: 'setpoint', unit: 'rpm' };

  it('fills in the value and the tag fields', () => {
    expect(alarmMessage({ ...def, deadband: 0, delayMs: 0, severity: 'high' }, tag, 150)).toBe(
      'setpoint 150 rpm too high',
    );
  });

  it('says — for the value before the tag has one, not an empty gap', () => {
    expect(alarmMessage({ ...def, deadband: 0, delayMs: 0, severity: 'high' }, tag, null)).toBe(
      'setpoint — rpm too high',
    );
  });
});
