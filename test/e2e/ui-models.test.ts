/**
 * Models in the web UI, in a real Chromium against the real gateway and a simulated Modbus
 * PLC with 60 unit ids: a plant engineer saves a hand-built meter as a model, creates 50 more
 * from a pasted CSV (a bad row refuses them all first), finds them in the paged device list,
 * sees on a device's page which model it is built from, and adds and edits a model through its
 * form (driver, settings, parameters, groups and tags).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModbusDataModel } from '../../simulators/modbus-model.js';
import { ModbusTcpSimulator } from '../../simulators/modbus-tcp-server.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { eventually, launchChromium, screenshot as shoot, text } from './browser.js';

const PASSWORD = 'models e2e password';
const UNITS = 60;
let gw: TestGateway;
let sim: ModbusTcpSimulator;
let browser: Browser;
let page: Page;

const screenshot = (name: string) => shoot(page, `models-${name}`);

beforeAll(async () => {
  const model = new ModbusDataModel();
  for (let u = 1; u <= UNITS; u++) {
    model.addUnit(u).map('hr', 0, 10);
    model.setUint16(u, 'hr', 0, 100 + u);
    model.setFloat32(u, 'hr', 2, 230.5);
  }
  sim = new ModbusTcpSimulator(model, { host: '127.0.0.1', port: 0 });
  const { port } = await sim.listen();
  gw = await startTestGateway(
    {
      gateway: { id: 'gw-models-ui', uns: 'plant' },
      devices: [
        {
          name: 'meter-1',
          driver: 'modbus-tcp',
          uns: 'hall/meter-1',
          settings: { host: '127.0.0.1', port, unitId: 1, timeoutMs: 500 },
          groups: [
            {
              name: 'fast',
              intervalMs: 500,
              tags: [
                { name: 'id', address: 'hr:0', type: 'uint16' },
                { name: 'voltage', address: 'hr:2', type: 'float32', unit: 'V' },
              ],
            },
          ],
        },
      ],
    },
    { listen: true, users: { admin: [PASSWORD, 'admin'] } },
  );
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  page.setDefaultTimeout(15_000);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await gw?.close();
  await sim?.close();
});

const csv = (from: number, to: number, unit = (u: number) => String(u)) =>
  `name,uns,unitId\n${Array.from({ length: to - from + 1 }, (_, i) => from + i)
    .map((u) => `meter-${u},hall/meter-${u},${unit(u)}`)
    .join('\n')}\n`;

describe('models in Chromium', { timeout: 90_000 }, () => {
  it('saves a hand-built meter as a model; the meter becomes its first device', async () => {
    await page.goto(gw.base);
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).click();
    await page.locator('tr[data-device="meter-1"]').getByRole('link', { name: 'Edit' }).click();
    await screenshot('device-edit');
    await page.getByRole('button', { name: 'Save as model' }).click();
    await page.getByTestId('model-name').fill('pm');
    await page.getByRole('dialog').getByRole('button', { name: 'Save as model' }).click();
    await page.waitForURL(`${gw.base}/models`);
    const row = page.locator('tr[data-model="pm"]');
    await eventually(async () => expect(await text(row.getByTestId('where-used'))).toBe('1'));
    expect(gw.runtime.config.devices[0]).toMatchObject({ name: 'meter-1', model: 'pm', groups: [] });
  });

  it('creates 50 meters from a pasted CSV, all or nothing, with a preview', async () => {
    const row = page.locator('tr[data-model="pm"]');
    await row.getByRole('button', { name: 'Create devices' }).click();
    const dialog = page.getByRole('dialog');
    // One bad unit id refuses every row; the error names it.
    await dialog.getByTestId('instances-csv').fill(csv(2, 51, (u) => (u === 40 ? 'forty' : String(u))));
    await eventually(async () =>
      expect(await dialog.getByTestId('instances-preview').locator('tbody tr').count()).toBe(50),
    );
    await dialog.getByRole('button', { name: 'Create 50 devices' }).click();
    await eventually(async () => expect(await text(dialog.getByTestId('error-box'))).toContain('meter-40'));
    await screenshot('create-refused');
    expect(gw.runtime.config.devices).toHaveLength(1);

    await dialog.getByTestId('instances-csv').fill(csv(2, 51));
    await dialog.getByRole('button', { name: 'Create 50 devices' }).click();
    await eventually(async () => expect(await text(row.getByTestId('where-used'))).toBe('51'));
    expect(gw.runtime.config.devices).toHaveLength(51);
    // Each new meter reads its own unit.
    await eventually(async () => {
      const id = gw.runtime.gateway.values().find((v) => v.topic === 'plant/hall/meter-51/id');
      expect(id).toMatchObject({ value: 151, quality: 'good' });
    }, 20_000);
    await screenshot('models-list');
  });

  it('pages the device list and shows a device’s model and its own settings', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).click();
    await eventually(async () =>
      expect(await text(page.getByTestId('devices-pager'))).toContain('Page 1 of 2 · 51 devices'),
    );
    expect(await page.locator('[data-testid="devices-table"] tbody tr').count()).toBe(50);
    await page.getByLabel('Filter devices').fill('meter-37');
    await eventually(async () => expect(await page.locator('[data-testid="devices-table"] tbody tr').count()).toBe(1));
    const meter = page.locator('tr[data-device="meter-37"]');
    expect(await text(meter)).toContain('model pm');
    await meter.getByRole('link', { name: 'Edit' }).click();
    const card = page.getByTestId('device-model');
    await eventually(async () => expect(await text(card)).toContain('Built from model pm'));
    expect(await text(card)).toMatch(/Overrides the model's settings:\s*unitId/);
    await screenshot('device-model');
  });

  it('adds a model through the form, with a setting, a parameter and a tag, and edits it', async () => {
    await page.goto(`${gw.base}/models`);
    await page.getByRole('link', { name: '+ Add model' }).click();
    await page.waitForURL(`${gw.base}/models/new`);
    await page.locator('#model-name').fill('pm-form');
    await page.locator('#model-description').fill('Panel meter');
    await page.locator('#model-driver').selectOption('modbus-tcp');
    await page.getByTestId('model-params').fill('line');
    await page.locator('#settings-byteOrder').selectOption('CDAB');
    // A setting out of range: the gateway's refusal appears under the field; nothing is saved.
    await page.locator('#settings-timeoutMs').fill('5');
    await page
      .getByTestId('model-groups-json')
      .fill(
        JSON.stringify([
          { name: 'main', intervalMs: 1000, tags: [{ name: 'voltage', address: 'hr:2', type: 'float32', unit: 'V' }] },
        ]),
      );
    await page.getByRole('button', { name: 'Save model' }).click();
    const timeout = page.locator('.field.has-error', { has: page.locator('#settings-timeoutMs') });
    await eventually(async () => expect(await text(timeout)).toMatch(/10/));
    await screenshot('model-form-refused');
    expect(gw.runtime.config.models.some((m) => m.name === 'pm-form')).toBe(false);

    await page.locator('#settings-timeoutMs').fill('800');
    await page.getByRole('button', { name: 'Save model' }).click();
    await page.waitForURL(`${gw.base}/models`);
    const row = page.locator('tr[data-model="pm-form"]');
    await eventually(async () => expect(await text(row)).toContain('Panel meter'));
    expect(await text(row)).toContain('line');
    expect(gw.runtime.config.models.find((m) => m.name === 'pm-form')).toMatchObject({
      description: 'Panel meter',
      driver: 'modbus-tcp',
      params: ['line'],
      settings: { byteOrder: 'CDAB', timeoutMs: 800 },
      groups: [{ name: 'main', tags: [{ name: 'voltage', address: 'hr:2', type: 'float32' }] }],
    });

    // Edit: the form shows what was saved; a second parameter and a new description are kept.
    await row.getByRole('link', { name: 'Edit' }).click();
    await eventually(async () => expect(await page.locator('#model-name').inputValue()).toBe('pm-form'));
    expect(await page.getByTestId('model-params').inputValue()).toBe('line');
    expect(await page.locator('#settings-timeoutMs').inputValue()).toBe('800');
    expect(await page.getByTestId('model-groups-json').inputValue()).toContain('voltage');
    await screenshot('model-form-edit');
    // Groups that are not JSON are refused in the page, under the groups.
    const groupsJson = page.getByTestId('model-groups-json');
    const saved = await groupsJson.inputValue();
    await groupsJson.fill('[{"name": "main",');
    await page.getByRole('button', { name: 'Save model' }).click();
    const groupsField = page.locator('.field.has-error', { has: groupsJson });
    await eventually(async () => expect(await text(groupsField)).toContain('not valid JSON'));
    await groupsJson.fill(saved);
    await page.locator('#model-description').fill('Panel meter, hall 2');
    await page.getByTestId('model-params').fill('line, cabinet');
    await page.getByRole('button', { name: 'Save model' }).click();
    await page.waitForURL(`${gw.base}/models`);
    await eventually(async () => expect(await text(row)).toContain('Panel meter, hall 2'));
    expect(await text(row)).toContain('line, cabinet');
    expect(gw.runtime.config.models.find((m) => m.name === 'pm-form')).toMatchObject({
      params: ['line', 'cabinet'],
      settings: { byteOrder: 'CDAB', timeoutMs: 800 },
    });
  });
});
