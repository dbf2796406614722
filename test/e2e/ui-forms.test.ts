/**
 * Forms in a plant engineer's words, in a real Chromium against the real gateway: field
 * messages instead of document paths, error codes with their meaning, Test connection
 * (simulated PLC, real mosquitto), Retry now for a device backing off, and the request to
 * replace the generated first password.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAdmin, INITIAL_PASSWORD_FILE } from '../../core/first-start.js';
import { silentLogger } from '../../core/log.js';
import { createDemoModel } from '../../simulators/demo-plc.js';
import { ModbusTcpSimulator } from '../../simulators/modbus-tcp-server.js';
import { freePort, type Mosquitto, startMosquitto } from '../helpers/mosquitto.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { eventually, launchChromium, screenshot as shoot, text } from './browser.js';

const OWN_PASSWORD = 'forms e2e own password';

let gw: TestGateway;
let browser: Browser;
let page: Page;
let broker: Mosquitto;
let latePort: number;
const sims: Array<{ close(): Promise<void> }> = [];

const screenshot = (name: string) => shoot(page, `forms-${name}`);

async function startPlc(port = 0): Promise<number> {
  const demo = createDemoModel();
  demo.start();
  const sim = new ModbusTcpSimulator(demo.model, { host: '127.0.0.1', port });
  const listening = await sim.listen();
  sims.push({
    close: async () => {
      demo.stop();
      await sim.close();
    },
  });
  return listening.port;
}

beforeAll(async () => {
  const plcPort = await startPlc();
  latePort = await freePort();
  broker = await startMosquitto();
  gw = await startTestGateway(
    {
      gateway: { id: 'gw-forms' },
      devices: [
        {
          name: 'plc',
          driver: 'modbus-tcp',
          settings: { host: '127.0.0.1', port: plcPort },
          groups: [{ name: 'fast', intervalMs: 500, tags: [{ name: 'speed', address: 'hr:2' }] }],
        },
        {
          // Nothing listens here yet: it backs off, with a long cap, until its PLC comes.
          name: 'late',
          driver: 'modbus-tcp',
          reconnectMaxMs: 60_000,
          settings: { host: '127.0.0.1', port: latePort, timeoutMs: 500, retries: 0 },
          groups: [{ name: 'g', intervalMs: 500, tags: [{ name: 'speed', address: 'hr:2' }] }],
        },
      ],
    },
    { listen: true },
  );
  // As on a real first start: user admin with a generated password in the data directory.
  await ensureAdmin(gw.db, gw.dir, silentLogger());
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  page.setDefaultTimeout(15_000);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await gw?.close();
  for (const sim of sims) await sim.close();
  await broker?.stop();
  if (gw?.dir) rmSync(gw.dir, { recursive: true, force: true });
});

describe('forms and errors in Chromium', { timeout: 60_000 }, () => {
  it('asks the admin logged in with the generated password to set their own, until they have', async () => {
    const generated = readFileSync(join(gw.dir, INITIAL_PASSWORD_FILE), 'utf8').trim();
    await page.goto(gw.base);
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill(generated);
    await page.getByRole('button', { name: 'Log in' }).click();
    const banner = page.getByTestId('initial-password-banner');
    await banner.waitFor();
    expect(await text(banner)).toContain('generated first password');
    await screenshot('01-first-password-banner');
    await banner.getByRole('link', { name: 'Set your own password' }).click();
    const form = page.getByRole('form', { name: 'Change password' });
    await form.getByLabel('Current password').fill(generated);
    await form.getByLabel('New password', { exact: true }).fill(OWN_PASSWORD);
    await form.getByLabel('New password again').fill(OWN_PASSWORD);
    await form.getByRole('button', { name: 'Change password' }).click();
    await banner.waitFor({ state: 'detached' });
    // Other pages no longer ask either.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).click();
    await page.getByTestId('devices-table').waitFor();
    expect(await page.getByTestId('initial-password-banner').count()).toBe(0);
  });

  it('says what is wrong with each field in words, not document paths', async () => {
    await page.goto(`${gw.base}/devices/new`);
    await page.getByRole('heading', { name: 'Add device' }).waitFor();
    await page.locator('#settings-host').fill('127.0.0.1');
    await page.locator('#settings-unitId').fill('300');
    await page.getByRole('button', { name: 'Add device' }).click();
    const form = page.getByRole('form', { name: 'Device' });
    await form.getByText('Name is required').waitFor();
    await form.getByText('Unit id must be 0–255').waitFor();
    const box = page.getByTestId('error-box');
    // The messages on screen; the API's paths are folded away under "As the API reports them".
    const shown = async () => (await box.locator('.error-details > li:not(.raw-details)').allTextContents()).join('\n');
    expect(await shown()).toContain('Unit id must be 0–255');
    expect(await shown()).not.toContain('devices[');
    expect(await shown()).not.toContain('settings.unitId');
    expect(await text(box.locator('.raw-details'))).toContain('devices[2].settings.unitId must be <= 255');
    await screenshot('02-device-form-messages');

    await page.locator('#device-name').fill('plc');
    await page.locator('#settings-unitId').fill('1');
    await page.locator('#settings-host').fill('10.0.0.300');
    await page.getByRole('button', { name: 'Add device' }).click();
    await form.getByText('A device named plc already exists').waitFor();
    await form.getByText(/Host "10\.0\.0\.300" is not a valid IP address/).waitFor();
    await form.getByText('Another device already publishes under plc').first().waitFor();
    expect(await shown()).not.toContain('devices[');
    expect(gw.runtime.config.devices.map((d) => d.name)).toEqual(['plc', 'late']);
    await screenshot('03-device-form-duplicate-host');
  });

  it('tests a connection from the unsaved form and reports failures in words', async () => {
    const plcPort = gw.runtime.config.devices[0]?.settings.port as number;
    await page.locator('#device-name').fill('press2');
    await page.locator('#settings-host').fill('127.0.0.1');
    await page.locator('#settings-port').fill(String(plcPort));
    const test = page.getByTestId('connection-test');
    await test.getByRole('button', { name: 'Test connection' }).click();
    await test.getByText(/Connected to the device in \d+ ms and read hr:0 = /).waitFor();
    await screenshot('04-test-connection-ok');

    const closed = await freePort();
    await page.locator('#settings-port').fill(String(closed));
    await test.getByRole('button', { name: 'Test connection' }).click();
    await test.getByText('Could not connect').waitFor();
    expect(await text(test)).toContain('connection-refused — the device refused the connection');
    expect(await text(test)).toContain(`127.0.0.1:${closed}`);
    await screenshot('05-test-connection-refused');
    // Nothing was saved by testing.
    expect(gw.runtime.config.devices.map((d) => d.name)).toEqual(['plc', 'late']);
  });

  it('explains a test read of an address the device cannot have', async () => {
    await page.goto(`${gw.base}/devices/plc/tags`);
    await page.getByRole('button', { name: 'Test read', exact: true }).click();
    await page.getByLabel('Address').fill('hr:99999');
    await page.getByRole('dialog').getByRole('button', { name: /^Read/ }).click();
    const box = page.getByRole('dialog').getByTestId('error-box');
    await box.waitFor();
    expect(await text(box)).toContain('invalid-address');
    expect(await text(box)).toContain('register number must be 0..65535');
    expect(await text(box)).toContain('Correct the address');
    await screenshot('06-test-read-bad-address');
    await page.keyboard.press('Escape');
  });

  it('shows when a backing-off device tries next, and Retry now connects it at once', async () => {
    await page.goto(`${gw.base}/devices`);
    const row = page.locator('[data-device="late"]');
    await row.getByTestId('retry-now').waitFor();
    expect(await text(row)).toContain('connection-refused — the device refused the connection');
    // Wait until the next attempt is seconds away, so that only the button can explain a quick connect.
    await eventually(async () => {
      const next = gw.runtime.gateway.device('late').status().nextRetryAt ?? 0;
      expect(next - Date.now()).toBeGreaterThan(2500);
    }, 20_000);
    await eventually(async () => expect(await text(row)).toMatch(/Next attempt in \d+ s/));
    await screenshot('07-devices-retry-now');
    const nextRetryAt = gw.runtime.gateway.device('late').status().nextRetryAt as number;
    await startPlc(latePort);
    await row.getByRole('button', { name: 'Retry late now' }).click();
    await eventually(async () => expect(gw.runtime.gateway.device('late').currentState.state).toBe('connected'));
    expect(Date.now()).toBeLessThan(nextRetryAt);
    await row.getByTestId('retry-now').waitFor({ state: 'detached' });
  });

  it('tests a north app’s broker from the form: CONNACK, or why not', async () => {
    await page.goto(`${gw.base}/north/new`);
    await page.getByRole('heading', { name: 'Add north app' }).waitFor();
    await page.locator('#north-settings-url').fill(broker.url);
    const test = page.getByTestId('connection-test');
    await test.getByRole('button', { name: 'Test connection' }).click();
    await test.getByText(/Connected to the broker in \d+ ms/).waitFor();
    await page.locator('#north-settings-url').fill('mqtt://10.0.0.300:1883');
    await test.getByRole('button', { name: 'Test connection' }).click();
    await page
      .getByRole('form', { name: 'North app' })
      .getByText(/URL "10\.0\.0\.300" is not a valid IP address/)
      .waitFor();
    await screenshot('08-north-test-connection');
  });
});
