/**
 * Every page of the web UI at a phone (390 px), a small laptop (1024 px) and a desktop
 * (1440 px), in a real Chromium against the real gateway, a simulated Modbus PLC and a north
 * app: the page never scrolls sideways, and what the page is for (values, Write, its main
 * button) lies inside the viewport without scrolling. A screenshot of each page at each width.
 */
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runModbusSimulator } from '../../simulators/run-modbus.js';
import { simulatedPlc, startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { eventually, launchChromium, loggedInPage, screenshot } from './browser.js';

const PASSWORD = 'layout check 1234';
const WIDTHS = [390, 1024, 1440] as const;
type Width = (typeof WIDTHS)[number];

let gw: TestGateway;
let sim: { port: number; close(): Promise<void> };
let browser: Browser;
let page: Page;

/** What a page must show inside the viewport at a width: locators for `page`. */
interface PageCheck {
  name: string;
  path: string;
  /** Waited for before measuring (the page has its data). */
  ready: (p: Page) => Locator;
  mustSee: (p: Page, width: Width) => Locator[];
}

const tagRow = (p: Page, tag: string) => p.locator(`tr[data-tag="${tag}"]`).first();
const liveRow = (p: Page) => p.getByTestId('live-values').locator('tbody tr').filter({ hasText: 'speed' }).first();

const PAGES: PageCheck[] = [
  {
    name: 'overview',
    path: '/',
    ready: (p) => p.locator('[data-testid=overview-devices] tr[data-device="plc"] [data-state="connected"]'),
    mustSee: (p) => [
      p.locator('[data-testid=overview-devices] tr[data-device="plc"] [data-state]').first(),
      p.getByTestId('north-buffered').first(),
    ],
  },
  {
    name: 'devices',
    path: '/devices',
    ready: (p) => p.getByTestId('devices-table').locator('tbody tr').first(),
    mustSee: (p) => [
      p.getByRole('link', { name: 'Add device' }),
      p.getByTestId('devices-table').getByRole('link', { name: 'plc', exact: true }),
    ],
  },
  {
    name: 'tags',
    path: '/devices/plc/tags',
    ready: (p) => tagRow(p, 'speed').locator('[data-quality="good"]'),
    mustSee: (p, width) => [
      tagRow(p, 'speed').getByTestId('value'),
      tagRow(p, 'speed').getByRole('button', { name: 'Write' }),
      // Wide enough: the row's own buttons; narrow: the menu that holds them.
      ...(width >= 1024
        ? [
            tagRow(p, 'speed').getByRole('button', { name: 'Edit', exact: true }),
            tagRow(p, 'speed').getByRole('button', { name: 'Delete speed' }),
          ]
        : [tagRow(p, 'speed').getByRole('button', { name: 'More actions for speed' })]),
    ],
  },
  {
    name: 'north',
    path: '/north',
    ready: (p) => p.getByTestId('north-table').locator('tbody tr').first(),
    mustSee: (p, width) => [
      p.getByRole('link', { name: 'Add north app' }),
      // On a phone the name (a link to the form) stands in for the Edit button.
      width >= 1024
        ? p.getByTestId('north-table').getByRole('link', { name: 'Edit' }).first()
        : p.getByTestId('north-table').getByRole('link', { name: 'plant-broker' }),
      p.getByTestId('north-table').getByTestId('north-buffered'),
    ],
  },
  {
    name: 'live-values',
    path: '/values',
    ready: (p) => liveRow(p).locator('[data-quality="good"]'),
    mustSee: (p) => [liveRow(p).getByTestId('value'), liveRow(p).getByRole('button', { name: 'Write' })],
  },
  {
    name: 'uns',
    path: '/uns',
    ready: (p) => p.getByRole('button', { name: 'Expand all' }),
    mustSee: (p) => [p.getByRole('button', { name: 'Expand all' })],
  },
  {
    name: 'logs',
    path: '/logs',
    ready: (p) => p.getByTestId('log-download'),
    mustSee: (p) => [p.getByTestId('log-download')],
  },
  {
    name: 'audit',
    path: '/audit',
    ready: (p) => p.getByTestId('audit-table').locator('tbody tr').first(),
    mustSee: (p) => [
      p.getByRole('link', { name: /Export CSV|Download CSV/ }),
      // The result of the newest entry (the login).
      p.getByTestId('audit-table').locator('tbody tr').first().locator('td').nth(5),
    ],
  },
  {
    name: 'alarms',
    path: '/alarms',
    ready: (p) => p.getByRole('heading', { name: 'History' }),
    mustSee: (p) => [p.getByTestId('alarm-count'), p.getByRole('link', { name: 'Download CSV' })],
  },
  {
    name: 'certificates',
    path: '/certificates',
    ready: (p) => p.getByRole('heading', { name: 'Certificates' }),
    mustSee: (p) => [p.getByRole('heading', { name: 'Certificates' })],
  },
  {
    name: 'users',
    path: '/users',
    ready: (p) => p.getByTestId('users-table').locator('tbody tr').first(),
    mustSee: (p) => [
      p.locator('tr[data-user="operator-with-a-long-name"]').getByRole('button', { name: /^Delete/ }),
      p.getByRole('button', { name: 'Add user' }),
    ],
  },
  {
    name: 'settings',
    path: '/settings',
    ready: (p) => p.getByRole('link', { name: 'Download configuration (YAML)' }),
    mustSee: (p) => [p.getByRole('link', { name: 'Download configuration (YAML)' })],
  },
  {
    name: 'account',
    path: '/account',
    ready: (p) => p.getByRole('heading', { name: 'Your account' }),
    mustSee: (p) => [p.getByRole('button', { name: 'Change password' })],
  },
];

/** The little of the DOM the overflow check uses (the tests' TypeScript has no DOM types). */
interface BrowserGlobals {
  document: { documentElement: { scrollWidth: number } };
  innerWidth: number;
}

const overflow = () =>
  page.evaluate(() => {
    const { document, innerWidth } = globalThis as unknown as BrowserGlobals;
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth };
  });

/** Fails unless `target` lies wholly inside the viewport's width (and is not hidden). */
async function expectInView(target: Locator, what: string, width: number): Promise<void> {
  await target.waitFor({ state: 'visible' });
  const box = await target.boundingBox();
  expect(box, `${what}: no box`).not.toBeNull();
  if (!box) return;
  expect(box.x, `${what} starts left of the viewport`).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width, `${what} ends right of the ${width} px viewport`).toBeLessThanOrEqual(width + 0.5);
  // Inside a table that scrolls on its own, it must not be cut off by the table's edge either.
  const wrapRight = await target.evaluate((el: unknown) => {
    const wrap = (el as ClippedElement).closest('.table-wrap');
    return wrap ? wrap.getBoundingClientRect().right : Number.POSITIVE_INFINITY;
  });
  expect(box.x + box.width, `${what} is cut off by its table`).toBeLessThanOrEqual(wrapRight + 0.5);
}

/** The little of an element the clipping check uses. */
interface ClippedElement {
  closest(selector: string): { getBoundingClientRect(): { right: number } } | null;
}

beforeAll(async () => {
  sim = await runModbusSimulator({ host: '127.0.0.1', port: 0 });
  gw = await startTestGateway(
    {
      gateway: { id: 'gw-layout', uns: 'acme/plant1' },
      devices: [
        simulatedPlc(sim.port, [
          {
            name: 'fast',
            intervalMs: 500,
            tags: [
              { name: 'speed', address: 'hr:2', type: 'uint16', access: 'readwrite', unit: 'rpm' },
              {
                name: 'setpoint',
                address: 'hr:0',
                type: 'float32',
                access: 'readwrite',
                unit: '°C',
                description: 'Oven temperature setpoint for the second zone',
              },
              { name: 'temperature', address: 'ir:0', type: 'float32', unit: '°C' },
            ],
          },
        ]),
      ],
      // Nobody listens there: the north app shows as not connected, with a buffer.
      north: [{ name: 'plant-broker', plugin: 'mqtt', settings: { url: 'mqtt://127.0.0.1:9' } }],
    },
    {
      users: { admin: [PASSWORD, 'admin'], 'operator-with-a-long-name': ['another pass 1234', 'operator'] },
      listen: true,
      recordFirstStart: true,
    },
  );
  browser = await launchChromium();
  page = await loggedInPage(browser, gw.base, 'admin', PASSWORD, 1440);
}, 60_000);

afterAll(async () => {
  // The browser first: it holds the SSE stream open.
  await browser?.close();
  await gw?.close();
  await sim?.close();
});

describe('page layout at phone, laptop and desktop widths', { timeout: 120_000 }, () => {
  for (const width of WIDTHS) {
    it(`fits every page in ${width} px with its main content in view`, async () => {
      await page.setViewportSize({ width, height: width < 600 ? 844 : 900 });
      const problems: string[] = [];
      for (const check of PAGES) {
        await page.goto(`${gw.base}${check.path}`);
        await check.ready(page).first().waitFor();
        await screenshot(page, `layout-${width}-${check.name}`);
        const { scrollWidth, innerWidth } = await overflow();
        if (scrollWidth > innerWidth) problems.push(`${check.name}: page is ${scrollWidth} px wide in ${innerWidth}`);
        for (const [i, target] of check.mustSee(page, width).entries()) {
          try {
            await expectInView(target, `${check.name} #${i}`, width);
          } catch (err) {
            problems.push((err as Error).message.split('\n')[0] ?? String(err));
          }
        }
      }
      expect(problems).toEqual([]);
    });
  }

  it('keeps the top bar short on a phone', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${gw.base}/values`);
    await liveRow(page).waitFor();
    const bar = await page.locator('header.topbar').boundingBox();
    // A quarter of the screen before; a phone needs the room for the values.
    await eventually(async () => expect(bar?.height ?? 999).toBeLessThanOrEqual(844 * 0.12));
  });

  it("folds a tag row's Edit, Copy and Delete into a menu on a phone", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${gw.base}/devices/plc/tags`);
    const row = tagRow(page, 'speed');
    const edit = row.getByRole('button', { name: 'Edit', exact: true });
    await row.getByRole('button', { name: 'More actions for speed' }).waitFor();
    expect(await edit.isVisible()).toBe(false);
    await row.getByRole('button', { name: 'More actions for speed' }).click();
    for (const name of ['Edit', 'Copy', 'Delete speed']) {
      await expectInView(row.getByRole('button', { name, exact: true }), `menu item ${name}`, 390);
    }
    await screenshot(page, 'layout-390-tags-menu');
    await page.keyboard.press('Escape');
    await edit.waitFor({ state: 'hidden' });
    // The item runs as on a wide screen: Edit opens the tag's editor.
    await row.getByRole('button', { name: 'More actions for speed' }).click();
    await edit.click();
    await page.getByRole('form', { name: 'Tag speed' }).waitFor();
    const { scrollWidth, innerWidth } = await overflow();
    expect(scrollWidth, 'the tag editor fits the phone').toBeLessThanOrEqual(innerWidth);
    await screenshot(page, 'layout-390-tag-editor');
  });
});
