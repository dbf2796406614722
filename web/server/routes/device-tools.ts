import type { FastifyInstance } from 'fastify';
import { TAG_TYPES, type TagType } from '../../../core/config/schema.js';
import { stringifyExact } from '../../../core/json.js';
import type { Runtime } from '../../../core/runtime.js';
import { sendError, sendGatewayError } from '../errors.js';
import { DEVICE_PARAM, pathParams, queryParams, routeDocs } from '../route-docs.js';

const params = pathParams(DEVICE_PARAM);

/**
 * Tools for picking tags: browse a device's address space (OPC UA) and read one
 * address once ("test read") before it goes into the configuration.
 */
export function registerDeviceTools(app: FastifyInstance, runtime: Runtime): void {
  app.get<{ Params: { device: string }; Querystring: { nodeId?: string } }>(
    '/api/v1/devices/:device/browse',
    {
      schema: routeDocs('Tools', 'Browse an OPC UA server’s address space', {
        params,
        querystring: queryParams({ nodeId: 'Node to list the children of; default: the Objects folder' }),
      }),
    },
    async (req, reply) => {
      try {
        return await runtime.gateway.device(req.params.device).browse(req.query.nodeId);
      } catch (err) {
        return sendGatewayError(reply, err);
      }
    },
  );

  app.get<{ Params: { device: string }; Querystring: { address?: string } }>(
    '/api/v1/devices/:device/decode',
    {
      schema: routeDocs('Tools', 'Decode lab: the registers at an address in every type and byte order', {
        params,
        querystring: queryParams({ address: 'Modbus address, e.g. hr:100 or 40001' }),
      }),
    },
    async (req, reply) => {
      if (!req.query.address) return sendError(reply, 400, 'invalid-request', 'query parameter "address" is required');
      try {
        const result = await runtime.gateway.device(req.params.device).inspect(req.query.address);
        return reply.type('application/json').send(stringifyExact(result));
      } catch (err) {
        return sendGatewayError(reply, err);
      }
    },
  );

  app.get<{ Params: { device: string }; Querystring: { address?: string; type?: string } }>(
    '/api/v1/devices/:device/read',
    {
      schema: routeDocs('Tools', 'Test read: read one address once', {
        params,
        querystring: queryParams({ address: 'Address, as in a tag', type: `Type: ${TAG_TYPES.join(', ')}` }),
      }),
    },
    async (req, reply) => {
      const { address, type } = req.query;
      if (!address) return sendError(reply, 400, 'invalid-request', 'query parameter "address" is required');
      if (type !== undefined && !(TAG_TYPES as readonly string[]).includes(type)) {
        return sendError(reply, 400, 'invalid-request', `type must be one of ${TAG_TYPES.join(', ')}`);
      }
      try {
        const value = await runtime.gateway.device(req.params.device).readOnce(address, type as TagType | undefined);
        return reply.type('application/json').send(stringifyExact(value));
      } catch (err) {
        return sendGatewayError(reply, err);
      }
    },
  );
}
