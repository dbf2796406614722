/**
 * In a real Chromium against the real gateway and tagwire's simulated Modbus PLC (its register
 * map read directly, to see what reached the device): a write asks for confirmation with the
 * old and new value (cancel sends nothing, confirm writes; the question can be turned off per
 * user), and a tags CSV as European Excel writes it is previewed good rows beside bad ones and
 * merged. Screenshots go to $TAGWIRE_SCREENSHOTS or <tmp>/tagwire-e2e-screens.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoModel, type DemoPlc } from '../../simulators/demo-plc.js';
import { ModbusTcpSimulator } from '../../simulators/modbus-tcp-server.js';
import { simulatedPlc, startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { eventually, launchChromium, loggedInPage, screenshot, text } from './browser.js';

const PASSWORD = 'csv and write 123';
const UNIT = 1;

let demo: DemoPlc;
let sim: ModbusTcpSimulator;
let gw: TestGateway;
let browser: Browser;
let page: Page;
/** Every write request that reached the simulated PLC, as `area:address`. */
const writes: string[] = [];

const speedRegister = () => demo.model.getRegister(UNIT, 'hr', 2);
const tagNames = () => gw.runtime.config.devices[0]?.groups.flatMap((g) => g.tags.map((t) => t.name));

beforeAll(async () => {
  demo = createDemoModel();
  demo.start();
  demo.model.onWrite((_unit, area, address) => writes.push(`${area}:${address}`));
  sim = new ModbusTcpSimulator(demo.model, { host: '127.0.0.1', port: 0 });
  const { port } = await sim.listen();
  gw = await startTestGateway(
    {
      gateway: { id: 'gw-csv-write' },
      devices: [
        simulatedPlc(port, [
          {
            name: 'fast',
            intervalMs: 200,
            tags: [
              { name: 'temperature', address: 'ir:0', type: 'float32', unit: '°C' },
              { name: 'speed', address: 'hr:2', type: 'uint16', access: 'readwrite', unit: 'rpm' },
            ],
          },
        ]),
      ],
    },
    { users: { admin: [PASSWORD, 'admin'] }, listen: true },
  );
  browser = await launchChromium();
  page = await loggedInPage(browser, gw.base, 'admin', PASSWORD);
}, 60_000);

afterAll(async () => {
  // The browser first: it holds the SSE stream open.
  await browser?.close();
  await gw?.close();
  await sim?.close();
  demo?.stop();
});

describe('write confirmation and CSV as Excel writes it, in Chromium', { timeout: 60_000 }, () => {
  it('asks before writing with the old and new value: cancel sends nothing, confirm writes', async () => {
    await page.goto(`${gw.base}/devices/plc/tags`);
    const speedRow = page.locator('tr[data-tag="speed"]');
    await eventually(async () => expect(await text(speedRow.getByTestId('value'))).toBe('1500'));
    await speedRow.getByRole('button', { name: 'Write' }).click();
    const dialog = page.getByRole('dialog', { name: 'Write speed' });
    await dialog.getByLabel(/New value/).fill('1234');
    await dialog.getByRole('button', { name: 'Write', exact: true }).click();

    const confirm = dialog.getByTestId('write-confirm');
    await confirm.waitFor();
    expect(await text(confirm.getByTestId('write-old'))).toBe('1500 rpm');
    expect(await text(confirm.getByTestId('write-new'))).toBe('1234 rpm');
    await screenshot(page, 'csvw-01-write-confirm');

    // Cancel: back to the value, nothing sent. Two polls later the PLC still has 1500.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'hidden' });
    expect(await dialog.getByLabel(/New value/).inputValue()).toBe('1234');
    await page.waitForTimeout(500);
    expect(writes).toEqual([]);
    expect(speedRegister()).toBe(1500);

    await dialog.getByRole('button', { name: 'Write', exact: true }).click();
    await dialog.getByRole('button', { name: 'Confirm write' }).click();
    await dialog.getByRole('status').getByText('Written at').waitFor();
    expect(writes).toEqual(['hr:2']);
    expect(speedRegister()).toBe(1234);
    await eventually(async () => expect(await text(dialog.getByTestId('write-current'))).toContain('1234'));
  });

  it('writes at once for a user who turned the question off, and remembers it for that user', async () => {
    const dialog = page.getByRole('dialog', { name: 'Write speed' });
    await screenshot(page, 'csvw-01b-write-form');
    await dialog.getByLabel(/Ask before writing/).uncheck();
    await dialog.getByLabel(/New value/).fill('1300');
    await dialog.getByRole('button', { name: 'Write', exact: true }).click();
    await eventually(async () => expect(speedRegister()).toBe(1300));
    expect(await dialog.getByTestId('write-confirm').count()).toBe(0);
    await dialog.getByRole('button', { name: 'Close', exact: true }).first().click();

    // After a reload the choice holds for this user (kept in this browser).
    await page.reload();
    await page.locator('tr[data-tag="speed"]').getByRole('button', { name: 'Write' }).click();
    const again = page.getByRole('dialog', { name: 'Write speed' });
    expect(await again.getByLabel(/Ask before writing/).isChecked()).toBe(false);
    const stored = await page.evaluate('localStorage.getItem("tagwire.askBeforeWriting.admin")');
    expect(stored).toBe('off');
    // Turned back on for the next test.
    await again.getByLabel(/Ask before writing/).check();
    await again.getByRole('button', { name: 'Close', exact: true }).first().click();
  });

  it('asks on the Live values page too, readable on a phone', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${gw.base}/values`);
    await page.getByRole('heading', { name: 'Live values' }).waitFor();
    await page.getByRole('button', { name: 'Write speed' }).click();
    const dialog = page.getByRole('dialog', { name: 'Write speed' });
    await eventually(async () => expect(await text(dialog.getByTestId('write-current'))).toContain('1300'));
    await dialog.getByLabel(/New value/).fill('1400');
    await dialog.getByRole('button', { name: 'Write', exact: true }).click();
    const confirm = dialog.getByTestId('write-confirm');
    expect(await text(confirm.getByTestId('write-old'))).toBe('1300 rpm');
    expect(await text(confirm.getByTestId('write-new'))).toBe('1400 rpm');
    expect(speedRegister()).toBe(1300);
    // The whole question fits the phone's width: old value, new value and both buttons.
    const fits = await dialog.evaluate(
      (el: { scrollWidth: number; clientWidth: number }) => el.scrollWidth <= el.clientWidth,
    );
    expect(fits).toBe(true);
    expect(await dialog.getByRole('button', { name: 'Confirm write' }).isVisible()).toBe(true);
    await screenshot(page, 'csvw-01c-write-confirm-390');
    await dialog.getByRole('button', { name: 'Confirm write' }).click();
    await dialog.getByRole('status').getByText('Written at').waitFor();
    expect(speedRegister()).toBe(1400);
    await dialog.getByRole('button', { name: 'Close', exact: true }).first().click();
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('previews the good rows of a semicolon CSV beside its bad row, then merges the fixed file', async () => {
    await page.goto(`${gw.base}/devices/plc/tags`);
    await page.getByRole('button', { name: 'Import CSV…' }).click();
    const importer = page.getByRole('dialog', { name: 'Import tags of plc' });
    await importer.getByLabel(/Merge/).check();
    // As European Excel saves "CSV UTF-8": byte order mark, semicolons, capitalised headers, decimal comma.
    const rows = [
      'Group;Name;Address;Data Type;Scale;Unit',
      'fast;speed;hr:2;uint16;0,5;rpm',
      'fast;setpoint;hr:0;float32;;°C',
      'fast;broken;hr:99999;uint16;;',
    ];
    const file = (lines: string[]) => ({
      name: 'tags-excel.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`),
    });
    await importer.getByLabel('CSV file').setInputFiles(file(rows));
    const preview = importer.getByTestId('csv-preview');
    await preview.waitFor();
    expect(await text(preview)).toContain('3 tags after the merge: 1 added, 1 changed, 0 removed, 1 unchanged.');
    expect(await text(preview)).toContain('scale: 1 → 0.5');
    expect(await text(preview)).toContain('1 bad row listed below must be fixed');
    const bad = importer.getByTestId('error-box').locator('.error-details');
    expect(await text(bad)).toMatch(/line 4: address: hr:99999/);
    expect(await importer.getByRole('button', { name: 'Import', exact: true }).isDisabled()).toBe(true);
    await screenshot(page, 'csvw-02-csv-good-and-bad-rows');
    expect(tagNames()).toEqual(['temperature', 'speed']);

    // Replace would remove the tag the file lacks; the preview says so before anything changes.
    await importer.getByLabel(/Replace/).check();
    await eventually(async () => expect(await text(preview)).toContain('1 removed'));
    await importer.getByLabel(/Merge/).check();

    await importer.getByLabel('CSV file').setInputFiles(file(rows.slice(0, 3)));
    await eventually(async () => expect(await importer.getByTestId('error-box').count()).toBe(0));
    expect(await text(preview)).toContain('3 tags after the merge: 1 added, 1 changed, 0 removed, 1 unchanged.');
    await importer.getByRole('button', { name: 'Import', exact: true }).click();
    await importer.waitFor({ state: 'hidden' });
    expect(tagNames()).toEqual(['temperature', 'speed', 'setpoint']);
    // The new tag is read from the PLC; the kept one still is.
    await eventually(async () =>
      expect(await text(page.locator('tr[data-tag="setpoint"] [data-testid=value]'))).toBe('22.5'),
    );
    await eventually(async () =>
      // Scale 0.5 from the file: half the register.
      expect(await text(page.locator('tr[data-tag="speed"] [data-testid=value]'))).toBe(String(speedRegister() / 2)),
    );
    await page.locator('tr[data-tag="temperature"] [data-quality="good"]').waitFor();
    await screenshot(page, 'csvw-03-csv-merged');
  });
});
