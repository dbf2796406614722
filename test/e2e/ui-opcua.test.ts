/**
 * The web UI's OPC UA and account pages in a real Chromium against the real gateway and the
 * simulated OPC UA server: an untrusted server certificate is trusted from the UI, the address
 * space is browsed and a variable becomes a tag, addresses are test-read, API tokens and users
 * are managed, and a viewer is offered no controls it may not use.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinRegistry } from '../../app/builtin-plugins.js';
import { validateConfig } from '../../core/config/validate.js';
import { silentLogger } from '../../core/log.js';
import { Runtime } from '../../core/runtime.js';
import { saveConfig } from '../../core/store/config-store.js';
import { type Db, openDb } from '../../core/store/db.js';
import { setPassword } from '../../core/store/users.js';
import { OpcuaSimulator } from '../../simulators/opcua-server.js';
import { build } from '../../web/server/app.js';
import { freePort } from '../helpers/mosquitto.js';
import { secureOven } from '../helpers/test-gateway.js';
import { eventually, launchChromium, screenshot, text } from './browser.js';

const PASSWORD = 'e2e opcua correct horse';
const VIEWER_PASSWORD = 'viewer sees only';
/** Certificate creation (client and server) and loading node-opcua take seconds. */
const SLOW = 60_000;

let dir: string;
let db: Db;
let runtime: Runtime;
let app: FastifyInstance;
let sim: OpcuaSimulator;
let browser: Browser;
let page: Page;
let viewerContext: BrowserContext | undefined;
let base: string;

async function login(p: Page, username: string, password: string): Promise<void> {
  await p.goto(base);
  await p.getByLabel('User name').fill(username);
  await p.getByLabel('Password').fill(password);
  await p.getByRole('button', { name: 'Log in' }).click();
  await p.getByRole('heading', { name: 'Overview' }).waitFor();
}

const nav = (p: Page, name: string) => p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tagwire-e2e-opcua-'));
  db = openDb(dir);
  await setPassword(db, 'admin', PASSWORD, 'admin');
  sim = new OpcuaSimulator({ port: await freePort(), pkiDir: join(dir, 'sim-pki') });
  const { endpointUrl } = await sim.start();

  // No trustServerCertificate: the gateway refuses the unknown server certificate.
  const initial = validateConfig(
    {
      gateway: { id: 'gw-e2e-opcua', uns: 'acme/plant2' },
      devices: [secureOven(endpointUrl)],
      north: [],
    },
    builtinRegistry(),
  );
  if (!initial.ok) throw new Error(initial.errors.join('\n'));
  saveConfig(db, initial.config);
  runtime = new Runtime({
    db,
    dataDir: dir,
    registry: builtinRegistry(),
    log: silentLogger(),
    version: '0.0.0-e2e',
  });
  await runtime.start(initial.config);
  app = await build({ runtime, db, log: silentLogger(), version: '0.0.0-e2e' });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no listening address');
  base = `http://127.0.0.1:${address.port}`;

  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  page.setDefaultTimeout(20_000);
}, 120_000);

afterAll(async () => {
  await viewerContext?.close();
  await browser?.close();
  await app?.close();
  await runtime?.stop();
  await sim?.stop();
  db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 30_000);

describe('web UI with an OPC UA server, in Chromium', { timeout: 90_000 }, () => {
  it('shows the untrusted server certificate on the overview, with a link to the Certificates page', async () => {
    await login(page, 'admin', PASSWORD);
    expect(await text(page.getByTestId('user-name'))).toBe('admin');
    expect(await text(page.getByTestId('user-role'))).toBe('admin');
    const row = page.locator('[data-testid=overview-devices] tr[data-device="oven"]');
    await row.getByText('opcua-BadCertificateUntrusted').waitFor({ timeout: SLOW });
    await row.locator('[data-state="disconnected"]').waitFor();
    await row.getByTestId('certificate-hint').waitFor();
    await screenshot(page, 'opcua-01-overview-untrusted');
  });

  it('trusts the server certificate, and the device that waited for it connects at once', async () => {
    await page
      .locator('[data-testid=overview-devices] tr[data-device="oven"]')
      .getByRole('link', { name: /Certificates page/ })
      .click();
    await page.getByRole('heading', { name: 'Certificates' }).waitFor();
    const cert = page.locator(`[data-testid=certificates-table] tr[data-thumbprint="${sim.certificateThumbprint}"]`);
    await cert.locator('[data-status="rejected"]').waitFor();
    expect(await text(cert)).toContain('urn:tagwire:simulator');
    const waiting = page.getByTestId('waiting-devices');
    await waiting.getByRole('link', { name: 'oven' }).waitFor();
    await screenshot(page, 'opcua-02-certificates-rejected');

    await cert.getByRole('button', { name: 'Trust' }).click();
    await cert.locator('[data-status="trusted"]').waitFor();
    await cert.getByRole('button', { name: 'Trust' }).waitFor({ state: 'detached' });
    await page.getByRole('status').getByText('Certificate trusted; oven tries to connect again now.').waitFor();
    await screenshot(page, 'opcua-03-certificates-trusted');

    await nav(page, 'Devices').click();
    const device = page.locator('[data-testid=devices-table] tr[data-device="oven"]');
    await device.locator('[data-state="connected"]').waitFor({ timeout: SLOW });
    expect(await device.getByTestId('certificate-hint').count()).toBe(0);
    await screenshot(page, 'opcua-03b-devices-connected');

    await nav(page, 'Overview').click();
    const row = page.locator('[data-testid=overview-devices] tr[data-device="oven"]');
    await row.locator('[data-state="connected"]').waitFor();
    expect(await row.getByTestId('certificate-hint').count()).toBe(0);
  });

  it('browses Objects → Demo → Static and adds Int32 as a tag, whose live value appears', async () => {
    await page.locator('[data-testid=overview-devices]').getByRole('link', { name: 'oven' }).click();
    await page.getByRole('heading', { name: 'oven', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Browse server' }).click();
    const panel = page.getByTestId('browse-panel');
    await panel.getByRole('button', { name: 'Demo', exact: true }).click();
    await panel.getByRole('button', { name: 'Static', exact: true }).click();
    const int32 = panel.locator('li[data-node="ns=1;s=Demo.Static.Int32"] > .tree-row');
    expect(await text(int32)).toContain('readwrite');
    await int32.getByRole('button', { name: 'Int32', exact: true }).click();

    const detail = panel.getByTestId('browse-detail');
    await detail.getByText('ns=1;s=Demo.Static.Int32').waitFor();
    expect(await detail.getByLabel('Tag name').inputValue()).toBe('Demo/Static/Int32');
    expect(await detail.getByLabel('Group').inputValue()).toBe('main');
    expect(await detail.getByLabel('Access').inputValue()).toBe('readwrite');
    await screenshot(page, 'opcua-04-browse');

    await detail.getByRole('button', { name: 'Add tag' }).click();
    const tagRow = page.locator('tr[data-tag="Demo/Static/Int32"]');
    await eventually(async () => expect(await text(tagRow.getByTestId('value'))).toBe('-123456789'), SLOW);
    await tagRow.locator('[data-quality="good"]').waitFor();
    expect(await text(tagRow)).toContain('ns=1;s=Demo.Static.Int32');
    // Readwrite: an admin may write it.
    await tagRow.getByRole('button', { name: 'Write' }).waitFor();
    // The browsed node now shows it is a tag.
    await int32.getByText('tag Demo/Static/Int32').waitFor();
    const saved = runtime.config.devices[0]?.groups[0]?.tags.find((t) => t.name === 'Demo/Static/Int32');
    expect(saved).toMatchObject({ address: 'ns=1;s=Demo.Static.Int32', access: 'readwrite' });
    await screenshot(page, 'opcua-05-tag-added');
    await page.setViewportSize({ width: 820, height: 1180 });
    await screenshot(page, 'opcua-05b-browse-tablet');
    await page.setViewportSize({ width: 1366, height: 900 });
  });

  it('test-reads ns=1;s=Demo.Setpoint and shows value, quality and data type', async () => {
    await page.locator('.page-actions').getByRole('button', { name: 'Test read' }).click();
    const dialog = page.getByRole('dialog', { name: 'Test read on oven' });
    await dialog.getByLabel('Address').fill('ns=1;s=Demo.Setpoint');
    await dialog.getByRole('button', { name: 'Read', exact: true }).click();
    await eventually(async () => expect(await text(dialog.getByTestId('read-value'))).toBe('22.5'));
    expect(await text(dialog.getByTestId('read-type'))).toBe('Double');
    await dialog.locator('[data-quality="good"]').waitFor();
    await screenshot(page, 'opcua-06-test-read');

    // An unknown node: the quality says so.
    await dialog.getByLabel('Address').fill('ns=1;s=Demo.Nope');
    await dialog.getByRole('button', { name: 'Read', exact: true }).click();
    await dialog.locator('[data-quality="bad"]').waitFor();
    expect(await text(dialog.getByTestId('read-result'))).toContain('BadNodeIdUnknown');
    await dialog.getByRole('button', { name: 'Close', exact: true }).first().click();
    await dialog.waitFor({ state: 'hidden' });
  });

  it('exports the tags as CSV and refuses a CSV with a bad line, naming it', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Export CSV' }).click(),
    ]);
    const file = readFileSync((await download.path()) as string, 'utf8');
    // A byte order mark first, so that Excel reads the file as UTF-8.
    expect(file.startsWith('\uFEFF')).toBe(true);
    const csv = file.slice(1);
    expect(csv.split(/\r?\n/)[0]).toMatch(/^group,name,address/);
    expect(csv).toContain('main,Demo/Static/Int32,ns=1;s=Demo.Static.Int32');

    await page.getByRole('button', { name: 'Import CSV…' }).click();
    const importer = page.getByRole('dialog', { name: 'Import tags of oven' });
    // One more row, with every column, whose name is not allowed.
    const header = (csv.split(/\r?\n/)[0] ?? '').split(',');
    const fields: Record<string, string> = { group: 'main', name: 'bad name!', address: 'ns=1;s=Demo.Setpoint' };
    const bad = `${csv.trimEnd()}\n${header.map((c) => fields[c] ?? '').join(',')}\n`;
    await importer
      .getByLabel('CSV file')
      .setInputFiles({ name: 'oven-tags.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    // Checked as soon as it is chosen.
    const details = importer.getByTestId('error-box').locator('.error-details');
    await details.waitFor();
    expect(await text(details)).toMatch(/line 4: name/);
    await screenshot(page, 'opcua-07-csv-refused');
    await importer.getByRole('button', { name: 'Cancel' }).click();
    expect(runtime.config.devices[0]?.groups[0]?.tags.map((t) => t.name)).toEqual(['counter', 'Demo/Static/Int32']);
  });

  it('creates an API token that is shown once and works, then revokes it', async () => {
    await page.getByTestId('user-name').click();
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    expect(await text(page.getByTestId('account-summary'))).toContain('admin');
    const tokens = page.getByTestId('api-tokens');
    await tokens.getByLabel('Name').fill('e2e-script');
    await tokens.getByRole('button', { name: 'Create token' }).click();
    const once = tokens.getByTestId('new-token');
    await once.waitFor();
    const secret = await once.getByLabel('New token').inputValue();
    expect(secret).toMatch(/^tw_/);
    expect(await text(once)).toContain('shown only this once');
    await tokens.locator('tr[data-token="e2e-script"]').waitFor();
    await screenshot(page, 'opcua-08-token-created');

    const me = await fetch(`${base}/api/v1/auth/me`, { headers: { authorization: `Bearer ${secret}` } });
    expect(await me.json()).toEqual({ username: 'admin', role: 'admin' });

    // Shown once: after leaving the page it is gone, only its name is listed.
    await nav(page, 'Devices').click();
    await page.getByTestId('user-name').click();
    await tokens.locator('tr[data-token="e2e-script"]').waitFor();
    expect(await tokens.getByTestId('new-token').count()).toBe(0);
    expect(await text(tokens)).not.toContain(secret);

    await tokens.locator('tr[data-token="e2e-script"]').getByRole('button', { name: 'Revoke' }).click();
    await page
      .getByRole('dialog', { name: 'Revoke e2e-script?' })
      .getByRole('button', { name: 'Revoke token' })
      .click();
    await tokens.locator('tr[data-token="e2e-script"]').waitFor({ state: 'detached' });
    const refused = await fetch(`${base}/api/v1/auth/me`, { headers: { authorization: `Bearer ${secret}` } });
    expect(refused.status).toBe(401);
  });

  it('creates a viewer user as admin', async () => {
    await nav(page, 'Users').click();
    await page.getByRole('heading', { name: 'Users' }).waitFor();
    const form = page.getByRole('form', { name: 'Add user' });
    await form.getByLabel('User name').fill('watcher');
    await form.getByLabel('Password').fill(VIEWER_PASSWORD);
    await form.getByLabel('Role').selectOption('viewer');
    await form.getByRole('button', { name: 'Add user' }).click();
    const row = page.locator('[data-testid=users-table] tr[data-user="watcher"]');
    await row.waitFor();
    expect(await text(row)).toContain('viewer');
    // An admin cannot delete themselves: no button is offered.
    expect(await page.locator('tr[data-user="admin"]').getByRole('button').count()).toBe(0);
    await screenshot(page, 'opcua-09-users');
  });

  it('offers a viewer no write or edit controls, but lets them browse, read and change their password', async () => {
    viewerContext = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const v = await viewerContext.newPage();
    v.setDefaultTimeout(20_000);
    await login(v, 'watcher', VIEWER_PASSWORD);
    expect(await text(v.getByTestId('user-name'))).toBe('watcher');
    expect(await text(v.getByTestId('user-role'))).toBe('viewer');
    expect(await nav(v, 'Users').count()).toBe(0);
    expect(await nav(v, 'Certificates').count()).toBe(0);

    await nav(v, 'Devices').click();
    const row = v.locator('[data-testid=devices-table] tr[data-device="oven"]');
    await row.locator('[data-state="connected"]').waitFor();
    expect(await v.getByRole('link', { name: '+ Add device' }).count()).toBe(0);
    expect(await row.getByRole('button').count()).toBe(0);
    expect(await row.getByRole('link', { name: 'Edit' }).count()).toBe(0);
    expect(await row.getByLabel('Enabled: oven').isDisabled()).toBe(true);

    await row.getByRole('link', { name: 'Tags' }).click();
    const tagRow = v.locator('tr[data-tag="Demo/Static/Int32"]');
    await eventually(async () => expect(await text(tagRow.getByTestId('value'))).toBe('-123456789'), SLOW);
    for (const name of ['Write', 'Edit', 'Delete', 'Copy', 'Restart oven', '+ Add group', '+ Add tag', 'Import CSV…']) {
      expect(await v.getByRole('button', { name, exact: true }).count(), name).toBe(0);
    }
    expect(await v.getByRole('link', { name: 'Edit device' }).count()).toBe(0);
    await v.getByRole('link', { name: 'Export CSV' }).waitFor();
    // Looking is allowed: browse and test read, but adding a tag is not offered.
    await v.getByRole('button', { name: 'Browse server' }).click();
    const panel = v.getByTestId('browse-panel');
    await panel.getByRole('button', { name: 'Demo', exact: true }).click();
    await panel.getByRole('button', { name: 'Setpoint', exact: true }).click();
    await panel.getByText('Only an admin can add tags.').waitFor();
    expect(await panel.getByRole('button', { name: 'Add tag' }).count()).toBe(0);
    await panel.getByTestId('browse-detail').getByRole('button', { name: 'Test read' }).click();
    const dialog = v.getByRole('dialog', { name: 'Test read on oven' });
    await eventually(async () => expect(await text(dialog.getByTestId('read-value'))).toBe('22.5'));
    await dialog.getByRole('button', { name: 'Close', exact: true }).first().click();
    await screenshot(v, 'opcua-10-viewer-tags');

    // The certificates can be looked at, not changed.
    await v.goto(`${base}/certificates`);
    await v.locator(`tr[data-thumbprint="${sim.certificateThumbprint}"] [data-status="trusted"]`).waitFor();
    expect(await v.getByTestId('certificates-table').getByRole('button').count()).toBe(0);
    await v.getByTestId('read-only').waitFor();

    await v.getByTestId('user-name').click();
    const form = v.getByRole('form', { name: 'Change password' });
    await form.getByLabel('Current password').fill('not my password');
    await form.getByLabel('New password', { exact: true }).fill('a brand new one');
    await form.getByLabel('New password again').fill('a brand new one');
    await form.getByRole('button', { name: 'Change password' }).click();
    await form.getByTestId('error-box').getByText('The current password is wrong').waitFor();
    await form.getByLabel('Current password').fill(VIEWER_PASSWORD);
    await form.getByRole('button', { name: 'Change password' }).click();
    await v.getByRole('status').getByText('Password changed').waitFor();
    await screenshot(v, 'opcua-11-viewer-account');
    const relogin = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'watcher', password: 'a brand new one' }),
    });
    expect(relogin.status).toBe(200);
  });
});
