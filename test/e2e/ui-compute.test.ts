/**
 * Computed tags in a real Chromium against the real gateway (SPEC §3.4): a tag's expression is typed with
 * live preview against a simulated PLC's values, references are completed from the tag list, an error
 * shows where it is, and the Tags page links an input to the computed tags that use it.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModbusDataModel } from '../../simulators/modbus-model.js';
import { ModbusTcpSimulator } from '../../simulators/modbus-tcp-server.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { eventually, launchChromium, loggedInPage, screenshot, text } from './browser.js';

const PASSWORD = 'compute e2e password';

let gw: TestGateway;
let sim: ModbusTcpSimulator;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  const model = new ModbusDataModel();
  model.addUnit(1).map('hr', 0, 10);
  model.setRegister(1, 'hr', 0, 230);
  model.setRegister(1, 'hr', 1, 125);
  model.setInt16(1, 'hr', 2, 815);
  sim = new ModbusTcpSimulator(model, { host: '127.0.0.1', port: 0 });
  const { port } = await sim.listen();
  gw = await startTestGateway(
    {
      gateway: { id: 'gw-compute' },
      devices: [
        {
          name: 'plc',
          driver: 'modbus-tcp',
          settings: { host: '127.0.0.1', port },
          groups: [
            {
              name: 'fast',
              intervalMs: 200,
              tags: [
                { name: 'voltage', address: 'hr:0', unit: 'V' },
                { name: 'current', address: 'hr:1', scale: 0.1, unit: 'A' },
                { name: 'temperature', address: 'hr:2', type: 'int16', scale: 0.1, unit: '°C' },
              ],
            },
          ],
        },
        {
          name: 'kpi',
          driver: 'compute',
          groups: [
            {
              name: 'derived',
              tags: [{ name: 'power_kw', expression: '{plc/voltage} * {plc/current} / 1000', unit: 'kW' }],
            },
          ],
        },
      ],
    },
    { users: { admin: [PASSWORD, 'admin'] }, listen: true },
  );
  browser = await launchChromium();
  page = await loggedInPage(browser, gw.base, 'admin', PASSWORD);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await gw?.close();
  await sim?.close();
});

describe('computed tags in the UI', () => {
  it('links an input tag to the computed tags that use it', async () => {
    await page.goto(`${gw.base}/devices/plc/tags`);
    const voltage = page.locator('tr[data-tag="voltage"]');
    await voltage.getByText('used by').waitFor();
    await voltage.getByRole('link', { name: '{kpi/power_kw}' }).click();
    await page.waitForURL(/\/devices\/kpi\/tags$/);
    const power = page.locator('tr[data-tag="power_kw"]');
    expect(await text(power.locator('code.formula'))).toBe('{plc/voltage} * {plc/current} / 1000');
    await eventually(async () => expect(await text(power.getByTestId('value'))).toContain('2.875'));
  });

  it('previews an expression as it is typed, completes references, and shows where an error is', async () => {
    await page.goto(`${gw.base}/devices/kpi/tags`);
    await page.getByRole('button', { name: '+ Add tag' }).click();
    const editor = page.getByRole('form', { name: /tag/i });
    await editor.getByLabel(/^Name/).fill('temperature_f');
    const expression = editor.getByLabel(/^Expression/);
    await expression.fill('{plc/temp');
    await editor.getByRole('option', { name: '{plc/temperature}' }).click();
    expect(await expression.inputValue()).toBe('{plc/temperature}');
    await expression.press('End');
    await expression.pressSequentially(' * 9 / 5 + 32');
    const result = editor.getByTestId('preview-result');
    await eventually(async () => expect(await text(result)).toContain('178.7'));
    await screenshot(page, 'compute-preview');

    await expression.fill('{plc/temperature} * * 9');
    const error = editor.getByTestId('preview-error');
    await eventually(async () => expect(await text(error)).toContain('Expected expression after * (at position 20)'));
    const marker = await text(error.locator('pre.expression-marker'));
    expect(marker.split('\n')[1]).toBe(`${' '.repeat(20)}^`);
    await screenshot(page, 'compute-preview-error');

    await expression.fill('{plc/temperature} * 9 / 5 + 32');
    await editor.getByRole('button', { name: 'Add tag' }).click();
    const row = page.locator('tr[data-tag="temperature_f"]');
    await eventually(async () => expect(await text(row.getByTestId('value'))).toContain('178.7'), 15_000);
  });
});
