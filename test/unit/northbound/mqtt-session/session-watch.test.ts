import { describe, expect, it } from 'vitest';
import { BrokerSessionWatch, SHORT_SESSION_MS } from '../../../../northbound/mqtt-session/session-watch.js';

describe('BrokerSessionWatch', () => {
  it('explains a close before CONNACK, unless an error already did', () => {
    const v5 = new BrokerSessionWatch(5, 'id');
    v5.connecting();
    expect(v5.closed()).toEqual({
      text: expect.stringContaining('does it support MQTT 5? try protocolVersion 4'),
      fresh: true,
    });
    v5.connecting();
    expect(v5.closed()?.fresh).toBe(false); // the same again: not logged again
    v5.connecting();
    v5.error(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    expect(v5.closed()).toBeUndefined();
    v5.connecting();
    v5.error(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
    expect(v5.closed()).toMatchObject({ text: expect.stringContaining('before accepting it'), fresh: true });
  });

  it('suspects a shared client id after three short sessions within a minute, until a session lasts', () => {
    const watch = new BrokerSessionWatch(4, 'gw-1');
    let now = 1_000_000;
    const session = (lasting: number) => {
      watch.connecting();
      watch.accepted(now);
      now += lasting;
      return watch.closed(now);
    };
    expect(session(1000)).toBeUndefined();
    expect(session(1000)).toBeUndefined();
    expect(session(1000)).toEqual({
      text: expect.stringContaining('another client may be using the same client id "gw-1"'),
      fresh: true,
    });
    expect(session(1000)?.fresh).toBe(false);
    expect(watch.warning(now)).toContain('same client id');
    expect(session(SHORT_SESSION_MS + 1)).toBeUndefined();
    expect(watch.warning(now)).toBeUndefined();
  });

  it('says so at once when an MQTT 5 broker reports the session taken over', () => {
    const watch = new BrokerSessionWatch(5, 'gw-1');
    watch.connecting();
    watch.accepted();
    watch.disconnectPacket(0x8e);
    expect(watch.closed()?.text).toContain('same client id "gw-1"');
  });
});
