/**
 * Tags CSV as Excel writes it, against a gateway reading tagwire's simulated Modbus PLC over a
 * real socket: semicolons and decimal commas (European Excel), capitalised and spaced headers,
 * the UTF-8 byte order mark both ways, a preview that shows good and bad rows together, and
 * merge (add and update only the file's rows) beside replace.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runModbusSimulator } from '../../simulators/run-modbus.js';
import { simulatedPlc, startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

let sim: { port: number; close(): Promise<void> };
let gw: TestGateway;
let admin: Record<string, string>;

const INITIAL_TAGS = [
  { name: 'temperature', address: 'ir:0', type: 'float32', unit: '°C' },
  { name: 'speed', address: 'hr:2', type: 'uint16', access: 'readwrite', unit: 'rpm' },
];

async function put(csv: string | Uint8Array, query = '') {
  const res = await fetch(`${gw.base}/api/v1/devices/plc/tags.csv${query}`, {
    method: 'PUT',
    headers: { ...admin, 'content-type': 'text/csv' },
    body: csv,
  });
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown> & { error?: { details: string[] } },
  };
}

const tagsNow = () =>
  gw.runtime.config.devices[0]?.groups.flatMap((g) => g.tags.map((t) => ({ group: g.name, ...t }))) ?? [];

/** The value the gateway read last for a tag (over the simulated PLC's socket). */
async function lastReading(tag: string): Promise<{ value: unknown; quality: string } | undefined> {
  const res = await fetch(`${gw.base}/api/v1/values`, { headers: admin });
  const rows = (await res.json()) as Array<{ tag: string; value: unknown; quality: string }>;
  return rows.find((r) => r.tag === tag);
}

const eventuallyGood = async (tag: string) => {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const v = await lastReading(tag);
    if (v?.quality === 'good') return v;
    if (Date.now() > deadline) throw new Error(`${tag} never read good: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

beforeAll(async () => {
  sim = await runModbusSimulator({ host: '127.0.0.1', port: 0 });
  gw = await startTestGateway(
    {
      gateway: { id: 'csv-excel' },
      devices: [simulatedPlc(sim.port, [{ name: 'fast', intervalMs: 200, tags: INITIAL_TAGS }])],
    },
    { users: { admin: ['admin-password-1', 'admin'] }, listen: true },
  );
  admin = await gw.login('admin', 'admin-password-1');
}, 30_000);

afterAll(async () => {
  await gw?.close();
  await sim?.close();
});

// Each test starts from the two initial tags.
beforeEach(async () => {
  const csv = [
    'group,name,address,type,access,unit',
    'fast,temperature,ir:0,float32,,°C',
    'fast,speed,hr:2,uint16,readwrite,rpm',
  ];
  const reset = await put(csv.join('\n'));
  expect(reset.status, JSON.stringify(reset.body)).toBe(200);
});

describe('tags CSV as Excel writes it', () => {
  it('exports with a UTF-8 byte order mark (Excel shows °C) and imports that file back unchanged', async () => {
    const res = await fetch(`${gw.base}/api/v1/devices/plc/tags.csv`, { headers: admin });
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    expect(text.slice(1).split('\n')[0]).toBe(
      'group,name,address,type,length,byteOrder,access,scale,offset,deadband,unit,description',
    );
    expect(text).toContain(',°C,');
    const before = structuredClone(tagsNow());
    // Sent back byte for byte, mark included: nothing changes.
    const preview = await put(bytes, '?dryRun=true');
    expect(preview.body).toMatchObject({ ok: true, changes: { added: [], removed: [], changed: [], unchanged: 2 } });
    expect((await put(bytes)).status).toBe(200);
    expect(tagsNow()).toEqual(before);
  });

  it('imports a semicolon file with a byte order mark, capitalised headers and decimal commas, and reads the new tags', async () => {
    const csv = [
      '\uFEFFGroup;Name;Address;Data Type;Byte Order;Access;Scale;Unit;Description',
      'fast;temperature;ir:0;float32;;;1;°C;"Tank 1; top"',
      'fast;speed;hr:2;uint16;;readwrite;0,5;rpm;',
      'slow;setpoint;hr:0;float32;ABCD;readwrite;;°C;Setpoint, °C',
    ].join('\r\n');
    const preview = await put(csv, '?dryRun=true');
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    expect(preview.body).toMatchObject({
      ok: true,
      tags: 3,
      changes: {
        added: [{ group: 'slow', tag: 'setpoint' }],
        changed: [
          { group: 'fast', tag: 'temperature', fields: ['description: (none) → Tank 1; top'] },
          { group: 'fast', tag: 'speed', fields: ['scale: 1 → 0.5'] },
        ],
        removed: [],
      },
    });
    const res = await put(csv);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(tagsNow()).toMatchObject([
      { group: 'fast', name: 'temperature', unit: '°C', description: 'Tank 1; top' },
      { group: 'fast', name: 'speed', scale: 0.5 },
      { group: 'slow', name: 'setpoint', address: 'hr:0', type: 'float32', unit: '°C', description: 'Setpoint, °C' },
    ]);
    // The PLC is read with the imported tags: the setpoint (22.5) and the speed halved (1500 × 0.5).
    expect((await eventuallyGood('setpoint'))?.value).toBe(22.5);
    expect((await eventuallyGood('speed'))?.value).toBe(750);
  });

  it('names an unknown or repeated column of a semicolon file and changes nothing', async () => {
    const before = structuredClone(tagsNow());
    const res = await put('Group;Name;Adress;NAME\nfast;x;hr:1;x\n');
    expect(res.status).toBe(400);
    expect(res.body.error?.details).toEqual([
      'line 1: unknown column "Adress" (columns: group, name, address, type, length, byteOrder, access, scale, offset, deadband, unit, description, expression, aggregate)',
      'line 1: column "name" appears twice ("NAME")',
      'line 1: column "address" is required (or "expression"/"aggregate" for computed tags)',
    ]);
    expect(tagsNow()).toEqual(before);
  });

  it('previews the good rows beside the bad ones by line, and refuses the import until they are fixed', async () => {
    const before = structuredClone(tagsNow());
    const csv = [
      'group;name;address;type',
      'fast;level;ir:4;uint16',
      'fast;broken;hr:99999;uint16',
      'fast;speed;hr:2;int16',
    ];
    const preview = await put(csv.join('\n'), '?dryRun=true&mode=merge');
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    expect(preview.body).toMatchObject({
      ok: false,
      tags: 3,
      problems: ['line 3: address: hr:99999: register number must be 0..65535'],
      changes: {
        added: [{ group: 'fast', tag: 'level' }],
        changed: [{ group: 'fast', tag: 'speed', fields: ['type: uint16 → int16'] }],
        removed: [],
      },
    });
    const refused = await put(csv.join('\n'), '?mode=merge');
    expect(refused.status).toBe(400);
    expect(refused.body.error?.details).toEqual(['line 3: address: hr:99999: register number must be 0..65535']);
    expect(tagsNow()).toEqual(before);
  });

  it('merges: adds and updates the rows in the file and keeps every other tag; replace drops them', async () => {
    // Only the columns the file has change: speed keeps its type, access and address.
    const csv = 'Name;Group;Unit\nspeed;fast;1/min\n';
    const missingAddress = await put(csv, '?mode=merge');
    expect(missingAddress.status).toBe(400);
    const rows = 'Group;Name;Address;Unit\nfast;speed;hr:2;1/min\nfast;counter;ir:4;\n';
    const preview = await put(rows, '?dryRun=true&mode=merge');
    expect(preview.body).toMatchObject({
      ok: true,
      tags: 3,
      changes: {
        added: [{ group: 'fast', tag: 'counter' }],
        changed: [{ group: 'fast', tag: 'speed', fields: ['unit: rpm → 1/min'] }],
        removed: [],
        unchanged: 1,
      },
    });
    const merged = await put(rows, '?mode=merge');
    expect(merged.status, JSON.stringify(merged.body)).toBe(200);
    expect(tagsNow()).toMatchObject([
      { name: 'temperature', address: 'ir:0', unit: '°C' },
      { name: 'speed', address: 'hr:2', type: 'uint16', access: 'readwrite', unit: '1/min' },
      { name: 'counter', address: 'ir:4', type: 'uint16' },
    ]);
    expect(await eventuallyGood('counter')).toBeDefined();
    expect(await eventuallyGood('temperature')).toBeDefined();

    // The same file as a replacement: the tag not in it goes.
    const replacePreview = await put(rows, '?dryRun=true');
    expect(replacePreview.body).toMatchObject({ changes: { removed: [{ group: 'fast', tag: 'temperature' }] } });
    expect((await put(rows, '?mode=replace')).status).toBe(200);
    expect(tagsNow().map((t) => t.name)).toEqual(['speed', 'counter']);
  });

  it('names the lines of rows with an empty or invalid group; merging, an empty group cell keeps the tag in its group', async () => {
    const csv = [
      'Group;Name;Address;Unit',
      ';speed;hr:2;U/min',
      ';level;ir:4;',
      'bad group!;flow;ir:5;',
      'bad group!;flow2;ir:6;',
      'slow;setpoint;hr:0;',
    ].join('\n');
    const preview = await put(csv, '?dryRun=true&mode=merge');
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    expect(preview.body).toMatchObject({
      ok: false,
      problems: [
        'line 3: group: a group name is required',
        'line 4: group: must be letters, digits, "_", "." and "-", starting with a letter or digit',
        'line 5: group: must be letters, digits, "_", "." and "-", starting with a letter or digit',
      ],
      changes: {
        added: [{ group: 'slow', tag: 'setpoint' }],
        changed: [{ group: 'fast', tag: 'speed', fields: ['unit: rpm → U/min'] }],
        removed: [],
      },
    });
    const before = structuredClone(tagsNow());
    expect((await put(csv, '?mode=merge')).status).toBe(400);
    expect(tagsNow()).toEqual(before);
  });

  it('moves a merged tag to the group its row names, and refuses an unknown mode', async () => {
    const moved = await put('group,name,address,type\nslow,speed,hr:2,uint16\n', '?mode=merge');
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(tagsNow().map((t) => [t.group, t.name])).toEqual([
      ['fast', 'temperature'],
      ['slow', 'speed'],
    ]);
    const unclear = await put('group,name,address\nfast,x,hr:1\n', '?mode=add');
    expect(unclear.status).toBe(400);
    expect(unclear.body.error).toMatchObject({ message: 'mode must be replace or merge' });
  });
});
