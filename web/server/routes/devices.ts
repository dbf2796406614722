import type { FastifyInstance } from 'fastify';
import type { DeviceConfig } from '../../../core/config/schema.js';
import { redactSecrets, restoreSecrets } from '../../../core/config/secrets.js';
import { deviceWithCsvTags, tagsToCsv } from '../../../core/config/tags-csv.js';
import { GatewayError } from '../../../core/errors.js';
import type { Runtime } from '../../../core/runtime.js';
import { allow } from '../auth.js';
import { sendError, sendGatewayError } from '../errors.js';

/** Per-device endpoints: restart, and a device's tags as CSV (for spreadsheets). */
export function registerDevices(app: FastifyInstance, runtime: Runtime): void {
  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  const find = (name: string): { device: DeviceConfig; index: number } | undefined => {
    const index = runtime.config.devices.findIndex((d) => d.name === name);
    const device = runtime.config.devices[index];
    return device ? { device, index } : undefined;
  };

  app.post<{ Params: { device: string } }>('/api/v1/devices/:device/restart', async (req, reply) => {
    if (!allow(req, reply, ['admin', 'operator'])) return reply;
    try {
      await runtime.gateway.restartDevice(req.params.device);
      return { ok: true };
    } catch (err) {
      return sendGatewayError(reply, err);
    }
  });

  app.get<{ Params: { device: string } }>('/api/v1/devices/:device/tags.csv', async (req, reply) => {
    const found = find(req.params.device);
    if (!found) return sendError(reply, 404, 'unknown-device', `no device named "${req.params.device}"`);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${found.device.name}-tags.csv"`)
      .send(tagsToCsv(found.device));
  });

  // Replaces the device's tags with the CSV's rows; refused whole, with the CSV line of every error.
  app.put<{ Params: { device: string }; Body: string }>('/api/v1/devices/:device/tags.csv', async (req, reply) => {
    if (!allow(req, reply, ['admin'])) return reply;
    const found = find(req.params.device);
    if (!found) return sendError(reply, 404, 'unknown-device', `no device named "${req.params.device}"`);
    if (typeof req.body !== 'string') return sendError(reply, 400, 'invalid-request', 'send the CSV as text/csv');
    try {
      const { device, lineOf } = deviceWithCsvTags(found.device, req.body);
      const doc = redactSecrets(runtime.config, runtime.registry) as { devices: DeviceConfig[] };
      doc.devices[found.index] = device;
      try {
        await runtime.applyConfig(restoreSecrets(doc, runtime.config, runtime.registry), {
          source: `tags.csv of ${found.device.name}`,
          user: req.user?.username,
        });
      } catch (err) {
        if (!(err instanceof GatewayError)) throw err;
        const prefix = `devices[${found.index}].groups[`;
        const details = err.details.map((d) => {
          const m = d.startsWith(prefix) ? /^devices\[\d+\]\.groups\[(\d+)\]\.tags\[(\d+)\]\.?(.*)$/.exec(d) : null;
          return m ? `line ${lineOf(Number(m[1]), Number(m[2]))}: ${m[3]}` : d;
        });
        throw new GatewayError(err.code, err.message, details);
      }
      return { ok: true, tags: device.groups.reduce((n, g) => n + g.tags.length, 0) };
    } catch (err) {
      return sendGatewayError(reply, err);
    }
  });
}
