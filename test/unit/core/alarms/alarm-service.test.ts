import { describe, expect, it } from 'vitest';
import { builtinRegistry } from '../../../../app/builtin-plugins.js';
import { AlarmService, alarmId } from '../../../../core/alarms/alarm-service.js';
import type { AlarmStatus } from '../../../../core/alarms/alarm-types.js';
import type { AuditEntry } from '../../../../core/audit-types.js';
import { Bus } from '../../../../core/bus.js';
import type { Config, TagConfig } from '../../../../core/config/schema.js';
import { validateConfig } from '../../../../core/config/validate.js';
import { silentLogger } from '../../../../core/log.js';
import type { Db } from '../../../../core/store/db.js';
import { openMemoryDb } from '../../../../core/store/memory-db.js';
import type { TagValue } from '../../../../core/values.js';
import { FakeClock } from './fake-clock.js';

function config(alarms: unknown[], tag: Record<string, unknown> = {}): Config {
  const result = validateConfig(
    {
      gateway: { uns: 'acme' },
      devices: [
        {
          name: 'oven',
          driver: 'modbus-tcp',
          settings: { host: '10.0.0.1' },
          groups: [
            {
              name: 'g',
              tags: [{ name: 'temp', address: 'hr:0', type: 'float32', unit: '°C', alarms, ...tag }],
            },
          ],
        },
      ],
    },
    builtinRegistry(),
  );
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.config;
}

/** An alarm service on a bus with a hand-moved clock, and a way to feed the tag's readings. */
function setup(cfg: Config, db: Db = openMemoryDb(), audit: AuditEntry[] = []) {
  const clock = new FakeClock();
  const bus = new Bus();
  const service = new AlarmService({ db, log: silentLogger(), clock, audit: (e) => audit.push(e) });
  service.attach(bus);
  service.configure(cfg);
  const events: Array<{ kind: string; alarm: AlarmStatus }> = [];
  service.subscribe((alarm, kind) => events.push({ kind, alarm }));
  const tag = cfg.devices[0]?.groups[0]?.tags[0] as TagConfig;
  const feed = (value: number | null, quality: TagValue['quality'] = 'good') => {
    const v: TagValue =
      value === null
        ? { value, timestamp: clock.now(), quality: 'bad', error: 'timeout' }
        : {
            value,
            timestamp: clock.now(),
            quality,
          };
    bus.emitReading({
      device: 'oven',
      group: 'g',
      timestamp: clock.now(),
      items: [{ tag, topic: 'acme/oven/temp', value: v, publish: true }],
    });
  };
  const state = () => service.list()[0] as AlarmStatus;
  return { clock, service, events, feed, state, db };
}

describe('alarm state machine (ISA-18.2)', () => {
  it('goes normal → active unacked → active acked → normal, with deadband', () => {
    const { feed, state, events, service } = setup(
      config([{ name: 'high', above: 80, deadband: 2, severity: 'high' }]),
    );
    feed(79);
    feed(80); // at the limit: not above it
    expect(state()).toMatchObject({ state: 'normal', acked: true });
    feed(81.5);
    expect(state()).toMatchObject({
      state: 'active',
      acked: false,
      severity: 'high',
      value: 81.5,
      topic: 'acme/oven/temp/_alarm/high',
    });
    expect(state().activeSince).toBeTypeOf('number');
    feed(79); // inside the deadband: still active
    expect(state().state).toBe('active');
    service.ack(state().id, 'checked', { source: 'http', user: 'op' });
    expect(state()).toMatchObject({ state: 'active', acked: true, ackedBy: 'op', ackComment: 'checked' });
    feed(78); // <= limit - deadband: clears
    expect(state()).toMatchObject({ state: 'normal', acked: true });
    expect(state().activeSince).toBeUndefined();
    expect(events.map((e) => e.kind)).toEqual(['active', 'ack', 'normal']);
    expect(service.list({ standing: true })).toEqual([]);
  });

  it('keeps an alarm that returned to normal unacknowledged listed until acknowledged', () => {
    const { feed, state, service } = setup(config([{ name: 'low', below: 10, deadband: 1 }]));
    feed(9);
    expect(state()).toMatchObject({ state: 'active', acked: false });
    feed(10.5); // below limit + deadband: still active
    expect(state().state).toBe('active');
    feed(11);
    expect(state()).toMatchObject({ state: 'normal', acked: false });
    expect(service.list({ standing: true })).toHaveLength(1);
    expect(service.ack(state().id, '', { source: 'http', user: 'op' }).changed).toBe(true);
    expect(service.list({ standing: true })).toEqual([]);
    // Nothing left to acknowledge: no change, nothing recorded.
    expect(service.ack(state().id, '', { source: 'http', user: 'op' }).changed).toBe(false);
    expect(service.history({}).map((h) => h.kind)).toEqual(['ack', 'normal', 'active']);
  });

  it('raises only after the condition held for delayMs, and not at all if it clears before', () => {
    const { feed, state, clock } = setup(config([{ name: 'high', above: 80, delayMs: 5000 }]));
    feed(90);
    clock.advance(4999);
    expect(state().state).toBe('normal');
    feed(70); // clears before the delay ends: never raised
    clock.advance(10_000);
    expect(state().state).toBe('normal');
    feed(90);
    const start = clock.now();
    clock.advance(2000);
    feed(95);
    clock.advance(3000);
    expect(state()).toMatchObject({ state: 'active', value: 95, activeSince: start + 5000 });
  });

  it('keeps the state while the tag is not good, says so, and clears the flag when good again', () => {
    const { feed, state, events } = setup(config([{ name: 'high', above: 80 }]));
    feed(85);
    feed(null);
    expect(state()).toMatchObject({ state: 'active', acked: false, quality: 'bad', value: 85 });
    feed(86);
    expect(state().state).toBe('active');
    expect(state().quality).toBeUndefined();
    expect(events.map((e) => e.kind)).toEqual(['active', 'quality', 'quality']);
  });

  it('fills in {value}, {name}, {unit} in the message', () => {
    const { feed, state } = setup(config([{ name: 'high', above: 80, message: '{name} at {value} {unit}' }]));
    feed(81);
    expect(state().message).toBe('temp at 81 °C');
  });

  it('equals on a boolean tag', () => {
    const { feed, state } = setup(config([{ name: 'tripped', equals: true }], { address: 'coil:1', type: 'bool' }));
    feed(0);
    expect(state().state).toBe('normal');
    // biome-ignore lint/suspicious/noExplicitAny: a bool reading fed through the number helper's path
    (feed as any)(true);
    expect(state().state).toBe('active');
  });

  it('keeps state across a new service on the same database (a restart), not raised anew', () => {
    const db = openMemoryDb();
    const cfg = config([{ name: 'high', above: 80 }]);
    const first = setup(cfg, db);
    first.feed(90);
    const before = first.state();
    first.service.stop();
    const second = setup(cfg, db);
    expect(second.state()).toMatchObject({ state: 'active', acked: false, activeSince: before.activeSince });
    second.feed(91);
    expect(second.events).toEqual([]);
    expect(second.service.history({ kind: 'active' })).toHaveLength(1);
  });

  it('audits an acknowledgement, and refuses an unknown id', () => {
    const audit: AuditEntry[] = [];
    const { feed, state, service } = setup(config([{ name: 'high', above: 80 }]), openMemoryDb(), audit);
    feed(90);
    service.ack(state().id, 'seen it', { source: 'http', user: 'op', address: '10.0.0.9' });
    expect(audit).toMatchObject([{ kind: 'ack', ok: true, user: 'op', action: 'ack alarm oven/temp/high' }]);
    expect(() => service.ack('nope', '', { source: 'http', user: 'op' })).toThrow(/no alarm/);
    expect(state().id).toBe(alarmId('oven', 'temp', 'high'));
  });
});

describe('when: alarm conditions as expressions', () => {
  function ovenConfig(when: string): Config {
    const result = validateConfig(
      {
        gateway: {},
        devices: [
          {
            name: 'oven',
            driver: 'modbus-tcp',
            settings: { host: '10.0.0.1' },
            groups: [
              {
                name: 'g',
                tags: [
                  { name: 'temp', address: 'hr:0', type: 'float32', alarms: [{ name: 'fault', when }] },
                  { name: 'limit', address: 'hr:2', type: 'float32' },
                  { name: 'door-open', address: 'coil:0', type: 'bool' },
                ],
              },
            ],
          },
        ],
      },
      builtinRegistry(),
    );
    if (!result.ok) throw new Error(result.errors.join('\n'));
    return result.config;
  }

  it('is re-evaluated when any referenced tag changes, and keeps its state while an input has no good value', () => {
    const cfg = ovenConfig('{oven/temp} > {oven/limit} and not {oven/door-open}');
    const bus = new Bus();
    const service = new AlarmService({ db: openMemoryDb(), log: silentLogger(), clock: new FakeClock() });
    service.attach(bus);
    service.configure(cfg);
    const tags = cfg.devices[0]!.groups[0]!.tags;
    const read = (name: string, value: TagValue['value'], quality: TagValue['quality'] = 'good') => {
      const tag = tags.find((t) => t.name === name)!;
      const v: TagValue =
        quality === 'good'
          ? { value, timestamp: 1, quality }
          : { value: null, timestamp: 1, quality, error: 'timeout' };
      bus.emitReading({
        device: 'oven',
        group: 'g',
        timestamp: 1,
        items: [{ tag, topic: name, value: v, publish: true }],
      });
    };
    const state = () => service.list()[0]!.state;
    read('temp', 90);
    expect(state()).toBe('normal'); // limit and door have no value yet: cannot be judged
    read('limit', 100);
    read('door-open', false);
    expect(state()).toBe('normal');
    read('limit', 80); // only the limit changed: 90 > 80
    expect(state()).toBe('active');
    read('door-open', null, 'bad'); // an input without a good value: the state is kept
    expect(state()).toBe('active');
    read('door-open', true);
    expect(state()).toBe('normal');
  });

  it('refuses an unknown reference and a syntax error, naming the path and the position', () => {
    const at = 'devices[0].groups[0].tags[0].alarms[0].when';
    expect(() => ovenConfig('{oven/temp} > {oven/nope}')).toThrow(
      `${at}: unknown reference {oven/nope} (write {device/tag})`,
    );
    expect(() => ovenConfig('{oven/temp} >')).toThrow(new RegExp(`${at.replace(/[[\].]/g, '\\$&')}: .*position`));
  });
});

describe('alarm validation', () => {
  function errorsOf(alarms: unknown[], tag: Record<string, unknown> = {}): string[] {
    try {
      config(alarms, tag);
      return [];
    } catch (err) {
      return String((err as Error).message).split('\n');
    }
  }
  const at = 'devices[0].groups[0].tags[0].alarms';

  it('refuses two conditions at once, naming the path', () => {
    expect(errorsOf([{ name: 'x', above: 1, below: 0 }])).toEqual([
      `${at}[0]: give exactly one of above, below, equals, when (found above, below)`,
    ]);
    expect(errorsOf([{ name: 'x' }])).toEqual([`${at}[0]: give one of above, below, equals, when`]);
  });

  it('refuses a negative deadband, a limit on a string or bool tag, and duplicate names', () => {
    expect(errorsOf([{ name: 'x', above: 1, deadband: -1 }])).toEqual([`${at}[0].deadband: must be >= 0`]);
    expect(errorsOf([{ name: 'x', above: 1 }], { type: 'string', length: 4 })).toEqual([
      `${at}[0].above: a limit needs a numeric tag, and this tag is string (use equals)`,
    ]);
    expect(errorsOf([{ name: 'x', below: 1 }], { address: 'coil:0', type: 'bool' })).toEqual([
      `${at}[0].below: a limit needs a numeric tag, and this tag is bool (use equals)`,
    ]);
    expect(
      errorsOf([
        { name: 'x', above: 1 },
        { name: 'x', below: 0 },
      ]),
    ).toEqual([`${at}[1].name: duplicate alarm name "x" (also at ${at}[0].name)`]);
    expect(errorsOf([{ name: 'x', above: 1, severity: 'urgent' }])[0]).toMatch(/alarms\[0\]\.severity/);
    expect(errorsOf([{ name: 'x', above: 1, extra: 1 }])).toEqual([`${at}[0].extra: unknown key`]);
  });

  it('fills in defaults', () => {
    const cfg = config([{ name: 'high', above: 80 }]);
    expect(cfg.devices[0]?.groups[0]?.tags[0]?.alarms).toEqual([
      { name: 'high', above: 80, deadband: 0, delayMs: 0, severity: 'medium' },
    ]);
  });
});
