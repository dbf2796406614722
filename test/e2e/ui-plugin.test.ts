/**
 * The UI knows a plugin only from what the gateway's registry says: a test-only north
 * plugin (jsonl-file, registered with one line) is offered in the north app form with its
 * own settings form, added from the browser, and runs — values from the simulated PLC land in
 * its file and the North apps page shows it connected. No UI code names it.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoModel } from '../../simulators/demo-plc.js';
import { ModbusTcpSimulator } from '../../simulators/modbus-tcp-server.js';
import { testRegistry } from '../fixtures/plugins/registry.js';
import { simulatedPlc, startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { eventually, launchChromium, screenshot, text } from './browser.js';

const PASSWORD = 'plugin e2e admin password';
const demo = createDemoModel();
const sim = new ModbusTcpSimulator(demo.model, { host: '127.0.0.1', port: 0 });
let gw: TestGateway;
let browser: Browser;
let page: Page;
let fileDir: string;

beforeAll(async () => {
  demo.start();
  const { port } = await sim.listen();
  fileDir = mkdtempSync(join(tmpdir(), 'tagwire-e2e-jsonl-'));
  gw = await startTestGateway(
    {
      gateway: { id: 'gw-plugin-ui' },
      devices: [simulatedPlc(port, [{ name: 'fast', intervalMs: 300, tags: [{ name: 'speed', address: 'hr:2' }] }])],
    },
    { listen: true, registry: testRegistry(), users: { admin: [PASSWORD, 'admin'] } },
  );
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  page.setDefaultTimeout(15_000);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await gw?.close();
  demo.stop();
  await sim.close();
  if (fileDir) rmSync(fileDir, { recursive: true, force: true });
});

describe('a registered test plugin in Chromium', { timeout: 60_000 }, () => {
  it('is offered with its own settings form, added, and runs', async () => {
    await page.goto(gw.base);
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();

    await page.goto(`${gw.base}/north/new`);
    await page.getByRole('heading', { name: 'Add north app' }).waitFor();
    const options = await page.locator('#north-plugin option').allTextContents();
    expect(options.some((o) => o.includes('JSON lines file (test plugin)'))).toBe(true);
    await page.locator('#north-plugin').selectOption('jsonl-file');
    // Its settings form comes from its schema; it declares no connection test.
    await page.locator('#north-settings-path').waitFor();
    expect(await page.locator('#north-settings-url').count()).toBe(0);
    expect(await page.getByTestId('connection-test').count()).toBe(0);

    const file = join(fileDir, 'values.jsonl');
    await page.locator('#north-name').fill('file');
    await page.locator('#north-settings-path').fill(file);
    await screenshot(page, 'plugin-01-north-form');
    await page.getByRole('button', { name: 'Add north app' }).click();

    const table = page.getByTestId('north-table');
    await table.waitFor();
    const row = table.locator('tr', { hasText: 'file' });
    await eventually(async () => expect(await text(row)).toContain('jsonl-file'));
    await eventually(async () => expect(await text(row)).toMatch(/connected/i));
    await eventually(async () => {
      expect(existsSync(file)).toBe(true);
      const last = readFileSync(file, 'utf8').trim().split('\n').at(-1) ?? '{}';
      expect(JSON.parse(last)).toMatchObject({ device: 'plc', tag: 'speed', value: 1500, quality: 'good' });
    });
    await screenshot(page, 'plugin-02-north-page');
  });
});
