import type { FastifyInstance } from 'fastify';
import { sendError } from '../errors.js';
import { routeDocs } from '../route-docs.js';

/** `GET /api/v1/serial-ports`: the machine's serial ports with their USB metadata, for picking a port. */
export function registerSerialPorts(app: FastifyInstance): void {
  app.get(
    '/api/v1/serial-ports',
    { schema: routeDocs('Tools', 'Serial ports of this machine, with USB details') },
    async (_req, reply) => {
      try {
        const { SerialPort } = await import('serialport');
        const ports = await SerialPort.list();
        return ports.map((p) => ({
          path: p.path,
          manufacturer: p.manufacturer ?? null,
          serialNumber: p.serialNumber ?? null,
          vendorId: p.vendorId ?? null,
          productId: p.productId ?? null,
          pnpId: p.pnpId ?? null,
        }));
      } catch (err) {
        return sendError(reply, 500, 'serial-unavailable', `cannot list serial ports: ${(err as Error).message}`);
      }
    },
  );
}
