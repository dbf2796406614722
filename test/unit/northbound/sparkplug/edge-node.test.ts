import { afterEach, describe, expect, it } from 'vitest';
import type { AlarmStatus } from '../../../../core/alarms/alarm-types.js';
import type { DeviceStateName, GroupReading } from '../../../../core/bus.js';
import type { DeviceConfig, TagConfig } from '../../../../core/config/schema.js';
import { silentLogger } from '../../../../core/log.js';
import type { NorthAlarms, NorthDevice } from '../../../../core/plugin.js';
import type { Db } from '../../../../core/store/db.js';
import { openMemoryDb } from '../../../../core/store/memory-db.js';
import { SpoolStore } from '../../../../core/store/spool-store.js';
import type { TagValue } from '../../../../core/values.js';
import { EdgeNode } from '../../../../northbound/sparkplug/edge-node.js';
import { SparkplugTopics } from '../../../../northbound/sparkplug/topics.js';
import type { Publisher } from '../../../../northbound/spool-pump.js';
import {
  aliasNames,
  decodeMessage,
  metricNamed,
  type SpMessage,
  seqViolations,
} from '../../../helpers/sparkplug-host.js';

const tag = (name: string, type: TagConfig['type'], access: TagConfig['access'] = 'read'): TagConfig => ({
  name,
  address: 'hr:0',
  type,
  access,
  scale: 1,
  offset: 0,
  deadband: 0,
});

function deviceConfig(name: string, tags: TagConfig[]): DeviceConfig {
  return {
    name,
    driver: 'modbus-tcp',
    enabled: true,
    uns: name,
    settings: {},
    groups: [{ name: 'g', intervalMs: 1000, publish: 'change', heartbeatMs: 0, tags }],
  };
}

/** A fake MQTT client that acknowledges at once and decodes what it is given. */
class FakeClient implements Publisher {
  connected = true;
  readonly sent: SpMessage[] = [];
  publish(topic: string, payload: Buffer, _opts: unknown, callback?: (err?: Error) => void): void {
    this.sent.push({ ...decodeMessage(topic, payload), index: this.sent.length });
    callback?.();
  }
  of(type: string): SpMessage[] {
    return this.sent.filter((m) => m.type === type);
  }
}

/** A fake core: devices with states, and their current values. */
class FakeCore {
  configs: DeviceConfig[] = [];
  states = new Map<string, DeviceStateName>();
  values = new Map<string, Map<string, TagValue>>();
  alarmList: AlarmStatus[] = [];
  alarms: NorthAlarms = {
    current: () => this.alarmList,
    subscribe: () => () => undefined,
    ack: () => {
      throw new Error('not in these tests');
    },
  };
  devices = (): NorthDevice[] =>
    this.configs.map((config) => ({
      config,
      topic: config.name,
      state: { state: this.states.get(config.name) ?? 'connecting', timestamp: 0 },
    }));
  snapshot = () =>
    this.configs.flatMap((c) =>
      c.groups[0]!.tags.flatMap((t) => {
        const value = this.values.get(c.name)?.get(t.name);
        return value ? [{ device: c.name, group: 'g', tag: t, topic: t.name, value }] : [];
      }),
    );
  /** A reading of the given tags (published), recorded as the current values. */
  read(device: string, values: Record<string, TagValue['value']>, at = Date.now()): GroupReading {
    const config = this.configs.find((c) => c.name === device)!;
    const current = this.values.get(device) ?? new Map<string, TagValue>();
    this.values.set(device, current);
    const items = Object.entries(values).map(([name, value]) => {
      const v: TagValue = { value, timestamp: at, quality: 'good' };
      current.set(name, v);
      return { tag: config.groups[0]!.tags.find((t) => t.name === name)!, topic: name, value: v, publish: true };
    });
    return { device, group: 'g', timestamp: at, items };
  }
}

const dbs: Db[] = [];
const nodes: EdgeNode[] = [];
afterEach(async () => {
  // Timers and the pump's scheduled run go before the database they write to.
  for (const node of nodes.splice(0)) node.end();
  await settle();
  for (const db of dbs.splice(0)) db.close();
});

function setup() {
  const core = new FakeCore();
  core.configs = [deviceConfig('plc1', [tag('speed', 'uint16', 'readwrite'), tag('big', 'int64')])];
  core.states.set('plc1', 'connected');
  core.read('plc1', { speed: 1500, big: 1234567890123456789n });
  const db = openMemoryDb();
  dbs.push(db);
  const spool = new SpoolStore(db, 'spb', { maxMessages: 1000, maxBytes: 1e6, maxAgeSeconds: 3600 });
  const node = new EdgeNode({
    ctx: { devices: core.devices, snapshot: core.snapshot, log: silentLogger(), version: '9.9.9', alarms: core.alarms },
    topics: new SparkplugTopics('G', 'gw1'),
    spool,
    dataQos: 1,
  });
  nodes.push(node);
  return { core, node, spool, client: new FakeClient() };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await tick();
}

describe('EdgeNode session', () => {
  it('births: NBIRTH (seq 0, bdSeq) then DBIRTH (seq 1) with current values', () => {
    const { node, client } = setup();
    node.begin(client, 17);
    expect(client.sent.map((m) => [m.type, m.seq])).toEqual([
      ['NBIRTH', 0],
      ['DBIRTH', 1],
    ]);
    expect(metricNamed(client.sent[0]!, 'bdSeq').value).toBe(17n);
    const dbirth = client.sent[1]!;
    expect(metricNamed(dbirth, 'big').value).toBe(1234567890123456789n);
    expect(metricNamed(dbirth, 'speed')).toMatchObject({ type: 'UInt16', value: 1500 });
  });

  it('sends readings as DDATA by alias, then DDEATH and DBIRTH around an outage, with continuous seq', async () => {
    const { core, node, client } = setup();
    node.begin(client, 0);
    node.onReading(core.read('plc1', { speed: 1501 }));
    await settle();
    const ddata = client.of('DDATA')[0]!;
    expect(ddata.seq).toBe(2);
    expect(ddata.metrics).toHaveLength(1);
    expect(ddata.metrics[0]!.name).toBeUndefined();
    expect(aliasNames(client.sent[1]!).get(ddata.metrics[0]!.alias!)).toBe('speed');
    expect(ddata.metrics[0]).toMatchObject({ value: 1501 });
    expect(ddata.metrics[0]!.isHistorical).toBeUndefined();

    // Data read just before the device went down goes out before its DDEATH.
    node.onReading(core.read('plc1', { speed: 1502 }));
    core.states.set('plc1', 'disconnected');
    node.onDeviceState('plc1', { state: 'disconnected', timestamp: 0 });
    expect(client.sent.slice(-2).map((m) => m.type)).toEqual(['DDATA', 'DDEATH']);
    // Back: the DBIRTH waits for fresh values (the snapshot still holds the outage's).
    node.onDeviceState('plc1', { state: 'connected', timestamp: 0 });
    expect(client.sent.at(-1)!.type).toBe('DDEATH');
    node.onReading(core.read('plc1', { speed: 1503 }));
    expect(client.sent.at(-1)!.type).toBe('DDEATH');
    node.onReading(core.read('plc1', { big: 7n }));
    const dbirth = client.sent.at(-1)!;
    expect(dbirth.type).toBe('DBIRTH');
    expect(metricNamed(dbirth, 'speed').value).toBe(1503);
    expect(seqViolations(client.sent, 'G', 'gw1')).toEqual([]);
  });

  it('alarm state as device metrics {tag}/_alarm/{alarm}/active and …/acked, in DBIRTH and DDATA', async () => {
    const { core, node, client } = setup();
    const speed = core.configs[0]!.groups[0]!.tags[0]!;
    core.configs = [
      deviceConfig('plc1', [
        { ...speed, alarms: [{ name: 'high', above: 1600, deadband: 0, delayMs: 0, severity: 'high' }] },
        core.configs[0]!.groups[0]!.tags[1]!,
      ]),
    ];
    node.devicesChanged();
    const status: AlarmStatus = {
      id: 'a1',
      device: 'plc1',
      tag: 'speed',
      alarm: 'high',
      topic: 'plc1/speed/_alarm/high',
      state: 'normal',
      acked: true,
      severity: 'high',
      message: 'speed above 1600',
      value: 1500,
      timestamp: 5,
    };
    core.alarmList = [status];
    node.begin(client, 0);
    const dbirth = client.of('DBIRTH')[0]!;
    expect(metricNamed(dbirth, 'speed/_alarm/high/active')).toMatchObject({ type: 'Boolean', value: false });
    expect(metricNamed(dbirth, 'speed/_alarm/high/acked')).toMatchObject({ type: 'Boolean', value: true });

    node.onAlarm({ ...status, state: 'active', acked: false, timestamp: 6, activeSince: 6 });
    await settle();
    const ddata = client.of('DDATA')[0]!;
    const names = aliasNames(dbirth);
    expect(ddata.metrics.map((m) => [names.get(m.alias!), m.value])).toEqual([
      ['speed/_alarm/high/active', true],
      ['speed/_alarm/high/acked', false],
    ]);
    // Alarm metrics are not tags: a DCMD to one addresses nothing.
    expect(node.commandTarget('plc1', { name: 'speed/_alarm/high/acked', value: true } as never)).toBeUndefined();
    expect(node.commandTarget('plc1', { name: 'speed', value: 1 } as never)).toBe('speed');
  });

  it('rebirth: NBIRTH with seq 0 and the same bdSeq, DBIRTH with the same aliases', () => {
    const { node, client } = setup();
    node.begin(client, 5);
    const first = aliasNames(client.sent[1]!);
    node.rebirth();
    expect(client.sent.slice(2).map((m) => [m.type, m.seq])).toEqual([
      ['NBIRTH', 0],
      ['DBIRTH', 1],
    ]);
    expect(metricNamed(client.sent[2]!, 'bdSeq').value).toBe(5n);
    expect(aliasNames(client.sent[3]!)).toEqual(first);
    expect(node.counters.rebirths).toBe(1);
  });

  it('spools readings while there is no session and sends them after the births as history', async () => {
    const { core, node, spool, client } = setup();
    node.onReading(core.read('plc1', { speed: 1, big: 2n }));
    node.onReading(core.read('plc1', { speed: 3 }));
    await settle();
    expect(spool.stats().messages).toBe(2);
    node.begin(client, 0);
    await settle();
    expect(client.sent.map((m) => m.type)).toEqual(['NBIRTH', 'DBIRTH', 'DDATA', 'DDATA']);
    const history = client.of('DDATA');
    expect(history.flatMap((m) => m.metrics.map((x) => [x.value, x.isHistorical]))).toEqual([
      [1, true],
      [2n, true],
      [3, true],
    ]);
    expect(spool.stats().messages).toBe(0);
    expect(seqViolations(client.sent, 'G', 'gw1')).toEqual([]);
  });

  it('waits with the DBIRTH of a device until its values are read', () => {
    const { core, node, client } = setup();
    core.configs.push(deviceConfig('plc2', [tag('a', 'bool'), tag('b', 'float32')]));
    core.states.set('plc2', 'connected');
    node.devicesChanged();
    node.begin(client, 0);
    expect(client.sent.map((m) => m.device ?? m.type)).toEqual(['NBIRTH', 'plc1']);
    node.onReading(core.read('plc2', { a: true }));
    expect(client.sent).toHaveLength(2);
    node.onReading(core.read('plc2', { b: 2.5 }));
    const dbirth = client.sent.at(-1)!;
    expect(dbirth).toMatchObject({ type: 'DBIRTH', device: 'plc2', seq: 2 });
    expect(dbirth.metrics.map((m) => [m.name, m.type, m.value])).toEqual([
      ['a', 'Boolean', true],
      ['b', 'Float', 2.5],
    ]);
  });

  it('a configuration change: DDEATH + DBIRTH of the changed device, aliases of existing metrics kept', () => {
    const { core, node, client } = setup();
    node.begin(client, 0);
    const before = aliasNames(client.sent[1]!);
    core.configs = [
      deviceConfig('plc1', [tag('extra', 'float64'), tag('speed', 'uint16', 'readwrite'), tag('big', 'int64')]),
    ];
    core.read('plc1', { extra: 1.25 });
    node.devicesChanged();
    expect(client.sent.slice(2).map((m) => [m.type, m.seq])).toEqual([
      ['DDEATH', 2],
      ['DBIRTH', 3],
    ]);
    const after = aliasNames(client.sent[3]!);
    for (const [alias, name] of before) expect(after.get(alias)).toBe(name);
    expect([...after.values()].sort()).toEqual(['big', 'extra', 'speed']);

    // A removed device gets its DDEATH.
    core.configs = [];
    node.devicesChanged();
    expect(client.sent.at(-1)).toMatchObject({ type: 'DDEATH', device: 'plc1', seq: 4 });
  });

  it('resolves DCMD metrics by name and alias, and recognises a rebirth request', () => {
    const { node, client } = setup();
    node.begin(client, 0);
    const speedAlias = metricNamed(client.sent[1]!, 'speed').alias!;
    expect(node.commandTarget('plc1', { alias: speedAlias, value: 1 })).toBe('speed');
    expect(node.commandTarget('plc1', { name: 'big', value: 1 })).toBe('big');
    expect(node.commandTarget('plc1', { name: 'nope', value: 1 })).toBeUndefined();
    expect(node.commandTarget('plc2', { alias: speedAlias, value: 1 })).toBeUndefined();
    const rebirthAlias = metricNamed(client.sent[0]!, 'Node Control/Rebirth').alias!;
    expect(node.isRebirthRequest({ name: 'Node Control/Rebirth', value: true })).toBe(true);
    expect(node.isRebirthRequest({ alias: rebirthAlias, value: true })).toBe(true);
    expect(node.isRebirthRequest({ name: 'Node Control/Rebirth', value: false })).toBe(false);
  });

  it('a tag without type (OPC UA) takes its datatype from the value, and is born again when that changes', async () => {
    const { core, node, client } = setup();
    core.configs = [deviceConfig('ua1', [tag('level', undefined)])];
    core.states.set('ua1', 'connected');
    core.values.set('ua1', new Map([['level', { value: null, timestamp: 1, quality: 'bad', error: 'timeout' }]]));
    node.devicesChanged();
    node.begin(client, 0);
    expect(metricNamed(client.sent[1]!, 'level')).toMatchObject({ type: 'String', value: null });
    node.onReading(core.read('ua1', { level: 12.5 }));
    await settle();
    expect(client.sent.slice(2).map((m) => m.type)).toEqual(['DDEATH', 'DBIRTH']);
    expect(metricNamed(client.sent[3]!, 'level')).toMatchObject({ type: 'Double', value: 12.5 });
    node.onReading(core.read('ua1', { level: 13 }));
    await settle();
    expect(client.sent.at(-1)).toMatchObject({ type: 'DDATA' });
    expect(client.sent.at(-1)!.metrics[0]).toMatchObject({ value: 13 });
    expect(seqViolations(client.sent, 'G', 'gw1')).toEqual([]);
  });
});
