/**
 * Alarms in a real Chromium against the real gateway and tagwire's simulated Modbus PLC: a
 * high limit put on a tag in the tag editor, the PLC's register driven across it, the alarm
 * count in the top bar and the badge on the tag row following live, acknowledgement with a
 * comment on the Alarms page, and the history listing every transition.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoModel, type DemoPlc } from '../../simulators/demo-plc.js';
import { ModbusTcpSimulator } from '../../simulators/modbus-tcp-server.js';
import { simulatedPlc, startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { eventually, launchChromium, loggedInPage, screenshot, text } from './browser.js';

const PASSWORD = 'alarms in the ui 1';
const LEVEL_REGISTER = 110;

let demo: DemoPlc;
let sim: ModbusTcpSimulator;
let gw: TestGateway;
let browser: Browser;
let page: Page;

const setLevel = (value: number) => demo.model.setRegister(1, 'hr', LEVEL_REGISTER, value);

beforeAll(async () => {
  demo = createDemoModel();
  demo.start();
  sim = new ModbusTcpSimulator(demo.model, { host: '127.0.0.1', port: 0 });
  const { port } = await sim.listen();
  setLevel(10);
  gw = await startTestGateway(
    {
      gateway: { id: 'gw-alarms' },
      devices: [
        simulatedPlc(port, [
          {
            name: 'fast',
            intervalMs: 200,
            tags: [{ name: 'level', address: `hr:${LEVEL_REGISTER}`, type: 'uint16', unit: '%' }],
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
  await browser?.close();
  await gw?.close();
  await sim?.close();
  demo?.stop();
});

describe('alarms in the UI, in Chromium', { timeout: 90_000 }, () => {
  it('a high limit set in the tag editor raises, shows in the top bar and on the tag, is acknowledged with a comment, and is in the history', async () => {
    const count = page.getByTestId('alarm-count');
    expect(await text(count)).toBe('0');

    // The plant engineer puts a high limit on the tag.
    await page.goto(`${gw.base}/devices/plc/tags`);
    const row = page.locator('tr[data-tag="level"]');
    await row.getByRole('button', { name: 'Edit' }).click();
    const editor = page.getByTestId('alarm-editor');
    await editor.getByRole('button', { name: '+ Add alarm' }).click();
    await editor.getByLabel('Alarm name').fill('high');
    await editor.getByLabel('Limit / value').fill('50');
    await editor.getByLabel('Deadband').fill('5');
    await editor.getByLabel('Severity').selectOption('high');
    await editor.getByLabel('Message').fill('Tank level {value} {unit}');
    await page.getByRole('button', { name: 'Save tag' }).click();
    await eventually(async () =>
      expect(gw.runtime.config.devices[0]?.groups[0]?.tags[0]?.alarms).toEqual([
        { name: 'high', above: 50, deadband: 5, delayMs: 0, severity: 'high', message: 'Tank level {value} {unit}' },
      ]),
    );

    // The PLC's value crosses the limit: the count in the top bar and the badge on the row follow live.
    setLevel(60);
    await eventually(async () => expect(await text(count)).toBe('1'));
    await eventually(async () => expect(await page.locator('.alarm-count.has-unacked').count()).toBe(1));
    await eventually(async () => expect(await row.getByTestId('alarm-badge').count()).toBe(1));
    await screenshot(page, 'alarms-tag-badge');

    // Acknowledged on the Alarms page with a comment.
    await page.locator('a.alarm-count').click();
    await page.getByRole('heading', { name: 'Alarms' }).waitFor();
    const alarmRow = page.locator('tr[data-alarm="plc/level/high"]');
    await eventually(async () => expect(await alarmRow.getAttribute('data-state')).toBe('active'));
    expect(await text(alarmRow)).toContain('Tank level 60 %');
    await alarmRow.getByRole('checkbox').check();
    await page.getByTestId('ack-comment').fill('pump started');
    await page.getByRole('button', { name: 'Acknowledge selected' }).click();
    await eventually(async () => expect(await alarmRow.getAttribute('data-acked')).toBe('true'));
    expect(await text(alarmRow)).toContain('pump started');
    await eventually(async () => expect(await page.locator('.alarm-count.has-unacked').count()).toBe(0));
    await screenshot(page, 'alarms-page');

    // Back below the limit by the deadband: normal and acknowledged, gone from the list and the count.
    setLevel(40);
    await eventually(async () => expect(await text(count)).toBe('0'));
    await eventually(async () => expect(await alarmRow.count()).toBe(0));
    const history = page.getByTestId('alarm-history');
    await eventually(async () =>
      expect(
        await history.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-kind'))),
      ).toEqual(['normal', 'ack', 'active']),
    );
    expect(await text(history.locator('tr[data-kind="ack"]'))).toContain('pump started');
    const csv = await page.getByRole('link', { name: 'Download CSV' }).getAttribute('href');
    expect(csv).toBe('/api/v1/alarms/history?format=csv');
  });
});
