/**
 * A Siemens S7 PLC tried as a new user would, in a real Chromium against the real gateway
 * and `tagwire simulate s7`: the device form drawn from the driver's settings schema, a group
 * and tags added with the S7 address help in view, live values, a test read, and a setpoint
 * written into the PLC.
 */
import { rmSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningS7Simulator, runS7Simulator } from '../../simulators/s7/run-s7.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { eventually, launchChromium, loggedInPage, screenshot as shoot, text } from './browser.js';

const PASSWORD = 'e2e s7 correct horse';

let gw: TestGateway;
let sim: RunningS7Simulator;
let browser: Browser;
let page: Page;

const screenshot = (name: string) => shoot(page, `s7-${name}`);

beforeAll(async () => {
  sim = await runS7Simulator({ port: 0 });
  gw = await startTestGateway(
    { gateway: { id: 'gw-s7-ui' }, devices: [] },
    { listen: true, users: { admin: [PASSWORD, 'admin'] } },
  );
  browser = await launchChromium();
  page = await loggedInPage(browser, gw.base, 'admin', PASSWORD, 1366);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await gw?.close();
  await sim?.close();
  if (gw?.dir) rmSync(gw.dir, { recursive: true, force: true });
});

describe('an S7 device from the UI', { timeout: 60_000 }, () => {
  it('creates the device from the S7 settings form', async () => {
    await page.goto(`${gw.base}/devices/new`);
    await page.getByRole('heading', { name: 'Add device' }).waitFor();
    await page.locator('#device-driver').selectOption('s7');
    const form = page.getByRole('form', { name: 'Device' });
    await form.getByRole('heading', { name: 'Siemens S7 settings' }).waitFor();
    // The form comes from the settings schema, with its defaults filled in.
    expect(await page.locator('#settings-rack').inputValue()).toBe('0');
    expect(await page.locator('#settings-slot').inputValue()).toBe('1');
    expect(await page.locator('#settings-timeoutMs').inputValue()).toBe('1000');
    expect(await text(form)).toContain('S7-300 uses 2');
    await page.locator('#device-name').fill('press');
    await page.locator('#settings-host').fill('127.0.0.1');
    await page.locator('#settings-port').fill(String(sim.port));
    const test = page.getByTestId('connection-test');
    await test.getByRole('button', { name: 'Test connection' }).click();
    await test.getByText(/Connected to the device in \d+ ms and read M0\.0 = /).waitFor();
    await screenshot('01-device-form');
    await page.getByRole('button', { name: 'Add device' }).click();
    await eventually(async () => expect(gw.runtime.config.devices.map((d) => d.name)).toEqual(['press']));
    expect(gw.runtime.config.devices[0]?.settings).toMatchObject({ host: '127.0.0.1', port: sim.port, slot: 1 });
  });

  it('adds a group and S7 tags with the address help in view, and shows live values', async () => {
    await page.goto(`${gw.base}/devices/press/tags`);
    await page.getByRole('button', { name: '+ Add group' }).first().click();
    const groupEditor = page.getByRole('form', { name: 'New group' });
    await groupEditor.getByLabel('Name', { exact: true }).fill('fast');
    await groupEditor.getByRole('button', { name: 'Add group' }).click();
    await groupEditor.waitFor({ state: 'detached' });

    const add = async (name: string, address: string, type: string, access = 'read') => {
      const group = page.locator('[data-group="fast"]');
      await group.getByRole('button', { name: '+ Add tag' }).click();
      const editor = page.getByRole('form', { name: 'New tag' });
      expect(await text(editor)).toContain('DBn.DBX/DBB/DBW/DBD');
      await editor.getByLabel('Name', { exact: true }).fill(name);
      await editor.getByLabel('Address', { exact: true }).fill(address);
      await editor.getByLabel('Type', { exact: true }).selectOption(type);
      await editor.getByLabel('Access', { exact: true }).selectOption({ label: access });
      await editor.getByRole('button', { name: 'Add tag' }).click();
      return editor;
    };
    // The size letter must fit the type: the message names both.
    const refused = await add('temperature', 'DB1.DBW0', 'float32');
    await refused.locator('.field.has-error').getByText('float32 does not fit DB1.DBW0').waitFor();
    await screenshot('02-tag-size-letter');
    await refused.getByLabel('Address', { exact: true }).fill('DB1.DBD0');
    await refused.getByRole('button', { name: 'Add tag' }).click();
    await refused.waitFor({ state: 'detached' });
    await (await add('counter', 'DB1.DBW10', 'uint16')).waitFor({ state: 'detached' });
    await (await add('setpoint', 'DB2.DBD0', 'float32', 'readwrite')).waitFor({ state: 'detached' });

    const counter = page.locator('tr[data-tag="counter"] [data-testid=value]');
    const first = await eventually(async () => {
      const t = await text(counter);
      expect(t).toMatch(/^\d+$/);
      return t;
    });
    await eventually(async () => expect(await text(counter)).not.toBe(first));
    await eventually(async () =>
      expect(Number(await text(page.locator('tr[data-tag="temperature"] [data-testid=value]')))).toBeGreaterThan(19),
    );
    await screenshot('03-live-values');
  });

  it('test-reads an S7 address', async () => {
    await page.getByRole('button', { name: 'Test read', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Test read on press' });
    await dialog.getByLabel('Address').fill('DB1.DBB32');
    await dialog.getByLabel('Type').selectOption('string');
    // A string needs its declared length: the refusal says so.
    await dialog.getByRole('button', { name: /^Read/ }).click();
    await dialog
      .getByTestId('error-box')
      .getByText(/Length: required for type string/)
      .waitFor();
    await dialog.getByLabel('Address').fill('DB2.DBW4');
    await dialog.getByLabel('Type').selectOption('int16');
    await dialog.getByRole('button', { name: /^Read/ }).click();
    await eventually(async () => expect(await text(dialog.getByTestId('read-value'))).toBe('1500'));
    await screenshot('04-test-read');
    await page.keyboard.press('Escape');
  });

  it('writes a setpoint into the PLC', async () => {
    const row = page.locator('tr[data-tag="setpoint"]');
    await eventually(async () => expect(await text(row.getByTestId('value'))).toBe('22.5'));
    await row.getByRole('button', { name: 'Write' }).click();
    const dialog = page.getByRole('dialog', { name: 'Write setpoint' });
    await dialog.getByLabel(/New value/).fill('30.25');
    await dialog.getByRole('button', { name: 'Write', exact: true }).click();
    await dialog.getByRole('button', { name: 'Confirm write' }).click();
    await dialog.getByRole('status').getByText('Written at').waitFor();
    expect(sim.memory.db(2)?.readFloatBE(0)).toBe(30.25);
    await eventually(async () => expect(await text(row.getByTestId('value'))).toBe('30.25'));
    await screenshot('05-written');
    await dialog.getByRole('button', { name: 'Close', exact: true }).first().click();
  });
});
