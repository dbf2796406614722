import type { FastifyInstance } from 'fastify';
import { type DeviceConfig, type TagConfig, TagSchema } from '../../../core/config/schema.js';
import type { Runtime } from '../../../core/runtime.js';
import { allow } from '../auth.js';
import { DEVICE_PARAM, GROUP_PARAM, pathParams, routeDocs, TAG_PARAM } from '../route-docs.js';
import { answerRead, applyEdit, shownConfig } from './config-edit.js';
import { bodyObject, deviceIn, groupIn, nameIn, refuseTaken, tagIn, tagIndex } from './config-lookup.js';

const SEND_TAG = 'one tag as a JSON object, as in the configuration file';

type DeviceParams = { Params: { device: string } };
type GroupParams = { Params: { device: string; group: string } };
// The tag is the rest of the path: tag names may contain '/'.
type TagParams = { Params: { device: string; group: string; '*': string } };

/** Tag names are unique within a device, across its groups. */
function refuseTakenTag(device: DeviceConfig, name: string, except?: TagConfig): void {
  const owner = device.groups.find((g) => g.tags.some((t) => t.name === name && t !== except));
  refuseTaken(owner !== undefined, `device "${device.name}" has a tag "${name}" already (group "${owner?.name}")`);
}

/**
 * Tags one at a time, addressed by device, group and tag name. (Writing a value is
 * `POST /api/v1/devices/:device/tags/:tag/write`; all tags as CSV is `…/tags.csv`.)
 */
export function registerTagResources(app: FastifyInstance, runtime: Runtime): void {
  app.get<DeviceParams>(
    '/api/v1/devices/:device/tags',
    {
      schema: routeDocs('Tags', 'List every tag of a device, each with its group name', {
        params: pathParams(DEVICE_PARAM),
      }),
    },
    async (req, reply) =>
      answerRead(reply, () =>
        deviceIn(shownConfig(runtime), req.params.device).groups.flatMap((g) =>
          g.tags.map((t) => ({ group: g.name, ...t })),
        ),
      ),
  );

  app.post<GroupParams>(
    '/api/v1/devices/:device/groups/:group/tags',
    {
      schema: routeDocs('Tags', 'Add a tag to a group', {
        params: pathParams(GROUP_PARAM),
        documentedBody: TagSchema,
      }),
    },
    async (req, reply) => {
      if (!allow(req, reply, ['admin'])) return reply;
      const { device: deviceName, group: groupName } = req.params;
      const name = nameIn(req.body, '(no name)');
      const source = `api: add tag ${name} to device ${deviceName} group ${groupName}`;
      const restarted = await applyEdit(req, reply, runtime, source, (doc) => {
        const device = deviceIn(doc, deviceName);
        const group = groupIn(device, groupName);
        const tag = bodyObject(req.body, SEND_TAG);
        refuseTakenTag(device, name);
        group.tags.push(tag as TagConfig);
        return undefined;
      });
      if (!restarted) return reply;
      reply.code(201);
      return answerRead(reply, () => tagIn(groupIn(deviceIn(shownConfig(runtime), deviceName), groupName), name));
    },
  );

  app.get<TagParams>(
    '/api/v1/devices/:device/groups/:group/tags/*',
    { schema: routeDocs('Tags', 'One tag', { params: pathParams(TAG_PARAM) }) },
    async (req, reply) =>
      answerRead(reply, () =>
        tagIn(groupIn(deviceIn(shownConfig(runtime), req.params.device), req.params.group), req.params['*']),
      ),
  );

  app.put<TagParams>(
    '/api/v1/devices/:device/groups/:group/tags/*',
    {
      schema: routeDocs('Tags', 'Replace a tag; a new name renames it', {
        description: 'Without "name" the tag keeps its name.',
        params: pathParams(TAG_PARAM),
        documentedBody: TagSchema,
      }),
    },
    async (req, reply) => {
      if (!allow(req, reply, ['admin'])) return reply;
      const { device: deviceName, group: groupName, '*': from } = req.params;
      const to = nameIn(req.body, from);
      const source = `api: change tag ${from} of device ${deviceName} group ${groupName}`;
      const restarted = await applyEdit(req, reply, runtime, source, (doc) => {
        const device = deviceIn(doc, deviceName);
        const group = groupIn(device, groupName);
        const index = tagIndex(group, from);
        const tag = bodyObject(req.body, SEND_TAG);
        refuseTakenTag(device, to, group.tags[index]);
        group.tags[index] = { ...tag, name: tag.name ?? from } as TagConfig;
        return undefined;
      });
      if (!restarted) return reply;
      return { ok: true, restarted };
    },
  );

  app.delete<TagParams>(
    '/api/v1/devices/:device/groups/:group/tags/*',
    { schema: routeDocs('Tags', 'Delete a tag', { params: pathParams(TAG_PARAM) }) },
    async (req, reply) => {
      if (!allow(req, reply, ['admin'])) return reply;
      const { device: deviceName, group: groupName, '*': name } = req.params;
      const source = `api: delete tag ${name} of device ${deviceName} group ${groupName}`;
      const restarted = await applyEdit(req, reply, runtime, source, (doc) => {
        const group = groupIn(deviceIn(doc, deviceName), groupName);
        group.tags.splice(tagIndex(group, name), 1);
        return undefined;
      });
      if (!restarted) return reply;
      return { ok: true, restarted };
    },
  );
}
