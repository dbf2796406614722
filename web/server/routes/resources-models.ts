import type { FastifyInstance } from 'fastify';
import { type DeviceEntry, type ModelConfig, ModelSchema } from '../../../core/config/schema.js';
import type { Runtime } from '../../../core/runtime.js';
import { allow } from '../auth.js';
import { pathParams, routeDocs } from '../route-docs.js';
import { ApiRefusal, answerRead, applyEdit, type EditableConfig, shownConfig } from './config-edit.js';
import { bodyObject, deviceIn, nameIn, refuseTaken } from './config-lookup.js';
import { createInstances } from './model-instances.js';

const SEND_MODEL = 'one model as a JSON object, as in the configuration file';
const MODEL_PARAM = { model: 'Model name' };
const params = pathParams(MODEL_PARAM);

type Params = { Params: { model: string } };

function modelIndex(doc: EditableConfig, name: string): number {
  const index = doc.models.findIndex((m) => m.name === name);
  if (index < 0) throw new ApiRefusal(404, 'unknown-model', `no model named "${name}"`);
  return index;
}

const usersOf = (doc: EditableConfig, model: string) => doc.devices.filter((d) => d.model === model).map((d) => d.name);

/**
 * Models one at a time, in the style of `/api/v1/devices`: list, add, show, replace (a new
 * name renames it, its devices follow), delete (refused while devices are built from it);
 * and the devices built from one, listed or created in bulk.
 */
export function registerModelResources(app: FastifyInstance, runtime: Runtime): void {
  app.get(
    '/api/v1/models',
    { schema: routeDocs('Models', 'List the models') },
    async () => shownConfig(runtime).models,
  );

  app.post(
    '/api/v1/models',
    { schema: routeDocs('Models', 'Add a model', { documentedBody: ModelSchema }) },
    async (req, reply) => {
      if (!allow(req, reply, ['admin'])) return reply;
      const name = nameIn(req.body, '(no name)');
      const restarted = await applyEdit(req, reply, runtime, `api: add model ${name}`, (doc) => {
        const model = bodyObject(req.body, SEND_MODEL);
        refuseTaken(
          doc.models.some((m) => m.name === name),
          `a model named "${name}" exists already`,
        );
        doc.models.push(model as ModelConfig);
        return undefined;
      });
      if (!restarted) return reply;
      reply.code(201);
      return answerRead(reply, () => {
        const doc = shownConfig(runtime);
        return doc.models[modelIndex(doc, name)];
      });
    },
  );

  app.get<Params>(
    '/api/v1/models/:model',
    { schema: routeDocs('Models', 'One model', { params }) },
    async (req, reply) =>
      answerRead(reply, () => {
        const doc = shownConfig(runtime);
        return doc.models[modelIndex(doc, req.params.model)];
      }),
  );

  app.put<Params>(
    '/api/v1/models/:model',
    {
      schema: routeDocs('Models', 'Replace a model: every device built from it restarts with it', {
        description: 'A new "name" renames the model; its devices follow.',
        params,
        documentedBody: ModelSchema,
      }),
    },
    async (req, reply) => {
      if (!allow(req, reply, ['admin'])) return reply;
      const from = req.params.model;
      const to = nameIn(req.body, from);
      const source = to === from ? `api: change model ${from}` : `api: rename model ${from} to ${to}`;
      const restarted = await applyEdit(req, reply, runtime, source, (doc) => {
        const index = modelIndex(doc, from);
        const model = bodyObject(req.body, SEND_MODEL);
        refuseTaken(to !== from && doc.models.some((m) => m.name === to), `a model named "${to}" exists already`);
        doc.models[index] = { ...model, name: model.name ?? from } as ModelConfig;
        if (to !== from) for (const d of doc.devices) if (d.model === from) d.model = to;
        return undefined;
      });
      if (!restarted) return reply;
      return { ok: true, restarted };
    },
  );

  app.delete<Params>(
    '/api/v1/models/:model',
    { schema: routeDocs('Models', 'Delete a model no device is built from', { params }) },
    async (req, reply) => {
      if (!allow(req, reply, ['admin'])) return reply;
      const name = req.params.model;
      const restarted = await applyEdit(req, reply, runtime, `api: delete model ${name}`, (doc) => {
        const index = modelIndex(doc, name);
        const users = usersOf(doc, name);
        if (users.length > 0) {
          throw new ApiRefusal(409, 'conflict', `${users.length} devices are built from model "${name}"`, users);
        }
        doc.models.splice(index, 1);
        return undefined;
      });
      if (!restarted) return reply;
      return { ok: true, restarted };
    },
  );

  app.get<Params>(
    '/api/v1/models/:model/devices',
    { schema: routeDocs('Models', 'The devices built from a model (secrets shown as ********)', { params }) },
    async (req, reply) =>
      answerRead(reply, () => {
        const doc = shownConfig(runtime);
        modelIndex(doc, req.params.model);
        return doc.devices.filter((d) => d.model === req.params.model);
      }),
  );

  app.post<Params>(
    '/api/v1/models/:model/devices',
    {
      schema: routeDocs('Models', 'Create devices from a model, all or nothing', {
        description:
          'Body: {"devices": [{"name", "uns", "settings": {…}, "params": {…}}, …]}. Every row becomes a device ' +
          'built from the model; any bad row refuses all of them, with every problem as "rows[i] (name): path: message".',
        params,
      }),
    },
    async (req, reply) => {
      if (!allow(req, reply, ['admin'])) return reply;
      const made = await createInstances(req, reply, runtime, req.params.model);
      if (!made) return reply;
      reply.code(201);
      return { ok: true, ...made };
    },
  );

  app.post<{ Params: { device: string } }>(
    '/api/v1/devices/:device/save-as-model',
    {
      schema: routeDocs('Models', 'Save a device as a model: the device becomes the model’s first instance', {
        description:
          'Body: {"model": "name", "description": "…", "keep": ["host", "unitId"]}. The model takes the device’s ' +
          'driver, groups and settings (as defaults; secrets stay with the device); the device keeps its own copy of ' +
          'the settings in "keep" (default: those the driver marks as per device).',
        params: pathParams({ device: 'Device name' }),
      }),
    },
    async (req, reply) => {
      if (!allow(req, reply, ['admin'])) return reply;
      const body = bodyObject(req.body, '{"model": "name"}') as {
        model?: unknown;
        description?: unknown;
        keep?: unknown;
      };
      const device = req.params.device;
      const name = typeof body.model === 'string' ? body.model : '';
      const restarted = await applyEdit(req, reply, runtime, `api: save device ${device} as model ${name}`, (doc) => {
        const entry = deviceIn(doc, device) as DeviceEntry;
        if (entry.model !== undefined) {
          throw new ApiRefusal(409, 'conflict', `device "${device}" is built from model "${entry.model}" already`);
        }
        refuseTaken(
          doc.models.some((m) => m.name === name),
          `a model named "${name}" exists already`,
        );
        const keep = keptSettings(runtime, entry, body.keep);
        const model: Record<string, unknown> = { name, driver: entry.driver };
        if (typeof body.description === 'string' && body.description) model.description = body.description;
        model.params = [];
        // The model's defaults are all of the device's settings but its secrets, so that a device
        // created from it later has them too; the device keeps its own copy of `keep`.
        const secrets = markedSettings(runtime, entry, ['secret']);
        model.settings = Object.fromEntries(Object.entries(entry.settings).filter(([k]) => !secrets.includes(k)));
        model.groups = entry.groups;
        doc.models.push(model as ModelConfig);
        entry.settings = Object.fromEntries(Object.entries(entry.settings).filter(([k]) => keep.includes(k)));
        entry.groups = [];
        entry.model = name;
        delete entry.driver;
        return undefined;
      });
      if (!restarted) return reply;
      reply.code(201);
      return { ok: true, restarted };
    },
  );
}

/** The settings that stay with the device: as asked, or those the driver marks as per device. */
function keptSettings(runtime: Runtime, entry: DeviceEntry, asked: unknown): string[] {
  if (Array.isArray(asked) && asked.every((k) => typeof k === 'string')) return asked as string[];
  if (asked !== undefined) throw new ApiRefusal(400, 'invalid-request', 'keep: must be a list of setting names');
  return markedSettings(runtime, entry, ['perDevice', 'endpoint', 'secret']);
}

/** Top-level settings of the device's driver carrying one of the `x-ui` marks. */
function markedSettings(runtime: Runtime, entry: DeviceEntry, marks: string[]): string[] {
  const schema = entry.driver ? runtime.registry.drivers.get(entry.driver)?.settingsSchema : undefined;
  const props = (schema as { properties?: Record<string, { 'x-ui'?: Record<string, unknown> }> } | undefined)
    ?.properties;
  return Object.entries(props ?? {})
    .filter(([, p]) => marks.some((m) => p['x-ui']?.[m] === true))
    .map(([k]) => k);
}
