/**
 * Configuration history in a real Chromium: a device added in the UI lands on its Tags page,
 * every history entry says what it did with date and time, and rolling back first shows what
 * changes against the configuration in force now — including what it deletes.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runModbusSimulator } from '../../simulators/run-modbus.js';
import { simulatedPlc, startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { eventually, launchChromium, screenshot as shoot, text } from './browser.js';

const PASSWORD = 'history horse battery staple';

let gw: TestGateway;
let sim: { port: number; close(): Promise<void> };
let browser: Browser;
let page: Page;

const screenshot = (name: string) => shoot(page, name);

beforeAll(async () => {
  sim = await runModbusSimulator({ host: '127.0.0.1', port: 0 });
  gw = await startTestGateway(
    {
      gateway: { id: 'gw-history-ui', uns: 'acme' },
      devices: [
        simulatedPlc(sim.port, [{ name: 'fast', intervalMs: 200, tags: [{ name: 'counter', address: 'ir:4' }] }]),
      ],
    },
    { listen: true, users: { admin: [PASSWORD, 'admin'] }, recordFirstStart: true },
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

const nav = (label: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label });

describe('configuration history in the web UI', { timeout: 60_000 }, () => {
  it('lands on the new device’s Tags page after adding it', async () => {
    await page.goto(gw.base);
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();

    await nav('Devices').click();
    await page.getByRole('link', { name: '+ Add device' }).click();
    await page.getByRole('heading', { name: 'Add device' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('plc2');
    await page.getByLabel('Host', { exact: true }).fill('127.0.0.1');
    await page.getByLabel('Port', { exact: true }).fill(String(sim.port));
    await page.getByRole('button', { name: 'Add device' }).click();
    // Its Tags page: the device's name as heading, and the way to its first group.
    await page.getByRole('heading', { name: 'plc2', exact: true }).waitFor();
    await page.getByRole('button', { name: '+ Add group' }).first().waitFor();
    expect(new URL(page.url()).pathname).toBe('/devices/plc2');
    await screenshot('history-01-new-device-tags');
  });

  it('says what each change did, with date and time', async () => {
    // A script adds a north app through the API.
    const admin = await gw.login('admin', PASSWORD);
    const doc = (await gw.app.inject({ method: 'GET', url: '/api/v1/config', headers: admin })).json();
    doc.north.push({ name: 'late', plugin: 'mqtt', settings: { url: 'mqtt://127.0.0.1:9' } });
    const put = await gw.app.inject({ method: 'PUT', url: '/api/v1/config', headers: admin, payload: doc });
    expect(put.statusCode, put.body).toBe(200);

    await nav('Settings').click();
    const history = page.getByTestId('config-history');
    const rows = history.locator('tbody tr[data-history]');
    await eventually(async () => expect(await rows.count()).toBe(3));
    const described = await history.getByTestId('history-description').allTextContents();
    expect(described.map((d) => d.replace(/current$/, '').trim())).toEqual([
      'api: add north app late',
      'ui: add device plc2',
      'first start: 1 device',
    ]);
    expect(await text(rows.first().locator('td.timestamp'))).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);

    await rows.nth(1).getByRole('button', { name: 'Changes' }).click();
    const diff = history.getByTestId('config-diff');
    await diff.waitFor();
    expect(await text(history.locator('.edit-row .help'))).toContain('add device plc2');
    expect((await diff.locator('.diff-add').allTextContents()).join('\n')).toContain('name: plc2');
    expect(await diff.locator('.diff-del').count()).toBe(0);
    await screenshot('history-02-entries');
  });

  it('shows what a rollback deletes against the configuration in force, before it is confirmed', async () => {
    const rows = page.getByTestId('config-history').locator('tbody tr[data-history]');
    const target = rows.nth(1);
    const id = await target.getAttribute('data-history');
    await target.getByRole('button', { name: 'Roll back to this' }).click();
    const confirm = page.getByRole('dialog', { name: `Roll back to #${id}?` });
    await confirm.waitFor();
    // Compared with now, not with the entry before #id: the north app added since goes.
    expect(await text(confirm)).toContain('this will: delete north app late');
    expect(await text(confirm.getByTestId('rollback-removed'))).toContain('north app late');
    expect((await confirm.locator('.diff-del').allTextContents()).join('\n')).toContain('name: late');
    await screenshot('history-03-rollback-preview');
    expect(gw.runtime.config.north.map((n) => n.name)).toEqual(['late']);

    await confirm.getByRole('button', { name: 'Roll back' }).click();
    await page
      .getByRole('status')
      .getByText(/Rolled back to the configuration of /)
      .waitFor();
    await eventually(async () => expect(await rows.count()).toBe(4));
    expect(await text(rows.first().getByTestId('history-description'))).toContain(
      `rollback to #${id}: delete north app late`,
    );
    expect(gw.runtime.config.north).toEqual([]);
    expect(gw.runtime.config.devices.map((d) => d.name)).toEqual(['plc', 'plc2']);
  });
});
