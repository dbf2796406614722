import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { type DeviceConfig, DeviceSchema } from '../../../core/config/schema.js';
import type { Runtime } from '../../../core/runtime.js';
import { allow } from '../auth.js';
import { DEVICE_PARAM, pathParams, routeDocs } from '../route-docs.js';
import { ApiRefusal, answerRead, applyEdit, shownConfig } from './config-edit.js';
import { bodyObject, deviceIn, deviceIndex, nameIn, refuseTaken } from './config-lookup.js';

const SEND_DEVICE = 'one device as a JSON object, as in the configuration file';
const params = pathParams(DEVICE_PARAM);

type Params = { Params: { device: string } };

/** `{"enabled": true|false}` and nothing else; every problem listed. */
function enabledIn(body: Record<string, unknown>): boolean {
  const errors = Object.keys(body)
    .filter((key) => key !== 'enabled')
    .map((key) => `${key}: unknown key`);
  if (typeof body.enabled !== 'boolean') errors.push('enabled: must be true or false');
  if (errors.length > 0) {
    throw new ApiRefusal(400, 'invalid-request', 'send {"enabled": true} or {"enabled": false}', errors);
  }
  return body.enabled as boolean;
}

/**
 * Devices one at a time: list, add, show, replace, enable/disable, delete. Each change goes
 * through the whole-configuration validation; north apps' device lists follow renames and deletions.
 */
export function registerDeviceResources(app: FastifyInstance, runtime: Runtime): void {
  app.get(
    '/api/v1/devices',
    { schema: routeDocs('Devices', 'List the devices (secrets shown as ********)') },
    async () => shownConfig(runtime).devices,
  );

  app.post(
    '/api/v1/devices',
    { schema: routeDocs('Devices', 'Add a device', { documentedBody: DeviceSchema }) },
    async (req, reply) => {
      if (!allow(req, reply, ['admin'])) return reply;
      const name = nameIn(req.body, '(no name)');
      const restarted = await applyEdit(req, reply, runtime, `api: add device ${name}`, (doc) => {
        const device = bodyObject(req.body, SEND_DEVICE);
        refuseTaken(
          doc.devices.some((d) => d.name === name),
          `a device named "${name}" exists already`,
        );
        doc.devices.push(device as DeviceConfig);
        return undefined;
      });
      if (!restarted) return reply;
      reply.code(201);
      return answerRead(reply, () => deviceIn(shownConfig(runtime), name));
    },
  );

  app.get<Params>(
    '/api/v1/devices/:device',
    { schema: routeDocs('Devices', 'One device (secrets shown as ********)', { params }) },
    async (req, reply) => answerRead(reply, () => deviceIn(shownConfig(runtime), req.params.device)),
  );

  app.put<Params>(
    '/api/v1/devices/:device',
    {
      schema: routeDocs('Devices', 'Replace a device; a new name renames it (north apps follow)', {
        description:
          'Without "name" the device keeps its name. ******** keeps the stored secret, unless the endpoint it is sent to changed.',
        params,
        documentedBody: DeviceSchema,
      }),
    },
    async (req, reply) => {
      if (!allow(req, reply, ['admin'])) return reply;
      const from = req.params.device;
      const to = nameIn(req.body, from);
      const source = to === from ? `api: change device ${from}` : `api: rename device ${from} to ${to}`;
      const restarted = await applyEdit(req, reply, runtime, source, (doc) => {
        const index = deviceIndex(doc, from);
        const device = bodyObject(req.body, SEND_DEVICE);
        refuseTaken(to !== from && doc.devices.some((d) => d.name === to), `a device named "${to}" exists already`);
        doc.devices[index] = { ...device, name: device.name ?? from } as DeviceConfig;
        if (to === from) return undefined;
        for (const north of doc.north) north.devices = north.devices.map((d) => (d === from ? to : d));
        return { kind: 'devices', from, to };
      });
      if (!restarted) return reply;
      return { ok: true, restarted };
    },
  );

  app.patch<Params>(
    '/api/v1/devices/:device',
    {
      schema: routeDocs('Devices', 'Enable or disable a device', {
        params,
        documentedBody: Type.Object({ enabled: Type.Boolean() }),
      }),
    },
    async (req, reply) => {
      if (!allow(req, reply, ['admin'])) return reply;
      const name = req.params.device;
      const wanted = (req.body as { enabled?: unknown } | undefined)?.enabled;
      const source = `api: ${wanted === false ? 'disable' : 'enable'} device ${name}`;
      const restarted = await applyEdit(req, reply, runtime, source, (doc) => {
        const device = deviceIn(doc, name);
        device.enabled = enabledIn(bodyObject(req.body, '{"enabled": true} or {"enabled": false}'));
        return undefined;
      });
      if (!restarted) return reply;
      return { ok: true, restarted };
    },
  );

  app.delete<Params>(
    '/api/v1/devices/:device',
    { schema: routeDocs('Devices', 'Delete a device (and take it out of north apps’ device lists)', { params }) },
    async (req, reply) => {
      if (!allow(req, reply, ['admin'])) return reply;
      const name = req.params.device;
      const restarted = await applyEdit(req, reply, runtime, `api: delete device ${name}`, (doc) => {
        doc.devices.splice(deviceIndex(doc, name), 1);
        for (const north of doc.north) north.devices = north.devices.filter((d) => d !== name);
        return undefined;
      });
      if (!restarted) return reply;
      return { ok: true, restarted };
    },
  );
}
