import type { FastifyInstance } from 'fastify';
import type { Config, DeviceConfig } from '../../../core/config/schema.js';
import { redactSecrets, restoreSecrets } from '../../../core/config/secrets.js';
import { deviceWithCsvTags, tagsToCsv } from '../../../core/config/tags-csv.js';
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
    const device = runtime.config.devices[index];
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

  // Replaces the device's tags with the CSV's rows; refused whole, with the CSV line of every error.
  // `?dryRun=true` checks the file the same way and answers what it would change, changing nothing.
  app.put<{ Params: { device: string }; Querystring: { dryRun?: string }; Body: string }>(
    '/api/v1/devices/:device/tags.csv',
    {
      schema: routeDocs('Tags', 'Replace a device’s tags with a CSV file (admin); dryRun=true previews the changes', {
        params,
        querystring: queryParams({ dryRun: '"true": check the file and answer what it would change, change nothing' }),
      }),
    },
    async (req, reply) => {
      if (!allow(req, reply, ['admin'])) return reply;
      const found = find(req.params.device);
      if (!found) return sendError(reply, 404, 'unknown-device', `no device named "${req.params.device}"`);
      if (typeof req.body !== 'string') return sendError(reply, 400, 'invalid-request', 'send the CSV as text/csv');
      const dryRun = req.query.dryRun;
      if (dryRun !== undefined && dryRun !== 'true' && dryRun !== 'false') {
        return sendError(reply, 400, 'invalid-request', 'dryRun must be true or false');
      }
      const csv = req.body;
      const name = found.device.name;
      /** The device with the CSV's tags, made from the configuration `current`. */
      const withCsv = (current: Config) => {
        const index = current.devices.findIndex((d) => d.name === name);
        const before = current.devices[index];
        if (!before) throw new GatewayError('unknown-device', `device "${name}" was deleted meanwhile`);
        const { device, lineOf } = deviceWithCsvTags(before, csv);
        const doc = redactSecrets(current, runtime.registry) as { devices: DeviceConfig[] };
        doc.devices[index] = device;
        const next = restoreSecrets(doc, current, runtime.registry);
        return { index, before, device, next, withLines: (err: GatewayError) => csvLineErrors(err, index, lineOf) };
      };
      try {
        if (dryRun === 'true') {
          const { index, before, next, withLines } = withCsv(runtime.config);
          const checked = validateConfig(next, runtime.registry);
          if (!checked.ok) throw withLines(new GatewayError('invalid-config', 'the CSV is invalid', checked.errors));
          const after = checked.config.devices[index] as DeviceConfig;
          return { ok: true, dryRun: true, tags: tagCount(after), changes: diffDeviceTags(before, after) };
        }
        // Made from the configuration in force when this change's turn comes, so that a change
        // applied meanwhile (e.g. the device disabled) is not undone.
        let made: ReturnType<typeof withCsv> | undefined;
        try {
          await runtime.updateConfig(
            (current) => {
              made = withCsv(current);
              return { document: made.next };
            },
            { source: `tags.csv of ${name}`, user: req.user?.username, address: req.ip },
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

const tagCount = (device: DeviceConfig) => device.groups.reduce((n, g) => n + g.tags.length, 0);

/** Errors about the device's tags named by the CSV line they came from. */
function csvLineErrors(err: GatewayError, index: number, lineOf: (group: number, tag: number) => number): GatewayError {
  const prefix = `devices[${index}].groups[`;
  const details = err.details.map((d) => {
    const m = d.startsWith(prefix) ? /^devices\[\d+\]\.groups\[(\d+)\]\.tags\[(\d+)\]\.?(.*)$/.exec(d) : null;
    return m ? `line ${lineOf(Number(m[1]), Number(m[2]))}: ${m[3]}` : d;
  });
  return new GatewayError(err.code, err.message, details);
}
