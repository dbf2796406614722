/**
 * What the end-to-end tests of the web UI share: the UI build, Debian's Chromium driven by
 * playwright-core (no browser is downloaded), screenshots and polling.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { expect, vi } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const UI = join(ROOT, 'web', 'ui');
const CHROMIUM = process.env.TAGWIRE_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENS = process.env.TAGWIRE_SCREENSHOTS ?? join(tmpdir(), 'tagwire-e2e-screens');

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((f) => newestMtime(join(path, f))));
}

/** Builds the UI unless web/ui/dist is newer than every source (npm install already built it). */
export function buildUiIfStale(): void {
  const built = join(UI, 'dist', 'index.html');
  const sources = Math.max(
    newestMtime(join(UI, 'src')),
    newestMtime(join(UI, 'index.html')),
    newestMtime(join(UI, 'vite.config.ts')),
    // The UI takes the status payload's type from the server.
    newestMtime(join(ROOT, 'core', 'status-payload.ts')),
  );
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return;
  execFileSync(
    process.execPath,
    [
      join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'),
      'build',
      '--config',
      join(UI, 'vite.config.ts'),
      '--logLevel',
      'warn',
    ],
    { cwd: ROOT, stdio: 'inherit' },
  );
}

/** Debian's Chromium, headless; fails with what to install when it is missing. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `no Chromium at ${CHROMIUM}: install it (Debian: apt-get install chromium) or set TAGWIRE_CHROMIUM`,
    );
  }
  mkdirSync(SCREENS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--headless',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** A full-page screenshot in SCREENS (checked not to be blank). */
export async function screenshot(page: Page, name: string): Promise<string> {
  const path = join(SCREENS, `${name}.png`);
  // A full-page shot of a scrolled page draws the sticky top bar mid-page.
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path, fullPage: true });
  expect(statSync(path).size).toBeGreaterThan(5000);
  return path;
}

export const text = async (l: Locator) => ((await l.textContent()) ?? '').trim();

/** Retries `check` until it passes (expect-style polling; no fixed sleeps). */
export const eventually = <T>(check: () => Promise<T>, timeout = 10_000) =>
  vi.waitFor(check, { timeout, interval: 100 });

/** A page of the UI at `base` (900 px high), logged in as `user` and showing the overview. */
export async function loggedInPage(
  browser: Browser,
  base: string,
  user: string,
  password: string,
  width = 1280,
): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  page.setDefaultTimeout(15_000);
  await page.goto(base);
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  return page;
}
