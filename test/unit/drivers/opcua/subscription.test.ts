import { describe, expect, it } from 'vitest';
import { accessOf } from '../../../../drivers/opcua/browse.js';
import { publishingParameters } from '../../../../drivers/opcua/subscription.js';

describe('publishingParameters', () => {
  it('publishes at the group interval with a keep-alive about every 10 s', () => {
    expect(publishingParameters(1000, 60_000)).toEqual({
      publishingInterval: 1000,
      maxKeepAliveCount: 10,
      lifetimeCount: 60,
    });
    expect(publishingParameters(100, 60_000)).toMatchObject({ publishingInterval: 100, maxKeepAliveCount: 15 });
  });

  it('stays within what node-opcua accepts: keep-alive (≥ 3 intervals) well inside the session timeout', () => {
    for (const interval of [10, 100, 1000, 5000, 60_000, 3_600_000, 86_400_000]) {
      for (const sessionTimeout of [10_000, 30_000, 60_000, 3_600_000]) {
        const p = publishingParameters(interval, sessionTimeout);
        expect(p.maxKeepAliveCount).toBeGreaterThanOrEqual(3);
        expect(p.maxKeepAliveCount * p.publishingInterval).toBeLessThanOrEqual(sessionTimeout / 2);
        expect(p.publishingInterval).toBeLessThanOrEqual(Math.max(10, interval));
        expect(p.lifetimeCount).toBeGreaterThanOrEqual(3 * p.maxKeepAliveCount);
      }
    }
  });
});

describe('accessOf (UserAccessLevel)', () => {
  it('maps CurrentRead/CurrentWrite', () => {
    expect(accessOf(1)).toBe('read');
    expect(accessOf(2)).toBe('write');
    expect(accessOf(3)).toBe('readwrite');
    expect(accessOf(0x07)).toBe('readwrite');
    expect(accessOf(0)).toBeUndefined();
  });
});
