import type { FastifyInstance } from 'fastify';
import type { Config, DeviceConfig } from '../../../core/config/schema.js';
import { redactSecrets, restoreSecrets } from '../../../core/config/secrets.js';
import { type DeviceWithCsvTags, deviceWithCsvTags, tagsToCsv } from '../../../core/config/tags-csv.js';
import { diffDeviceTags } from '../../../core/config/tags-diff.js';
import { validateConfig } from '../../../core/config/validate.js';
import { GatewayError } from '../../../core/errors.js';
import type { Runtime } from '../../../core/runtime.js';
import { allow } from '../auth.js';
import { sendError, sendGatewayError } from '../errors.js';
import { DEVICE_PARAM, pathParams, queryParams, routeDocs } from '../route-docs.js';

const params = pathParams(DEVICE_PARAM);

/** Per-device endpoints: restart, and a device's tags as CSV (for spreadsheets). */
export function registerDevices(app: FastifyInstance, runtime: Runtime): void {
  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  const find = (name: string): { device: DeviceConfig; index: number } | undefined => {
    const index = runtime.config.devices.findIndex((d) => d.name === name);
    // A device built from a model: its own groups (the model's tags are edited in the model).
    const device = runtime.config.devices[index] as DeviceConfig | undefined;
    return device ? { device, index } : undefined;
  };

  app.post<{ Params: { device: string } }>(
    '/api/v1/devices/:device/restart',
    { schema: routeDocs('Operations', 'Restart a device: a fresh connection (operator or admin)', { params }) },
    async (req, reply) => {
      if (!allow(req, reply, ['admin', 'operator'])) return reply;
      try {
        await runtime.gateway.restartDevice(req.params.device);
        return { ok: true };
      } catch (err) {
        return sendGatewayError(reply, err);
      }
    },
  );

  app.get<{ Params: { device: string } }>(
    '/api/v1/devices/:device/tags.csv',
    { schema: routeDocs('Tags', 'A device’s tags as CSV (for spreadsheets)', { params }) },
    async (req, reply) => {
      const found = find(req.params.device);
      if (!found) return sendError(reply, 404, 'unknown-device', `no device named "${req.params.device}"`);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${found.device.name}-tags.csv"`)
        .send(tagsToCsv(found.device));
    },
  );

  // Replaces (or with ?mode=merge, adds and updates) the device's tags with the CSV's rows;
  // refused whole, with the CSV line of every error. `?dryRun=true` checks the file the same
  // way and answers what it would change, changing nothing: with bad rows, `ok: false`, every
  // bad row in `problems` and what the good rows would change, so both can be shown at once.
  app.put<{ Params: { device: string }; Querystring: { dryRun?: string; mode?: string }; Body: string }>(
    '/api/v1/devices/:device/tags.csv',
    {
      schema: routeDocs(
        'Tags',
        'Import a device’s tags from a CSV file (admin): replace them all, or merge (add and update the rows in the file); dryRun=true previews the changes',
        {
          params,
          querystring: queryParams({
            dryRun: '"true": check the file and answer what it would change, change nothing',
            mode: '"replace" (default): the tags become the file\'s rows; "merge": add and update the file\'s rows, keep the other tags',
          }),
        },
      ),
    },
    async (req, reply) => {
      if (!allow(req, reply, ['admin'])) return reply;
      const found = find(req.params.device);
      if (!found) return sendError(reply, 404, 'unknown-device', `no device named "${req.params.device}"`);
      if (typeof req.body !== 'string') return sendError(reply, 400, 'invalid-request', 'send the CSV as text/csv');
      const { dryRun, mode = 'replace' } = req.query;
      if (dryRun !== undefined && dryRun !== 'true' && dryRun !== 'false') {
        return sendError(reply, 400, 'invalid-request', 'dryRun must be true or false');
      }
      if (mode !== 'replace' && mode !== 'merge') {
        return sendError(reply, 400, 'invalid-request', 'mode must be replace or merge');
      }
      const csv = req.body;
      const name = found.device.name;
      /** The device with the CSV's tags (without the rows on `skipLines`), made from the configuration `current`. */
      const withCsv = (current: Config, skipLines?: ReadonlySet<number>) => {
        const index = current.devices.findIndex((d) => d.name === name);
        const before = current.devices[index] as DeviceConfig | undefined;
        if (!before) throw new GatewayError('unknown-device', `device "${name}" was deleted meanwhile`);
        const { device, ...lines } = deviceWithCsvTags(before, csv, { mode, skipLines });
        const doc = redactSecrets(current, runtime.registry) as { devices: DeviceConfig[] };
        doc.devices[index] = device;
        const next = restoreSecrets(doc, current, runtime.registry);
        return { index, before, device, next, withLines: (err: GatewayError) => csvLineErrors(err, index, lines) };
      };
      try {
        if (dryRun === 'true') return previewImport(withCsv, runtime);
        // Made from the configuration in force when this change's turn comes, so that a change
        // applied meanwhile (e.g. the device disabled) is not undone.
        let made: ReturnType<typeof withCsv> | undefined;
        try {
          await runtime.updateConfig(
            (current) => {
              made = withCsv(current);
              return { document: made.next };
            },
            {
              source: `tags.csv of ${name}${mode === 'merge' ? ' (merge)' : ''}`,
              user: req.user?.username,
              address: req.ip,
            },
          );
        } catch (err) {
          throw err instanceof GatewayError && made ? made.withLines(err) : err;
        }
        return { ok: true, tags: made ? tagCount(made.device) : 0 };
      } catch (err) {
        return sendGatewayError(reply, err);
      }
    },
  );
}

type MadeFromCsv = (
  current: Config,
  skipLines?: ReadonlySet<number>,
) => { index: number; before: DeviceConfig; next: unknown; withLines(err: GatewayError): GatewayError };

/**
 * The dry run's answer. When only some rows are bad, the good rows are previewed without them
 * and the bad ones listed by line (`ok: false`: the import itself is refused until they are
 * fixed). A file whose header or device-wide settings are wrong is refused as a whole.
 */
function previewImport(withCsv: MadeFromCsv, runtime: Runtime) {
  const made = withCsv(runtime.config);
  const checked = validateConfig(made.next, runtime.registry);
  if (checked.ok) {
    const after = checked.config.devices[made.index] as DeviceConfig;
    return { ok: true, dryRun: true, tags: tagCount(after), changes: diffDeviceTags(made.before, after) };
  }
  const refusal = made.withLines(new GatewayError('invalid-config', 'the CSV is invalid', checked.errors));
  const badLines = new Set<number>();
  for (const detail of refusal.details) {
    const line = /^line (\d+): /.exec(detail)?.[1];
    // An error no row explains: nothing sensible to preview.
    if (!line) throw refusal;
    badLines.add(Number(line));
  }
  const good = withCsv(runtime.config, badLines);
  const goodChecked = validateConfig(good.next, runtime.registry);
  if (!goodChecked.ok) throw refusal;
  const after = goodChecked.config.devices[good.index] as DeviceConfig;
  return {
    ok: false,
    dryRun: true,
    tags: tagCount(after),
    changes: diffDeviceTags(good.before, after),
    problems: refusal.details,
  };
}

const tagCount = (device: DeviceConfig) => device.groups.reduce((n, g) => n + g.tags.length, 0);

/**
 * Errors about the device's tags named by the CSV line they came from; an error about a group
 * the file made (e.g. an empty or invalid group cell) is named on each line of that group.
 */
function csvLineErrors(
  err: GatewayError,
  index: number,
  lines: Pick<DeviceWithCsvTags, 'lineOf' | 'newGroupLines'>,
): GatewayError {
  const prefix = `devices[${index}].groups[`;
  /** One error per group the file made is enough (an empty name also breaks the name pattern). */
  const groupsNamed = new Set<string>();
  const details = err.details.flatMap((d) => {
    if (!d.startsWith(prefix)) return [d];
    const tag = /^devices\[\d+\]\.groups\[(\d+)\]\.tags\[(\d+)\]\.?(.*)$/.exec(d);
    if (tag) {
      const line = lines.lineOf(Number(tag[1]), Number(tag[2]));
      return [line === undefined ? d : `line ${line}: ${tag[3]}`];
    }
    const group = /^devices\[\d+\]\.groups\[(\d+)\]\.name: (.*)$/.exec(d);
    const groupLines = group ? lines.newGroupLines(Number(group[1])) : undefined;
    if (!group || !groupLines) return [d];
    if (groupsNamed.has(group[1] as string)) return [];
    groupsNamed.add(group[1] as string);
    const message = group[2] === 'must NOT have fewer than 1 characters' ? 'a group name is required' : group[2];
    return groupLines.map((line) => `line ${line}: group: ${message}`);
  });
  return new GatewayError(err.code, err.message, details);
}
