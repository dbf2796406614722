import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runModbusSimulator } from '../../simulators/run-modbus.js';
import { simulatedPlc, startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

// Text a spreadsheet would run as a formula, and text that only looks close to it.
const DESCRIPTIONS = {
  cmd: "=cmd|' /C calc'!A0",
  plus: '+1 spare',
  at: '@SUM(A1:A9)',
  tab: '\tindented',
  cr: '\r=HYPERLINK("http://x")',
  quoted: "'=already quoted",
  apostrophe: "'plain quote",
  minus: '-40 °C at night',
  spaces: ' padded ',
};

let sim: { port: number; close(): Promise<void> };
let gw: TestGateway;
let admin: Record<string, string>;
let viewer: Record<string, string>;

async function http(method: string, path: string, headers: Record<string, string>, csv?: string) {
  const res = await fetch(`${gw.base}${path}`, {
    method,
    headers: csv === undefined ? headers : { ...headers, 'content-type': 'text/csv' },
    body: csv,
  });
  return { status: res.status, text: await res.text() };
}

const exportCsv = async () => {
  const res = await http('GET', '/api/v1/devices/plc/tags.csv', viewer);
  expect(res.status).toBe(200);
  return res.text;
};

const tagsNow = () => gw.runtime.config.devices[0]?.groups.flatMap((g) => g.tags);

beforeAll(async () => {
  sim = await runModbusSimulator({ host: '127.0.0.1', port: 0 });
  gw = await startTestGateway(
    {
      gateway: { id: 'csv' },
      devices: [
        simulatedPlc(sim.port, [
          {
            name: 'fast',
            intervalMs: 500,
            tags: Object.entries(DESCRIPTIONS).map(([name, description], i) => ({
              name,
              address: `hr:${i}`,
              description,
              ...(name === 'minus' ? { offset: -5, scale: -0.5, unit: '-' } : {}),
            })),
          },
        ]),
      ],
    },
    { users: { admin: ['admin-password-1', 'admin'], watcher: ['viewer-password-1', 'viewer'] }, listen: true },
  );
  admin = await gw.login('admin', 'admin-password-1');
  viewer = await gw.login('watcher', 'viewer-password-1');
}, 30_000);

afterAll(async () => {
  await gw?.close();
  await sim?.close();
});

describe('tags CSV and spreadsheet formulas', () => {
  it('exports text starting with = + - @ tab or CR with a leading apostrophe, numbers as numbers', async () => {
    const rows = parse(await exportCsv(), { columns: true }) as Array<Record<string, string>>;
    const description = Object.fromEntries(rows.map((r) => [r.name, r.description]));
    expect(description).toEqual({
      cmd: "'=cmd|' /C calc'!A0",
      plus: "'+1 spare",
      at: "'@SUM(A1:A9)",
      tab: "'\tindented",
      cr: '\'\r=HYPERLINK("http://x")',
      quoted: "''=already quoted",
      apostrophe: "'plain quote",
      minus: "'-40 °C at night",
      spaces: ' padded ',
    });
    const minus = rows.find((r) => r.name === 'minus');
    expect(minus).toMatchObject({ offset: '-5', scale: '-0.5', unit: "'-" });
    // No text cell a spreadsheet would run is left.
    const textColumns = ['group', 'name', 'address', 'type', 'byteOrder', 'access', 'unit', 'description'];
    for (const row of rows) for (const c of textColumns) expect(row[c]).not.toMatch(/^[=+\-@\t\r]/);
  });

  it('imports its own export unchanged: the dry run sees no change and the tags stay exactly as they were', async () => {
    const before = structuredClone(tagsNow());
    const csv = await exportCsv();
    const preview = await http('PUT', '/api/v1/devices/plc/tags.csv?dryRun=true', admin, csv);
    expect(preview.status, preview.text).toBe(200);
    expect(JSON.parse(preview.text).changes).toMatchObject({ added: [], removed: [], changed: [], unchanged: 9 });
    const put = await http('PUT', '/api/v1/devices/plc/tags.csv', admin, csv);
    expect(put.status, put.text).toBe(200);
    expect(tagsNow()).toEqual(before);
    expect(await exportCsv()).toBe(csv);
  });

  it("takes the apostrophe off a hand-written '= cell and leaves any other apostrophe alone", async () => {
    const csv = [
      'group,name,address,offset,description',
      "fast,cmd,hr:0,'-3,'=SUM(A1:A2)",
      "fast,apostrophe,hr:1,,'tis plain",
      'fast,minus,hr:2,-7,=raw formula',
    ].join('\n');
    const put = await http('PUT', '/api/v1/devices/plc/tags.csv', admin, csv);
    expect(put.status, put.text).toBe(200);
    expect(tagsNow()?.map((t) => [t.name, t.offset, t.description])).toEqual([
      ['cmd', -3, '=SUM(A1:A2)'],
      ['apostrophe', 0, "'tis plain"],
      ['minus', -7, '=raw formula'],
    ]);
  });
});
