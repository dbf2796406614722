import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { type GroupConfig, GroupSchema } from '../../../core/config/schema.js';
import type { Runtime } from '../../../core/runtime.js';
import { allow } from '../auth.js';
import { DEVICE_PARAM, GROUP_PARAM, pathParams, routeDocs } from '../route-docs.js';
import { answerRead, applyEdit, shownConfig } from './config-edit.js';
import { bodyObject, deviceIn, groupIn, groupIndex, nameIn, refuseTaken } from './config-lookup.js';

const SEND_GROUP = 'one group as a JSON object, as in the configuration file';
const deviceParams = pathParams(DEVICE_PARAM);
const groupParams = pathParams(GROUP_PARAM);

type DeviceParams = { Params: { device: string } };
type GroupParams = { Params: { device: string; group: string } };

/** A device's groups (tags read together on one schedule), one at a time. */
export function registerGroupResources(app: FastifyInstance, runtime: Runtime): void {
  app.get<DeviceParams>(
    '/api/v1/devices/:device/groups',
    { schema: routeDocs('Groups', 'List a device’s groups, with their tags', { params: deviceParams }) },
    async (req, reply) => answerRead(reply, () => deviceIn(shownConfig(runtime), req.params.device).groups),
  );

  app.post<DeviceParams>(
    '/api/v1/devices/:device/groups',
    {
      schema: routeDocs('Groups', 'Add a group to a device', { params: deviceParams, documentedBody: GroupSchema }),
    },
    async (req, reply) => {
      if (!allow(req, reply, ['admin'])) return reply;
      const { device: deviceName } = req.params;
      const name = nameIn(req.body, '(no name)');
      const source = `api: add group ${name} to device ${deviceName}`;
      const restarted = await applyEdit(req, reply, runtime, source, (doc) => {
        const device = deviceIn(doc, deviceName);
        const group = bodyObject(req.body, SEND_GROUP);
        refuseTaken(
          device.groups.some((g) => g.name === name),
          `device "${deviceName}" has a group "${name}" already`,
        );
        device.groups.push(group as GroupConfig);
        return undefined;
      });
      if (!restarted) return reply;
      reply.code(201);
      return answerRead(reply, () => groupIn(deviceIn(shownConfig(runtime), deviceName), name));
    },
  );

  app.get<GroupParams>(
    '/api/v1/devices/:device/groups/:group',
    { schema: routeDocs('Groups', 'One group, with its tags', { params: groupParams }) },
    async (req, reply) =>
      answerRead(reply, () => groupIn(deviceIn(shownConfig(runtime), req.params.device), req.params.group)),
  );

  app.put<GroupParams>(
    '/api/v1/devices/:device/groups/:group',
    {
      schema: routeDocs('Groups', 'Change a group (name, interval, publishing); without "tags" its tags stay', {
        params: groupParams,
        documentedBody: Type.Omit(GroupSchema, ['tags']),
      }),
    },
    async (req, reply) => {
      if (!allow(req, reply, ['admin'])) return reply;
      const { device: deviceName, group: from } = req.params;
      const to = nameIn(req.body, from);
      const source = `api: change group ${from} of device ${deviceName}`;
      const restarted = await applyEdit(req, reply, runtime, source, (doc) => {
        const device = deviceIn(doc, deviceName);
        const index = groupIndex(device, from);
        const group = bodyObject(req.body, SEND_GROUP);
        refuseTaken(
          to !== from && device.groups.some((g) => g.name === to),
          `device "${deviceName}" has a group "${to}" already`,
        );
        const tags = device.groups[index]?.tags;
        device.groups[index] = { tags, ...group, name: group.name ?? from } as GroupConfig;
        return undefined;
      });
      if (!restarted) return reply;
      return { ok: true, restarted };
    },
  );

  app.delete<GroupParams>(
    '/api/v1/devices/:device/groups/:group',
    { schema: routeDocs('Groups', 'Delete a group and its tags', { params: groupParams }) },
    async (req, reply) => {
      if (!allow(req, reply, ['admin'])) return reply;
      const { device: deviceName, group } = req.params;
      const source = `api: delete group ${group} of device ${deviceName}`;
      const restarted = await applyEdit(req, reply, runtime, source, (doc) => {
        const device = deviceIn(doc, deviceName);
        device.groups.splice(groupIndex(device, group), 1);
        return undefined;
      });
      if (!restarted) return reply;
      return { ok: true, restarted };
    },
  );
}
