/**
 * The web UI used with the keyboard alone, in a real Chromium against the real gateway and a
 * simulated Modbus PLC: log in, skip to the content, move through the main navigation, write
 * a value through the dialog and close it with Escape — with a visible focus ring throughout.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runModbusSimulator } from '../../simulators/run-modbus.js';
import { simulatedPlc, startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { eventually, launchChromium, screenshot, text } from './browser.js';

const PASSWORD = 'keyboard only 123';

let gw: TestGateway;
let sim: { port: number; close(): Promise<void> };
let browser: Browser;
let page: Page;

/** The little of the DOM the focus checks use (the tests' TypeScript has no DOM types). */
interface FocusedElement {
  tagName: string;
  id: string;
  textContent: string | null;
  getAttribute(name: string): string | null;
  closest(selector: string): unknown;
}
interface BrowserGlobals {
  document: { activeElement: FocusedElement | null };
  getComputedStyle(el: FocusedElement): { outlineStyle: string; outlineWidth: string };
}

/** What has the focus: its tag, accessible text and whether a focus ring is drawn. */
const focused = () =>
  // Runs in the page: DOM globals are the browser's.
  page.evaluate(() => {
    const { document, getComputedStyle } = globalThis as unknown as BrowserGlobals;
    const el = document.activeElement;
    const style = el ? getComputedStyle(el) : undefined;
    return {
      tag: el?.tagName.toLowerCase() ?? '',
      text: (el?.getAttribute('aria-label') ?? el?.textContent ?? '').trim(),
      id: el?.id ?? '',
      ring: style ? style.outlineStyle !== 'none' && style.outlineWidth !== '0px' : false,
      inDialog: el?.closest('dialog') !== null,
    };
  });

/** Presses Tab (Shift+Tab with `back`) until the focused element's text is `label` (at most `max` times). */
async function tabTo(label: string | RegExp, { back = false, max = 60 } = {}): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const f = await focused();
    if (typeof label === 'string' ? f.text === label : label.test(f.text)) return;
  }
  throw new Error(`Tab never reached "${String(label)}"`);
}

beforeAll(async () => {
  sim = await runModbusSimulator({ host: '127.0.0.1', port: 0 });
  gw = await startTestGateway(
    {
      gateway: { id: 'gw-kbd' },
      devices: [
        simulatedPlc(sim.port, [
          {
            name: 'fast',
            intervalMs: 200,
            tags: [{ name: 'speed', address: 'hr:2', type: 'uint16', access: 'readwrite', unit: 'rpm' }],
          },
        ]),
      ],
    },
    { users: { admin: [PASSWORD, 'admin'] }, listen: true },
  );
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  page.setDefaultTimeout(15_000);
}, 60_000);

afterAll(async () => {
  // The browser first: it holds the SSE stream open.
  await browser?.close();
  await gw?.close();
  await sim?.close();
});

describe('web UI with the keyboard alone', { timeout: 60_000 }, () => {
  it('logs in with the keyboard: the password field has the focus (user name admin filled in), Enter submits', async () => {
    await page.goto(gw.base);
    await page.getByRole('heading', { name: 'Log in to the gateway' }).waitFor();
    expect(await focused()).toMatchObject({ tag: 'input', id: 'login-password' });
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
  });

  it('skips to the content, and reaches every page of the main navigation with Tab and Enter', async () => {
    await page.keyboard.press('Tab');
    const skip = await focused();
    expect(skip.text).toBe('Skip to content');
    expect(skip.ring).toBe(true);
    await page.keyboard.press('Enter');
    expect((await focused()).id).toBe('main');
    await tabTo('Devices', { back: true });
    expect((await focused()).ring).toBe(true);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Devices' }).waitFor();
    await tabTo('plc');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'plc' }).waitFor();
    await eventually(async () =>
      expect(await text(page.locator('tr[data-tag="speed"] [data-testid=value]'))).toBe('1500'),
    );
  });

  it('writes a value through the dialog: focus starts in it, Enter writes, Escape closes and focus returns', async () => {
    await tabTo('Write');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Write speed' });
    await dialog.waitFor();
    const inside = await focused();
    expect(inside.inDialog).toBe(true);
    expect(inside.tag).toBe('input');
    // The field starts with the current value, selected or not: replace it.
    await page.keyboard.press('Control+A');
    await page.keyboard.type('1777');
    await page.keyboard.press('Enter');
    // The confirmation (1500 → 1777) has the focus on its Confirm button: Enter writes.
    await dialog.getByTestId('write-confirm').waitFor();
    expect((await focused()).text).toBe('Confirm write');
    await page.keyboard.press('Enter');
    await dialog.getByRole('status').getByText('Written at').waitFor();
    await screenshot(page, 'kbd-01-write-dialog');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    // The page re-renders without the dialog right after: the focus lands on Write then.
    await eventually(async () => expect((await focused()).text).toBe('Write'));
    await eventually(async () =>
      expect(await text(page.locator('tr[data-tag="speed"] [data-testid=value]'))).toBe('1777'),
    );
  });

  it('keeps every top-bar entry on screen, on one line from 1280 px and wrapped below', async () => {
    const heights: Record<number, number> = {};
    for (const width of [1920, 1280, 1024, 390]) {
      await page.setViewportSize({ width, height: 800 });
      const offScreen: string[] = [];
      for (const entry of await page.locator('.topbar a, .topbar button').all()) {
        const box = await entry.boundingBox();
        if (box && box.x + box.width > width + 0.5) offScreen.push(await text(entry));
      }
      expect(offScreen, `at ${width} px`).toEqual([]);
      heights[width] = (await page.locator('.topbar').boundingBox())?.height ?? 0;
    }
    expect(heights[1920]).toBe(58);
    expect(heights[1280]).toBe(58);
    expect(heights[390]).toBeGreaterThan(58);
    await page.setViewportSize({ width: 1280, height: 860 });
  });
});
