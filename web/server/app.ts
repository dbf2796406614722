import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { clipForLog } from '../../core/log-clip.js';
import type { Runtime } from '../../core/runtime.js';
import type { Db } from '../../core/store/db.js';
import { registerAuth } from './auth.js';
import { BodyRefusal, guardJsonBodies } from './body-guards.js';
import type { AuthDeps } from './credential-change.js';
import { registerErrorStatus, sendError } from './errors.js';
import { registerOpenApi } from './lazy-docs.js';
import { LoginLimiter } from './login-limiter.js';
import { OpenStreams } from './open-streams.js';
import { routeDocs } from './route-docs.js';
import { registerAccount } from './routes/account.js';
import { registerAlarms } from './routes/alarms.js';
import { registerAudit } from './routes/audit.js';
import { registerCertificates } from './routes/certificates.js';
import { registerComputePreview } from './routes/compute-preview.js';
import { registerConfigHistory } from './routes/config-history.js';
import { registerConnectionTests } from './routes/connection-tests.js';
import { registerDeviceTools } from './routes/device-tools.js';
import { registerDevices } from './routes/devices.js';
import { registerEvents } from './routes/events.js';
import { registerGatewayApi } from './routes/gateway-api.js';
import { registerLogLevel } from './routes/log-level.js';
import { registerLogs } from './routes/logs.js';
import { registerMetrics } from './routes/metrics.js';
import { registerDeviceResources } from './routes/resources-devices.js';
import { registerGroupResources } from './routes/resources-groups.js';
import { registerModelResources } from './routes/resources-models.js';
import { registerNorthResources } from './routes/resources-north.js';
import { registerTagResources } from './routes/resources-tags.js';
import { registerSchema } from './routes/schema.js';
import { registerSerialPorts } from './routes/serial-ports.js';
import { registerUsers } from './routes/users.js';
import { registerSecurityHeaders } from './security-headers.js';
import { registerStatic } from './static.js';

export interface AppOptions {
  runtime: Runtime;
  db: Db;
  log: Logger;
  version: string;
  /** Serve HTTPS with this certificate and key (`gateway.http.tls`). */
  https?: { cert: string; key: string } | undefined;
  /** Trust a reverse proxy's X-Forwarded-For/-Proto (`gateway.http.trustProxy`). */
  trustProxy?: boolean;
}

/** Builds the HTTP app without listening, so tests can use `inject()`. */
export async function build(opts: AppOptions): Promise<FastifyInstance> {
  // Request lines are noise on an edge box; warnings (failed logins, errors) are kept.
  const httpLog = opts.log.child({ component: 'http' });
  if (httpLog.levelVal < 40) httpLog.level = 'warn';
  const app = Fastify({
    loggerInstance: httpLog as FastifyBaseLogger,
    bodyLimit: 16 * 1024 * 1024,
    trustProxy: opts.trustProxy ?? false,
    ...(opts.https ? { https: { cert: opts.https.cert, key: opts.https.key } } : {}),
  }) as unknown as FastifyInstance;

  app.setErrorHandler(
    (err: { statusCode?: number; code?: string; message: string; validation?: unknown }, req, reply) => {
      const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
      if (status === 413) {
        const limit = req.routeOptions.bodyLimit ?? app.initialConfig.bodyLimit;
        req.log.warn({ ip: req.ip, url: clipForLog(req.url) }, `request body over ${limit} bytes refused`);
        return sendError(reply, 413, 'body-too-large', `the request body is larger than ${limit} bytes`);
      }
      if (status === 500) {
        req.log.error({ err: err.message, url: clipForLog(req.url) }, 'request failed');
        return sendError(reply, 500, 'internal', err.message);
      }
      if (err instanceof BodyRefusal) {
        req.log.warn({ ip: req.ip, url: clipForLog(req.url), reason: err.message }, 'request body refused');
      }
      // Route schemas only describe path and query parameters as text; one given twice is what fails them.
      const code = err.validation ? 'invalid-request' : (err.code ?? 'invalid-request');
      return sendError(reply, status, code, err.message);
    },
  );
  app.setNotFoundHandler((req, reply) => sendError(reply, 404, 'not-found', `no route ${req.method} ${req.url}`));

  registerErrorStatus(app, opts.runtime.registry);
  registerSecurityHeaders(app);
  guardJsonBodies(app);
  registerOpenApi(app, opts.version);

  app.get(
    '/healthz',
    { schema: routeDocs('Operations', 'Health check (no login needed)', { security: [] }) },
    async () => {
      const status = opts.runtime.gateway.status();
      return { status: 'ok', version: opts.version, uptimeMs: status.gateway.uptimeMs };
    },
  );

  const streams = new OpenStreams(opts.db);
  app.addHook('onClose', async () => streams.close());
  // Wrong passwords at the login and in a password change count together.
  const authDeps: AuthDeps = {
    db: opts.db,
    dataDir: opts.runtime.dataDir,
    log: opts.log.child({ component: 'auth' }),
    limiter: new LoginLimiter(),
    streams,
    audit: opts.runtime.audit,
  };
  registerAuth(app, opts.db, authDeps.limiter, authDeps.audit);
  registerAccount(app, authDeps);
  registerUsers(app, authDeps);
  registerDevices(app, opts.runtime);
  registerDeviceResources(app, opts.runtime);
  registerModelResources(app, opts.runtime);
  registerGroupResources(app, opts.runtime);
  registerTagResources(app, opts.runtime);
  registerNorthResources(app, opts.runtime);
  registerConfigHistory(app, opts.runtime, opts.db);
  registerAudit(app, opts.runtime.audit);
  registerAlarms(app, opts.runtime);
  registerGatewayApi(app, opts.runtime);
  registerSerialPorts(app);
  registerSchema(app, opts.runtime.registry);
  registerEvents(app, opts.runtime, streams);
  registerDeviceTools(app, opts.runtime);
  registerComputePreview(app, opts.runtime);
  registerConnectionTests(app, opts.runtime);
  registerCertificates(app, opts.runtime, opts.runtime.dataDir);
  registerMetrics(app, opts.runtime, opts.version);
  registerLogLevel(app, opts.runtime, opts.log);
  registerLogs(app);
  await registerStatic(app);
  return app;
}
