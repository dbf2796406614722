import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Runtime } from '../../../core/runtime.js';
import { auditRequest } from '../audit-request.js';
import { allow } from '../auth.js';
import { sendError } from '../errors.js';
import { pathParams, routeDocs } from '../route-docs.js';

const THUMBPRINT = /^[0-9a-fA-F]{40}$/;
const params = pathParams({ thumbprint: 'SHA-1 thumbprint, 40 hex digits' });

/**
 * Server certificates seen by drivers that use them (OPC UA). An unknown server
 * certificate is "rejected" until a user trusts it here; nothing is trusted blindly.
 */
export function registerCertificates(app: FastifyInstance, runtime: Runtime, dataDir: string): void {
  const stores = () =>
    [...runtime.registry.drivers.values()].flatMap((d) =>
      d.certificates ? [{ driver: d.name, store: d.certificates }] : [],
    );

  app.get(
    '/api/v1/certificates',
    { schema: routeDocs('Certificates', 'Server certificates seen by OPC UA devices, trusted or not') },
    async () => {
      const lists = await Promise.all(
        stores().map(async ({ driver, store }) => (await store.list(dataDir)).map((c) => ({ driver, ...c }))),
      );
      return lists.flat();
    },
  );

  /** The store holding a certificate; answers 400/404 itself when there is none. */
  const holder = async (req: FastifyRequest<{ Params: { thumbprint: string } }>, reply: FastifyReply) => {
    const thumbprint = req.params.thumbprint.toLowerCase();
    if (!THUMBPRINT.test(thumbprint)) {
      sendError(reply, 400, 'invalid-request', 'thumbprint must be 40 hex digits');
      return undefined;
    }
    for (const { store } of stores()) {
      if ((await store.list(dataDir)).some((c) => c.thumbprint.toLowerCase() === thumbprint)) {
        return { store, thumbprint };
      }
    }
    sendError(reply, 404, 'not-found', `no certificate with thumbprint ${req.params.thumbprint}`);
    return undefined;
  };

  app.post<{ Params: { thumbprint: string } }>(
    '/api/v1/certificates/:thumbprint/trust',
    { schema: routeDocs('Certificates', 'Trust a server certificate (admin)', { params }) },
    async (req, reply) => {
      if (!allow(req, reply, ['admin'])) return reply;
      const found = await holder(req, reply);
      if (!found) return reply;
      await found.store.trust(dataDir, found.thumbprint);
      req.log.warn({ thumbprint: found.thumbprint, user: req.user?.username }, 'server certificate trusted');
      auditRequest(runtime.audit, req, {
        kind: 'certificate',
        action: `trust certificate ${found.thumbprint}`,
        ok: true,
      });
      // Devices waiting for a trust decision try again now, not at their next retry (the ones
      // waiting for another certificate are refused again, harmlessly).
      const untrusted = new Set(stores().map((s) => s.store.untrustedCode));
      const waiting = runtime.gateway
        .status()
        .devices.filter((d) => d.error !== undefined && untrusted.has(d.error))
        .map((d) => d.name);
      for (const name of waiting) {
        runtime.gateway.restartDevice(name).catch((err: unknown) => {
          req.log.warn({ device: name, err }, 'reconnect after trust failed');
        });
      }
      return { ok: true, reconnecting: waiting };
    },
  );

  app.delete<{ Params: { thumbprint: string } }>(
    '/api/v1/certificates/:thumbprint',
    { schema: routeDocs('Certificates', 'Remove a server certificate (admin)', { params }) },
    async (req, reply) => {
      if (!allow(req, reply, ['admin'])) return reply;
      const found = await holder(req, reply);
      if (!found) return reply;
      await found.store.remove(dataDir, found.thumbprint);
      auditRequest(runtime.audit, req, {
        kind: 'certificate',
        action: `remove certificate ${found.thumbprint}`,
        ok: true,
      });
      return { ok: true };
    },
  );
}
