import type { FastifyInstance } from 'fastify';
import { TAG_TYPES, type TagType } from '../../../core/config/schema.js';
import { stringifyExact } from '../../../core/json.js';
import type { Runtime } from '../../../core/runtime.js';
import { sendError, sendGatewayError } from '../errors.js';

/**
 * Tools for picking tags: browse a device's address space (OPC UA) and read one
 * address once ("test read") before it goes into the configuration.
 */
export function registerDeviceTools(app: FastifyInstance, runtime: Runtime): void {
  app.get<{ Params: { device: string }; Querystring: { nodeId?: string } }>(
    '/api/v1/devices/:device/browse',
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
