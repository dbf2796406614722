/**
 * The web UI in a real Chromium (Debian's `chromium`, driven by playwright-core; no browser is
 * downloaded) against the real gateway: HTTP app, runtime, and a simulated Modbus PLC.
 * Screenshots go to $TAGWIRE_SCREENSHOTS or <tmp>/tagwire-e2e-screens.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinRegistry } from '../../app/builtin-plugins.js';
import { validateConfig } from '../../core/config/validate.js';
import { REDACT_PATHS } from '../../core/log.js';
import { managedLogger } from '../../core/log-levels.js';
import { logTap } from '../../core/log-tap.js';
import { Runtime } from '../../core/runtime.js';
import { recordConfig } from '../../core/store/config-history.js';
import { saveConfig } from '../../core/store/config-store.js';
import { type Db, openDb } from '../../core/store/db.js';
import { setPassword } from '../../core/store/users.js';
import { runModbusSimulator } from '../../simulators/run-modbus.js';
import { build } from '../../web/server/app.js';
import { eventually, launchChromium, screenshot as shoot, text } from './browser.js';

const PASSWORD = 'e2e horse battery staple';

let dir: string;
let db: Db;
let runtime: Runtime;
let app: FastifyInstance;
let sim: { port: number; close(): Promise<void> };
let browser: Browser;
let page: Page;
let base: string;

const screenshot = (name: string) => shoot(page, name);

/** Info and up into the log tap only (the UI's live log over SSE), nothing on stdout. */
const tapLogger = () =>
  managedLogger((onChild) =>
    pino({ level: 'info', redact: { paths: REDACT_PATHS, censor: '[redacted]' }, onChild }, logTap),
  );

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tagwire-e2e-'));
  db = openDb(dir);
  await setPassword(db, 'admin', PASSWORD, 'admin');
  sim = await runModbusSimulator({ host: '127.0.0.1', port: 0 });
  const initial = validateConfig(
    {
      gateway: { id: 'gw-e2e', uns: 'acme/plant1' },
      devices: [
        {
          name: 'plc',
          driver: 'modbus-tcp',
          uns: 'line1/plc',
          settings: { host: '127.0.0.1', port: sim.port },
          groups: [
            {
              name: 'fast',
              intervalMs: 200,
              tags: [
                { name: 'temperature', address: 'ir:0', type: 'float32', unit: '°C', deadband: 0.001 },
                { name: 'counter', address: 'ir:4', type: 'uint16' },
                { name: 'motor/speed', address: 'hr:2', type: 'uint16', access: 'readwrite', unit: 'rpm' },
                { name: 'motor/setpoint', address: 'hr:0', type: 'float32', access: 'readwrite', unit: '°C' },
                { name: 'motor/running', address: 'hr:20.0' },
              ],
            },
          ],
        },
      ],
      // A broker nobody listens on: the overview shows a north app that cannot connect.
      north: [{ name: 'plant-broker', plugin: 'mqtt', settings: { url: 'mqtt://127.0.0.1:9' } }],
    },
    builtinRegistry(),
  );
  if (!initial.ok) throw new Error(initial.errors.join('\n'));
  saveConfig(db, initial.config);
  // As `tagwire start` does on a first start: the history begins with the first configuration.
  recordConfig(db, initial.config, 'first start');
  const log = tapLogger();
  runtime = new Runtime({
    db,
    dataDir: dir,
    registry: builtinRegistry(),
    log,
    version: '0.0.0-e2e',
  });
  await runtime.start(initial.config);
  app = await build({ runtime, db, log, version: '0.0.0-e2e' });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no listening address');
  base = `http://127.0.0.1:${address.port}`;

  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  page.setDefaultTimeout(15_000);
}, 60_000);

afterAll(async () => {
  // The browser first: it holds the SSE stream open.
  await browser?.close();
  await app?.close();
  await runtime?.stop();
  await sim?.close();
  db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('web UI in Chromium', { timeout: 60_000 }, () => {
  it('refuses a wrong password, then logs in and shows the overview with the device connected', async () => {
    await page.goto(base);
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').getByText('wrong user name or password').waitFor();
    await page.getByText('First start? Where is the password?').click();
    await page.getByText('initial-admin-password').waitFor();
    await screenshot('01-login');

    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    const row = page.locator('[data-testid=overview-devices] tr[data-device="plc"]');
    await row.locator('[data-state="connected"]').waitFor();
    await page
      .locator(
        '[data-testid=overview-north] [data-state="disconnected"], [data-testid=overview-north] [data-state="connecting"]',
      )
      .first()
      .waitFor();
    expect(await text(page.getByTestId('uptime'))).toMatch(/\d+ s|min/);
    // The unreachable broker's messages wait on disk, and the overview counts them.
    await eventually(async () =>
      expect(Number((await text(page.getByTestId('north-buffered'))).replace(/,/g, ''))).toBeGreaterThan(0),
    );
    // Reads are counted and the Modbus link's utilisation is shown.
    await eventually(async () =>
      expect(Number((await text(row.locator('td.num').first())).replace(/,/g, ''))).toBeGreaterThan(2),
    );
    expect(await text(row)).toContain('%');
    await page.locator('.live-dot.is-live').waitFor();
    await screenshot('02-overview');
  });

  it('shows the tags of the device with live values changing', async () => {
    await page.locator('[data-testid=overview-devices]').getByRole('link', { name: 'plc' }).click();
    await page.getByRole('heading', { name: 'plc' }).waitFor();
    const counter = page.locator('tr[data-tag="counter"] [data-testid=value]');
    const first = await eventually(async () => {
      const t = await text(counter);
      expect(t).toMatch(/^\d+$/);
      return t;
    });
    // The simulator's counter goes up once a second; the table follows over SSE.
    await eventually(async () => expect(await text(counter)).not.toBe(first));
    await page.locator('tr[data-tag="temperature"] [data-quality="good"]').waitFor();
    expect(await text(page.locator('tr[data-tag="temperature"] [data-testid=value]'))).toMatch(/^2\d(\.\d+)?$/);
    expect(await text(page.locator('tr[data-tag="motor/running"] [data-testid=value]'))).toBe('true');
    await screenshot('03-tags');
  });

  it('writes a value through the write dialog, showing a refusal first, and sees it in the table', async () => {
    const speedRow = page.locator('tr[data-tag="motor/speed"]');
    await eventually(async () => expect(await text(speedRow.getByTestId('value'))).toBe('1500'));
    await speedRow.getByRole('button', { name: 'Write' }).click();
    const dialog = page.getByRole('dialog', { name: 'Write motor/speed' });
    await dialog.waitFor();
    await dialog.getByLabel(/New value/).fill('99999');
    await dialog.getByRole('button', { name: 'Write', exact: true }).click();
    await dialog.getByRole('button', { name: 'Confirm write' }).click();
    await dialog.getByRole('alert').getByText('out-of-range').waitFor();
    expect(await text(dialog.getByRole('alert'))).toContain('does not fit uint16');
    await screenshot('04-write-refused');

    await dialog.getByLabel(/New value/).fill('1234');
    await dialog.getByRole('button', { name: 'Write', exact: true }).click();
    await dialog.getByRole('button', { name: 'Confirm write' }).click();
    await dialog.getByRole('status').getByText('Written at').waitFor();
    await eventually(async () => expect(await text(dialog.getByTestId('write-current'))).toContain('1234'));
    await dialog.getByRole('button', { name: 'Close', exact: true }).first().click();
    await dialog.waitFor({ state: 'hidden' });
    await eventually(async () => expect(await text(speedRow.getByTestId('value'))).toBe('1234'));
  });

  it('test-reads a Modbus address, refuses a bad tags CSV by line, and restarts the device', async () => {
    await page.getByRole('button', { name: 'Test read motor/setpoint' }).click();
    const dialog = page.getByRole('dialog', { name: 'Test read on plc' });
    await eventually(async () => expect(await text(dialog.getByTestId('read-value'))).toBe('22.5'));
    expect(await text(dialog.getByTestId('read-type'))).toBe('float32');
    // Another address, typed in: the type decides how the registers are decoded.
    await dialog.getByLabel('Address').fill('hr:2');
    await dialog.getByLabel('Type').selectOption('uint16');
    await dialog.getByRole('button', { name: 'Read', exact: true }).click();
    await eventually(async () => expect(await text(dialog.getByTestId('read-value'))).toBe('1234'));
    await screenshot('04b-test-read-modbus');
    await dialog.getByRole('button', { name: 'Close', exact: true }).first().click();

    await page.getByRole('button', { name: 'Import CSV…' }).click();
    const importer = page.getByRole('dialog', { name: 'Import tags of plc' });
    const csv = 'group,name,address,type\nfast,ok,hr:0,float32\nfast,broken,hr:99999,uint16\n';
    await importer
      .getByLabel('CSV file')
      .setInputFiles({ name: 'tags.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    // The file is checked as soon as it is chosen; a refused one cannot be imported.
    const details = importer.getByTestId('error-box').locator('.error-details');
    await details.waitFor();
    expect(await text(details)).toMatch(/line 3: address/);
    expect(await importer.getByRole('button', { name: 'Import', exact: true }).isDisabled()).toBe(true);
    await screenshot('04c-csv-refused');
    expect(runtime.config.devices[0]?.groups[0]?.tags.map((t) => t.name)).toContain('motor/speed');

    // The export with a changed unit and a short new row (cells left out at the end are empty):
    // the preview says what changes before the import does.
    const exported = await (await page.request.get(`${base}/api/v1/devices/plc/tags.csv`)).text();
    const edited = `${exported.replace(',rpm,', ',1/min,')}fast,counter-copy,ir:4,uint16\n`;
    await importer
      .getByLabel('CSV file')
      .setInputFiles({ name: 'tags.csv', mimeType: 'text/csv', buffer: Buffer.from(edited) });
    const preview = importer.getByTestId('csv-preview');
    await preview.waitFor();
    expect(await text(preview)).toContain('6 tags in the file: 1 added, 1 changed, 0 removed, 4 unchanged.');
    expect(await text(preview)).toContain('unit: rpm → 1/min');
    await screenshot('04c2-csv-preview');
    await importer.getByRole('button', { name: 'Import', exact: true }).click();
    await importer.waitFor({ state: 'hidden' });
    const copy = page.locator('tr[data-tag="counter-copy"]');
    await eventually(async () => expect(await text(copy.getByTestId('value'))).toMatch(/^\d+$/));
    expect(runtime.config.devices[0]?.groups[0]?.tags.find((t) => t.name === 'motor/speed')?.unit).toBe('1/min');

    await page.getByRole('button', { name: 'Restart plc' }).click();
    await page.getByRole('status').getByText('plc restarted').waitFor();
    await page.locator('.page-head [data-state="connected"]').waitFor();
  });

  it('uses the decode lab: every type and byte order of the raw registers, one click applies one to the tag', async () => {
    const setpoint = () => runtime.config.devices[0]?.groups[0]?.tags.find((t) => t.name === 'motor/setpoint');
    await page.getByRole('button', { name: 'Decode motor/setpoint' }).click();
    const lab = page.getByRole('dialog', { name: 'Decode lab · plc' });
    const cell = (id: string) => lab.locator(`[data-decode="${id}"]`);
    await cell('float32-ABCD').waitFor();
    // The simulator holds 22.5 as a big-endian float32 at hr:0; the tag's current choice is marked.
    expect(await text(cell('float32-ABCD'))).toBe('22.5');
    expect(await cell('float32-ABCD').getAttribute('class')).toContain('current');
    expect(await text(lab.getByTestId('decode-registers'))).toContain('0x41B4');
    const swapped = await text(cell('float32-CDAB'));
    expect(swapped).not.toBe('22.5');
    await cell('float32-CDAB').click();
    await screenshot('04d-decode-lab');
    expect(await text(lab.getByTestId('decode-apply'))).toBe('Use for motor/setpoint: float32 · CDAB');
    await lab.getByTestId('decode-apply').click();
    await lab.waitFor({ state: 'hidden' });
    await eventually(async () => expect(setpoint()?.byteOrder).toBe('CDAB'));
    const row = page.locator('tr[data-tag="motor/setpoint"]');
    await eventually(async () => expect(await text(row.getByTestId('value'))).toBe(swapped));

    // From the page: any address, and the choice starts a new tag with it.
    await page.locator('.page-actions').getByRole('button', { name: 'Decode lab' }).click();
    // At the end of the device's register map (hr:0..20) a 64-bit value cannot be read: the row says why.
    await lab.getByLabel('First register').fill('hr:19');
    await lab.getByRole('button', { name: 'Read', exact: true }).click();
    expect(await text(lab.getByTestId('decode-short-float64'))).toBe(
      'needs 4 registers; the device gave 2 here (its register map ends)',
    );
    await lab.getByLabel('First register').fill('hr:2');
    await lab.getByRole('button', { name: 'Read again', exact: true }).click();
    // The hr:19 read's cells stay until the new answer arrives: wait for hr:2's value.
    await eventually(async () => expect(await text(cell('uint16-ABCD'))).toBe('1234'));
    await cell('uint16-ABCD').click();
    await lab.getByTestId('decode-apply').click();
    const editor = page.getByRole('form', { name: 'New tag' });
    expect(await editor.getByLabel('Address', { exact: true }).inputValue()).toBe('hr:2');
    const type = editor.getByLabel('Type', { exact: true });
    expect(await text(type.locator('option:checked'))).toBe('uint16');
    await editor.getByRole('button', { name: 'Cancel' }).click();
  });

  it('shows what a change changed in the configuration history, and rolls it back', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Settings', exact: true }).waitFor();
    const history = page.getByTestId('config-history');
    const rows = history.locator('tbody tr[data-history]');
    // First start, the CSV import, the decode lab's change.
    await eventually(async () => expect(await rows.count()).toBe(3));
    expect(await text(rows.first())).toContain('current');
    expect(await text(rows.first())).toContain('admin');
    await rows.first().getByRole('button', { name: 'Changes' }).click();
    const diff = history.getByTestId('config-diff');
    await diff.waitFor();
    expect(await text(diff.locator('.diff-add'))).toContain('byteOrder: CDAB');
    await screenshot('14-config-history');

    await rows.nth(1).getByRole('button', { name: 'Roll back to this' }).click();
    const confirm = page.getByRole('dialog', { name: /^Roll back to #\d+\?$/ });
    await confirm.getByRole('button', { name: 'Roll back' }).click();
    await page
      .getByRole('status')
      .getByText(/Rolled back to the configuration of .*; restarted devices plc\./)
      .waitFor();
    const setpoint = runtime.config.devices[0]?.groups[0]?.tags.find((t) => t.name === 'motor/setpoint');
    expect(setpoint?.byteOrder).toBeUndefined();
    await eventually(async () => expect(await rows.count()).toBe(4));
    expect(await text(rows.first())).toMatch(/rollback to #\d+/);
  });

  it('downloads the configuration as YAML and refuses an invalid upload whole, listing the problems', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download configuration (YAML)' }).click(),
    ]);
    const yaml = readFileSync((await download.path()) as string, 'utf8');
    expect(yaml).toContain('name: motor/setpoint');
    const before = JSON.stringify(runtime.config);
    const card = page.getByRole('form', { name: 'Configuration file' });
    await card.getByLabel('Upload a configuration file').setInputFiles({
      name: 'broken.yaml',
      mimeType: 'application/yaml',
      buffer: Buffer.from(
        yaml.replace('intervalMs: 200', 'intervalMs: 0').replace('address: hr:2', 'address: hr:70000'),
      ),
    });
    await card.getByRole('button', { name: 'Check and apply' }).click();
    const details = card.getByTestId('error-box').locator('.error-details');
    await details.waitFor();
    expect(await text(details)).toContain('intervalMs');
    expect(await text(details)).toContain('register number must be 0..65535');
    expect(JSON.stringify(runtime.config)).toBe(before);
    await screenshot('15-settings-upload-refused');
    // Back where the next steps start: the device's tags.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).click();
    await page.getByRole('link', { name: 'plc', exact: true }).click();
    await page.getByRole('heading', { name: 'plc' }).waitFor();
  });

  it('adds a tag inline, showing the validation message next to the field first', async () => {
    const group = page.locator('[data-group="fast"]');
    await group.getByRole('button', { name: '+ Add tag' }).click();
    const editor = page.getByRole('form', { name: 'New tag' });
    await editor.getByLabel('Name', { exact: true }).fill('scratch');
    await editor.getByLabel('Address', { exact: true }).fill('hr:70000');
    await editor.getByLabel('Access', { exact: true }).selectOption({ label: 'readwrite' });
    await editor.getByRole('button', { name: 'Add tag' }).click();
    await editor.locator('.field.has-error').getByText('register number must be 0..65535').waitFor();
    await screenshot('05-tag-invalid');

    await editor.getByLabel('Address', { exact: true }).fill('hr:100');
    await editor.getByRole('button', { name: 'Add tag' }).click();
    await editor.waitFor({ state: 'detached' });
    const row = page.locator('tr[data-tag="scratch"]');
    await eventually(async () => expect(await text(row.getByTestId('value'))).toBe('0'));
    expect(await text(row)).toContain('read/write');
  });

  it('edits a column of several tags at once, then deletes them together', async () => {
    const tagsOf = () => runtime.config.devices[0]?.groups[0]?.tags ?? [];
    const table = page.getByTestId('tags-fast');
    await table.getByLabel('Select scratch').check();
    await table.getByLabel('Select counter-copy').check();
    const bar = page.getByRole('form', { name: 'Edit selected tags of fast' });
    expect(await text(bar)).toContain('2 selected');
    await bar.getByLabel('Set').selectOption({ label: 'Unit' });
    await bar.getByLabel('to', { exact: true }).fill('pcs');
    await screenshot('05b-bulk-edit');
    await bar.getByRole('button', { name: 'Apply to 2' }).click();
    await page.getByRole('status').getByText('unit set to pcs on 2 tags').waitFor();
    await eventually(async () =>
      expect(
        tagsOf()
          .filter((t) => t.unit === 'pcs')
          .map((t) => t.name),
      ).toEqual(['counter-copy', 'scratch']),
    );
    await bar.waitFor({ state: 'detached' });

    // A value the schema refuses changes nothing and says why.
    await table.getByLabel('Select scratch').check();
    await bar.getByLabel('Set').selectOption({ label: 'Deadband' });
    await bar.getByLabel('to', { exact: true }).fill('-1');
    await bar.getByRole('button', { name: 'Apply to 1' }).click();
    await page.getByTestId('error-box').getByText('deadband').first().waitFor();
    expect(tagsOf().find((t) => t.name === 'scratch')?.deadband).toBe(0);

    await table.getByLabel('Select counter-copy').check();
    await bar.getByRole('button', { name: 'Delete 2' }).click();
    await page.getByRole('dialog', { name: 'Delete 2 tags?' }).getByRole('button', { name: 'Delete tags' }).click();
    await table.locator('tr[data-tag="scratch"]').waitFor({ state: 'detached' });
    expect(tagsOf().map((t) => t.name)).not.toContain('counter-copy');
  });

  it('adds a device: an invalid port is refused with the details, the fixed one appears in the list', async () => {
    // After a reload only the session cookie is left (the token was in memory): changes still go through.
    await page.reload();
    await page.getByRole('heading', { name: 'plc' }).waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).click();
    await page.getByRole('heading', { name: 'Devices' }).waitFor();
    await page.getByRole('link', { name: '+ Add device' }).click();
    await page.getByRole('heading', { name: 'Add device' }).waitFor();
    // The form comes from the driver's settings schema: help text and defaults are shown.
    await page.getByText('Modbus unit (slave) id').waitFor();
    expect(await page.getByLabel('Port', { exact: true }).inputValue()).toBe('502');
    await page.getByLabel('Name', { exact: true }).fill('plc2');
    await page.getByLabel('Host', { exact: true }).fill('127.0.0.1');
    await page.getByLabel('Port', { exact: true }).fill('70000');
    await page.getByLabel('Unit id', { exact: true }).fill('2');
    await page.getByRole('button', { name: 'Add device' }).click();

    const box = page.getByTestId('error-box');
    await box.waitFor();
    expect(await text(box)).toContain('invalid-config');
    expect(await text(box.locator('.error-details'))).toContain('devices[1].settings.port');
    expect(await text(box.locator('.error-details'))).toContain('must be <= 65535');
    await page
      .locator('.field.has-error')
      .filter({ has: page.getByLabel('Port', { exact: true }) })
      .waitFor();
    await screenshot('06-device-invalid');
    // Nothing was half-applied.
    expect(runtime.config.devices.map((d) => d.name)).toEqual(['plc']);

    await page.getByLabel('Port', { exact: true }).fill(String(sim.port));
    await page.getByRole('button', { name: 'Add device' }).click();
    // A new device opens on its Tags page; the list is one click away.
    await page.getByRole('heading', { name: 'plc2', exact: true }).waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).click();
    await page.getByRole('heading', { name: 'Devices' }).waitFor();
    const row = page.locator('[data-testid=devices-table] tr[data-device="plc2"]');
    await row.waitFor();
    await row.locator('[data-state="connected"]').waitFor();
    expect(await text(row)).toContain(`127.0.0.1:${sim.port}`);
    await screenshot('07-devices');
  });

  it('disables and deletes the new device', async () => {
    const row = page.locator('[data-testid=devices-table] tr[data-device="plc2"]');
    await row.getByLabel('Enabled: plc2').click({ force: true });
    await row.locator('[data-state="disabled"]').waitFor();
    await row.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog', { name: 'Delete plc2?' }).getByRole('button', { name: 'Delete device' }).click();
    await row.waitFor({ state: 'detached' });
    expect(runtime.config.devices.map((d) => d.name)).toEqual(['plc']);
  });

  it('edits a north app with the form generated from the MQTT plugin schema', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'North apps' }).click();
    await page.locator('[data-testid=north-table] tr[data-north="plant-broker"]').waitFor();
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.getByRole('heading', { name: 'Edit plant-broker' }).waitFor();
    expect(await page.getByLabel('Password', { exact: true }).getAttribute('type')).toBe('password');
    expect(await page.getByLabel('Retain', { exact: true }).isChecked()).toBe(true);
    await page.getByLabel('QoS', { exact: true }).selectOption({ label: '0' });
    await screenshot('08-north-form');
    await page.getByRole('button', { name: 'Save north app' }).click();
    await page.getByRole('heading', { name: 'North apps' }).waitFor();
    expect(runtime.config.north[0]?.settings.qos).toBe(0);
  });

  it('fits a tablet screen', async () => {
    await page.setViewportSize({ width: 820, height: 1180 });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).click();
    await page.getByRole('link', { name: 'plc', exact: true }).click();
    await page.locator('tr[data-tag="counter"] [data-quality="good"]').waitFor();
    await screenshot('09-tags-tablet');
    await page.setViewportSize({ width: 1366, height: 900 });
  });

  it('shows every live value with a trend, filtered by text', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Live values' }).click();
    await page.getByRole('heading', { name: 'Live values' }).waitFor();
    const table = page.getByTestId('live-values');
    const counter = table.locator('tr[data-tag="counter"] [data-testid=value]');
    const first = await eventually(async () => {
      const t = await text(counter);
      expect(t).toMatch(/^\d+$/);
      return t;
    });
    await eventually(async () => expect(await text(counter)).not.toBe(first));
    // Two values seen: the counter's sparkline is drawn.
    await table.locator('tr[data-tag="counter"] svg.sparkline polyline').waitFor();
    expect(
      await table.locator('tr[data-tag="motor/speed"]').getByRole('button', { name: 'Write motor/speed' }).count(),
    ).toBe(1);
    expect(await table.locator('tr[data-tag="counter"]').getByRole('button', { name: /Write/ }).count()).toBe(0);
    await page.getByLabel('Search').fill('motor');
    await eventually(async () =>
      expect(
        await table.locator('tbody tr[data-tag]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-tag'))),
      ).toEqual(['motor/running', 'motor/setpoint', 'motor/speed']),
    );
    await page.getByLabel('Search').fill('');
    await table.locator('tr[data-tag="counter"]').waitFor();
    await screenshot('11-live-values');
  });

  it('explores the UNS tree down to a tag and shows its exact topic and payload', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'UNS explorer' }).click();
    await page.getByRole('heading', { name: 'UNS explorer' }).waitFor();
    for (const level of ['acme', 'plant1', 'line1', 'plc']) {
      await page.getByRole('button', { name: `Expand ${level}`, exact: true }).click();
    }
    await page.locator('[data-topic="acme/plant1/line1/plc/_status"]').waitFor();
    await page.locator('[data-topic="acme/plant1/_gateway"]').waitFor();
    await page.locator('[data-topic="acme/plant1/line1/plc/counter"] .tree-label').click();
    expect(await text(page.getByTestId('uns-topic'))).toBe('acme/plant1/line1/plc/counter');
    expect(await text(page.getByTestId('uns-payload'))).toMatch(
      /^\{"value":\d+,"timestamp":\d{13},"quality":"good"\}$/,
    );
    await page.getByRole('button', { name: 'Expand motor', exact: true }).click();
    await page.locator('[data-topic="acme/plant1/line1/plc/motor/running"] .tree-label').click();
    expect(await text(page.getByTestId('uns-topic'))).toBe('acme/plant1/line1/plc/motor/running');
    expect(await text(page.getByTestId('uns-payload'))).toMatch(
      /^\{"value":true,"timestamp":\d{13},"quality":"good"\}$/,
    );
    await screenshot('12-uns');
  });

  it('shows log lines live: a restart logs "connected", and raises a device log level', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).click();
    await page.getByRole('link', { name: 'plc', exact: true }).click();
    await page.getByRole('button', { name: 'Restart plc' }).click();
    await page.getByRole('status').getByText('plc restarted').waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Logs' }).click();
    await page.getByRole('heading', { name: 'Logs' }).waitFor();
    const lines = page.getByTestId('log-lines');
    await page.getByLabel('Source').selectOption({ label: 'device plc' });
    await page.getByLabel('Search').fill('connected');
    await lines
      .locator('.log-line', { hasText: /connected$/ })
      .first()
      .waitFor();
    expect(await text(lines.locator('.log-line').first().locator('.log-source'))).toBe('device plc');

    await page.getByLabel('Source').selectOption({ label: 'Everything' });
    await page.getByLabel('Search').fill('log level changed');
    await page.getByLabel('Minimum level').selectOption('info');
    await page
      .getByRole('form', { name: 'Device log level' })
      .getByRole('button', { name: 'Raise for 10 min' })
      .click();
    await lines.locator('.log-line', { hasText: 'log level changed until it reverts' }).waitFor();
    await eventually(async () => expect(await text(page.getByTestId('log-overrides'))).toContain('device plc: debug'));
    await page.getByLabel('Search').fill('');
    await screenshot('13-logs');
  });

  it('shows log lines from before the page was opened, and downloads them', async () => {
    // A new browser session: everything it shows from the start came from the gateway's history.
    const context = await browser.newContext();
    const fresh = await context.newPage();
    try {
      await fresh.goto(`${base}/logs`);
      await fresh.getByLabel('User name').fill('admin');
      await fresh.getByLabel('Password').fill(PASSWORD);
      await fresh.getByRole('button', { name: 'Log in' }).click();
      await fresh.getByRole('heading', { name: 'Logs' }).waitFor();
      await fresh.getByLabel('Source').selectOption({ label: 'device plc' });
      const first = fresh
        .getByTestId('log-lines')
        .locator('.log-line', { hasText: /connected$/ })
        .first();
      await first.waitFor();
      // The gateway started before this test file's first test: the line is older than the page.
      const downloaded = await fresh.evaluate(
        async (href) => (await fetch(href)).text(),
        '/api/v1/logs?format=text&device=plc',
      );
      expect(downloaded).toMatch(/^\S+ INFO {2}device=plc connected$/m);
      expect(await fresh.getByTestId('log-download').getAttribute('href')).toContain('device=plc');
    } finally {
      await context.close();
    }
  });

  it('lets an admin add a user, change their role and set a new password', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
    await page.getByRole('heading', { name: 'Users' }).waitFor();
    await page.getByLabel('User name').fill('shift-lead');
    await page.getByLabel('Password', { exact: true }).fill('first password 1');
    await page.getByRole('button', { name: 'Add user' }).click();
    const row = page.locator('[data-testid=users-table] tr[data-user="shift-lead"]');
    await row.waitFor();
    await row.getByLabel('Role of shift-lead').selectOption('operator');
    await page
      .getByRole('dialog', { name: 'Make shift-lead operator?' })
      .getByRole('button', { name: 'Change role' })
      .click();
    await page.getByRole('status').getByText('shift-lead is now operator').waitFor();
    await row.getByRole('button', { name: 'New password for shift-lead' }).click();
    const dialog = page.getByRole('dialog', { name: 'New password for shift-lead' });
    await dialog.getByLabel('New password').fill('second password 2');
    await screenshot('16-users-reset-password');
    await dialog.getByRole('button', { name: 'Set password' }).click();
    await dialog.waitFor({ state: 'hidden' });
    // Checked outside the browser, so the admin's session stays as it is.
    const login = async (password: string) =>
      fetch(`${base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'shift-lead', password }),
      });
    expect((await login('first password 1')).status).toBe(401);
    const ok = await login('second password 2');
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { user: { role: string } }).user.role).toBe('operator');
  });

  it('shows the audit trail: logins, writes with their value and result, user changes; filtered by kind', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
    await page.getByRole('heading', { name: 'Audit' }).waitFor();
    const table = page.getByTestId('audit-table');
    // The wrong password of the first test, the login after it, the writes of the write dialog.
    await table.locator('tr[data-kind="login"]', { hasText: 'invalid-credentials' }).first().waitFor();
    await table.locator('tr[data-kind="write"]', { hasText: 'write plc/motor/speed' }).first().waitFor();
    await table.locator('tr[data-kind="user"]').first().waitFor();
    await page.getByLabel('Kind').selectOption('write');
    await eventually(async () => expect(await table.locator('tr[data-kind="login"]').count()).toBe(0));
    expect(await table.locator('tr[data-kind="write"]').count()).toBeGreaterThan(0);
    await screenshot('17-audit');
    const csv = await page.evaluate(async (href) => (await fetch(href)).text(), '/api/v1/audit?format=csv&kind=write');
    expect(csv).toContain('write plc/motor/speed');
    await page.getByLabel('Kind').selectOption('');
  });

  it('logs out, and shows the rate-limit message after repeated wrong passwords', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Log in to the gateway' }).waitFor();
    const password = page.getByLabel('Password');
    const logIn = page.getByRole('button', { name: 'Log in' });
    const limited = page.getByRole('alert').getByText(/Too many failed logins; try again in \d+ s/);
    const attempt = async (text: string) => {
      await password.fill(text);
      const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'));
      await logIn.click();
      const status = (await answer).status();
      await logIn.and(page.locator(':enabled')).waitFor();
      return status;
    };
    // Wrong passwords until the limit (the first test's wrong one may still count: a correct
    // login clears no failures).
    const statuses: number[] = [];
    for (let i = 0; i < 6 && !statuses.includes(429); i++) statuses.push(await attempt(`wrong ${i}`));
    expect(statuses[0]).toBe(401);
    expect(statuses.at(-1)).toBe(429);
    await limited.waitFor();
    // Now even the right password waits.
    expect(await attempt(PASSWORD)).toBe(429);
    await limited.waitFor();
    await screenshot('10-login-rate-limited');
  });
});
