/**
 * The README's screenshots, taken in a real Chromium against a real gateway: a simulated PLC
 * polled over Modbus TCP and a north app publishing to a real mosquitto. Every run takes them
 * (so a page that breaks fails here); with TAGWIRE_README_SCREENSHOTS=1 they replace the ones
 * in docs/images/ that the README shows — run that after changing the UI, and commit them.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runModbusSimulator } from '../../simulators/run-modbus.js';
import { type Mosquitto, startMosquitto } from '../helpers/mosquitto.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { eventually, launchChromium, SCREENS } from './browser.js';

const IMAGES =
  process.env.TAGWIRE_README_SCREENSHOTS === '1'
    ? fileURLToPath(new URL('../../docs/images', import.meta.url))
    : join(SCREENS, 'readme');
const PASSWORD = 'readme horse battery staple';
const VERSION: string = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;
const SPEED_TOPIC = 'acme/dallas/packaging/line3/filler1/motor/speed';

let gw: TestGateway;
let sim: { port: number; close(): Promise<void> };
let broker: Mosquitto;
let browser: Browser;
let page: Page;

function plant(simPort: number, brokerUrl: string, extraTags: unknown[] = []): Record<string, unknown> {
  return {
    gateway: { id: 'gw1', uns: 'acme/dallas' },
    devices: [
      {
        name: 'filler1',
        driver: 'modbus-tcp',
        uns: 'packaging/line3/filler1',
        settings: { host: '127.0.0.1', port: simPort },
        groups: [
          {
            name: 'fast',
            intervalMs: 500,
            tags: [
              { name: 'temperature', address: 'ir:0', type: 'float32', unit: '°C', deadband: 0.01 },
              { name: 'pressure', address: 'ir:2', type: 'float32', unit: 'bar' },
              { name: 'counter', address: 'ir:4' },
              { name: 'ramp', address: 'ir:5', type: 'int16' },
              { name: 'motor/speed', address: 'hr:2', unit: 'rpm', access: 'readwrite' },
              { name: 'motor/setpoint', address: 'hr:0', type: 'float32', unit: '°C', access: 'readwrite' },
              ...extraTags,
            ],
          },
        ],
      },
    ],
    north: [{ name: 'plant-broker', plugin: 'mqtt', settings: { url: brokerUrl, qos: 1 } }],
  };
}

/** A viewport-sized shot (1280x800) in docs/images, small enough to keep in the repository. */
async function shoot(name: string): Promise<void> {
  mkdirSync(IMAGES, { recursive: true });
  const path = join(IMAGES, `${name}.png`);
  await page.screenshot({ path });
  const size = statSync(path).size;
  expect(size).toBeGreaterThan(10_000); // not blank
  expect(size).toBeLessThan(400_000);
}

const nav = (label: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label });

beforeAll(async () => {
  sim = await runModbusSimulator({ host: '127.0.0.1', port: 0 });
  broker = await startMosquitto();
  gw = await startTestGateway(plant(sim.port, broker.url), {
    listen: true,
    users: { admin: [PASSWORD, 'admin'] },
    recordFirstStart: true,
    version: VERSION,
  });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(15_000);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await gw?.close();
  await broker?.stop();
  await sim?.close();
});

describe('README screenshots', { timeout: 90_000 }, () => {
  it('shows the Overview with the device and the north app connected', async () => {
    await page.goto(gw.base);
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await eventually(async () => {
      const status = (await gw.app.inject({ method: 'GET', url: '/api/v1/status', headers: await admin() })).json();
      expect(JSON.stringify(status)).toContain('"connected"');
      expect(status.north?.[0]?.state).toBe('connected');
    });
    await page.getByText('filler1').first().waitFor();
    await page.waitForTimeout(3000); // a few status updates, so the rates are shown
    await shoot('overview');
  });

  it('shows a device’s Tags page with live values', async () => {
    // A change and a write made by "someone else", so that history and audit have content.
    const headers = await admin();
    const doc = plant(sim.port, broker.url, [{ name: 'name', address: 'hr:10', type: 'string', length: 20 }]);
    const put = await gw.app.inject({ method: 'PUT', url: '/api/v1/config', headers, payload: doc });
    expect(put.statusCode, put.body).toBe(200);
    const write = await gw.app.inject({
      method: 'POST',
      url: '/api/v1/devices/filler1/tags/motor/speed/write',
      headers,
      payload: { value: 1750 },
    });
    expect(write.statusCode, write.body).toBe(200);
    // …and one over MQTT, as a SCADA would.
    const port = String(new URL(broker.url).port);
    execFileSync('mosquitto_pub', [
      '-h',
      '127.0.0.1',
      '-p',
      port,
      '-t',
      `${SPEED_TOPIC}/_set`,
      '-m',
      '{"value": 1800}',
    ]);

    await nav('Devices').click();
    await page.getByRole('heading', { name: 'Devices' }).waitFor();
    await page.goto(`${gw.base}/devices/filler1`);
    await page.getByRole('heading', { name: 'filler1', exact: true }).waitFor();
    await page.getByText('TAGWIRE-SIM').first().waitFor();
    await page.getByText('1800').first().waitFor();
    await shoot('device-tags');
  });

  it('shows Live values', async () => {
    await nav('Live values').click();
    await page.getByRole('heading', { name: 'Live values' }).waitFor();
    await page.getByText('motor/speed').first().waitFor();
    await page.getByText('1800').first().waitFor();
    await shoot('live-values');
  });

  it('shows the UNS explorer', async () => {
    await nav('UNS explorer').click();
    await page.getByRole('heading', { name: 'UNS explorer' }).waitFor();
    await page.getByRole('button', { name: 'Expand all' }).click();
    await page.getByRole('list', { name: 'Topics' }).getByRole('button', { name: 'temperature', exact: true }).click();
    await page.getByText('acme/dallas/packaging/line3/filler1/temperature').first().waitFor();
    await shoot('uns-explorer');
  });

  it('shows the Audit trail', async () => {
    await nav('Audit').click();
    await page.getByRole('heading', { name: 'Audit' }).waitFor();
    await page.getByText('1800').first().waitFor();
    await shoot('audit');
  });

  it('shows the configuration history', async () => {
    await nav('Settings').click();
    const history = page.getByRole('heading', { name: 'Configuration history' });
    await history.waitFor();
    await page.getByText('add tag filler1/name').first().waitFor();
    await page.getByRole('button', { name: 'Changes' }).first().click();
    await page.getByText('TAGWIRE-SIM').or(page.getByText('hr:10')).first().waitFor();
    await history.evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await page.evaluate('window.scrollBy(0, -80)'); // clear of the sticky top bar
    await shoot('config-history');
  });
});

let adminHeaders: Record<string, string> | undefined;
async function admin(): Promise<Record<string, string>> {
  adminHeaders ??= await gw.login('admin', PASSWORD);
  return adminHeaders;
}
