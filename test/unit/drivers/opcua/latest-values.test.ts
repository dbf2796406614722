import { DataType, DataValue } from 'node-opcua';
import { describe, expect, it } from 'vitest';
import { isOlder, LatestValues } from '../../../../drivers/opcua/latest-values.js';

const at = (value: number, source: number | null, server: number | null = null): DataValue =>
  new DataValue({
    value: { dataType: DataType.Double, value },
    sourceTimestamp: source === null ? null : new Date(source),
    serverTimestamp: server === null ? null : new Date(server),
  });

const T = Date.UTC(2026, 0, 1);

describe('isOlder', () => {
  it('compares source timestamps, else server timestamps, else knows nothing', () => {
    expect(isOlder(at(1, T), at(2, T + 1))).toBe(true);
    expect(isOlder(at(1, T + 1), at(2, T))).toBe(false);
    expect(isOlder(at(1, T), at(2, T))).toBe(false);
    expect(isOlder(at(1, null, T), at(2, null, T + 5))).toBe(true);
    expect(isOlder(at(1, null), at(2, T))).toBe(false);
  });
});

describe('LatestValues', () => {
  it('a Read newer than the held notification replaces it; an older one does not', () => {
    const latest = new LatestValues(1, 1000);
    latest.notified(0, at(1, T), 0);
    expect(latest.offerRead(0, at(2, T + 10), 5, 5).value.value).toBe(2);
    expect(latest.offerRead(0, at(3, T + 5), 6, 6).value.value).toBe(2);
    expect(latest.get(0)?.value.value).toBe(2);
  });

  it('drops a notification older than a recent Read, keeps it once the window has passed', () => {
    const latest = new LatestValues(1, 1000);
    latest.offerRead(0, at(2, T + 10), 0, 0);
    latest.notified(0, at(1, T), 100);
    expect(latest.get(0)?.value.value).toBe(2);
    latest.notified(0, at(3, T + 20), 200);
    expect(latest.get(0)?.value.value).toBe(3);
    // After a notification, notifications follow the server's order, even back in time.
    latest.notified(0, at(4, T + 15), 300);
    expect(latest.get(0)?.value.value).toBe(4);
    // A device clock that went back: an older notification long after the Read is kept.
    latest.offerRead(0, at(5, T + 30), 400, 400);
    latest.notified(0, at(6, T + 1), 1500);
    expect(latest.get(0)?.value.value).toBe(6);
  });

  it('after a write, nothing is answered until a Read sent after the write', () => {
    const latest = new LatestValues(2, 1000);
    latest.notified(0, at(1, T), 0);
    latest.notified(1, at(9, T), 0);
    latest.written(0, 100);
    expect(latest.get(0)).toBeUndefined();
    expect(latest.get(1)?.value.value).toBe(9);
    latest.notified(0, at(2, T + 1), 110);
    expect(latest.get(0)).toBeUndefined();
    // A Read sent before the write completed does not count.
    latest.offerRead(0, at(1, T), 90, 120);
    expect(latest.get(0)).toBeUndefined();
    expect(latest.offerRead(0, at(2, T + 1), 130, 140).value.value).toBe(2);
    expect(latest.get(0)?.value.value).toBe(2);
  });
});
