/**
 * The Content-Security-Policy fits the bundled UI: in a real Chromium the UI logs in, shows
 * live values over Server-Sent Events and walks its pages (and the API docs) without a single
 * policy violation, and a page of another origin cannot frame it.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runModbusSimulator } from '../../simulators/run-modbus.js';
import { simulatedPlc, startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { launchChromium } from './browser.js';

const PASSWORD = 'csp horse battery staple';

let gw: TestGateway;
let sim: { port: number; close(): Promise<void> };
let browser: Browser;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  sim = await runModbusSimulator({ host: '127.0.0.1', port: 0 });
  gw = await startTestGateway(
    {
      gateway: { id: 'gw-csp' },
      devices: [simulatedPlc(sim.port, [{ name: 'g', intervalMs: 200, tags: [{ name: 'counter', address: 'ir:4' }] }])],
    },
    { listen: true, users: { admin: [PASSWORD, 'admin'] } },
  );
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  page.setDefaultTimeout(15_000);
  // Every violation is an event in the page and a console error; both are collected.
  // (Page scripts are text: the test build has no DOM types.)
  await page.addInitScript({
    content: `document.addEventListener('securitypolicyviolation', (e) =>
      console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));`,
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /content security policy|CSP violation/i.test(msg.text())) problems.push(msg.text());
  });
  page.on('pageerror', (err) => problems.push(err.message));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await gw?.close();
  await sim?.close();
});

describe('Content-Security-Policy in Chromium', { timeout: 60_000 }, () => {
  it('lets the bundled UI log in, stream live values and show its pages with no violation', async () => {
    const answer = await page.goto(gw.base);
    expect(answer?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.locator('[data-testid=overview-devices] tr[data-device="plc"] [data-state="connected"]').waitFor();
    // The live dot is lit by the Server-Sent Events stream (connect-src).
    await page.locator('.live-dot.is-live').waitFor();
    const nav = page.getByRole('navigation', { name: 'Main' });
    for (const name of ['Devices', 'Live values', 'UNS explorer', 'Logs', 'North apps', 'Users', 'Settings']) {
      await nav.getByRole('link', { name }).click();
      await page.getByRole('heading', { level: 1, name, exact: true }).waitFor();
    }
    expect(problems).toEqual([]);
  });

  it('shows the API docs (Swagger UI) with no violation', async () => {
    await page.goto(`${gw.base}/api/docs`);
    await page.getByText('tagwire HTTP API').first().waitFor();
    expect(problems).toEqual([]);
  });

  it('cannot be framed, not even by a page of its own origin', async () => {
    const framing = await browser.newPage();
    await framing.goto(`${gw.base}/healthz`);
    // Same origin, so the frame's document would be readable if the browser had shown it.
    const framed = await framing.evaluate(`(async () => {
      const frame = document.createElement('iframe');
      frame.src = ${JSON.stringify(`${gw.base}/`)};
      const loaded = new Promise((resolve) => frame.addEventListener('load', resolve));
      document.body.append(frame);
      await loaded;
      try {
        return frame.contentDocument?.getElementById('app') ? 'shown' : 'blocked';
      } catch {
        return 'blocked';
      }
    })()`);
    await framing.close();
    expect(framed).toBe('blocked');
  });
});
