import type { FastifyInstance } from 'fastify';
import { type NorthConfig, NorthSchema } from '../../../core/config/schema.js';
import type { Runtime } from '../../../core/runtime.js';
import { allow } from '../auth.js';
import { pathParams, routeDocs } from '../route-docs.js';
import { answerRead, applyEdit, shownConfig } from './config-edit.js';
import { bodyObject, nameIn, northIn, northIndex, refuseTaken } from './config-lookup.js';

const SEND_NORTH = 'one north app as a JSON object, as in the configuration file';
const params = pathParams({ name: 'North app name' });

type Params = { Params: { name: string } };

/** North apps (MQTT, Sparkplug B connections) one at a time. */
export function registerNorthResources(app: FastifyInstance, runtime: Runtime): void {
  app.get(
    '/api/v1/north',
    { schema: routeDocs('North', 'List the north apps (secrets shown as ********)') },
    async () => shownConfig(runtime).north,
  );

  app.post(
    '/api/v1/north',
    { schema: routeDocs('North', 'Add a north app', { documentedBody: NorthSchema }) },
    async (req, reply) => {
      if (!allow(req, reply, ['admin'])) return reply;
      const name = nameIn(req.body, '(no name)');
      const restarted = await applyEdit(req, reply, runtime, `api: add north app ${name}`, (doc) => {
        const north = bodyObject(req.body, SEND_NORTH);
        refuseTaken(
          doc.north.some((n) => n.name === name),
          `a north app named "${name}" exists already`,
        );
        doc.north.push(north as NorthConfig);
        return undefined;
      });
      if (!restarted) return reply;
      reply.code(201);
      return answerRead(reply, () => northIn(shownConfig(runtime), name));
    },
  );

  app.get<Params>(
    '/api/v1/north/:name',
    { schema: routeDocs('North', 'One north app (secrets shown as ********)', { params }) },
    async (req, reply) => answerRead(reply, () => northIn(shownConfig(runtime), req.params.name)),
  );

  app.put<Params>(
    '/api/v1/north/:name',
    {
      schema: routeDocs('North', 'Replace a north app; a new name renames it', {
        description:
          'Without "name" the app keeps its name. ******** keeps the stored secret, unless the endpoint it is sent to changed.',
        params,
        documentedBody: NorthSchema,
      }),
    },
    async (req, reply) => {
      if (!allow(req, reply, ['admin'])) return reply;
      const from = req.params.name;
      const to = nameIn(req.body, from);
      const source = to === from ? `api: change north app ${from}` : `api: rename north app ${from} to ${to}`;
      const restarted = await applyEdit(req, reply, runtime, source, (doc) => {
        const index = northIndex(doc, from);
        const north = bodyObject(req.body, SEND_NORTH);
        refuseTaken(to !== from && doc.north.some((n) => n.name === to), `a north app named "${to}" exists already`);
        doc.north[index] = { ...north, name: north.name ?? from } as NorthConfig;
        return to === from ? undefined : { kind: 'north', from, to };
      });
      if (!restarted) return reply;
      return { ok: true, restarted };
    },
  );

  app.delete<Params>(
    '/api/v1/north/:name',
    { schema: routeDocs('North', 'Delete a north app', { params }) },
    async (req, reply) => {
      if (!allow(req, reply, ['admin'])) return reply;
      const name = req.params.name;
      const restarted = await applyEdit(req, reply, runtime, `api: delete north app ${name}`, (doc) => {
        doc.north.splice(northIndex(doc, name), 1);
        return undefined;
      });
      if (!restarted) return reply;
      return { ok: true, restarted };
    },
  );
}
