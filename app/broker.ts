import { createServer, type Server, type Socket } from 'node:net';
import { Aedes } from 'aedes';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../core/config/schema.js';

/**
 * The embedded MQTT broker (aedes) behind `gateway.broker`, so a first start shows
 * live data with nothing else installed. Bound to 127.0.0.1 unless configured.
 */
export class EmbeddedBroker {
  private broker: Aedes | undefined;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(
    private readonly settings: GatewayConfig['broker'],
    private readonly log: Logger,
  ) {}

  /** Resolves true when listening; false (logged plainly) when the port is taken. */
  async start(): Promise<boolean> {
    const broker = await Aedes.createBroker({ id: 'tagwire-embedded' });
    await broker.listen();
    const server = createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      broker.handle(socket);
    });
    const ok = await new Promise<boolean>((resolve) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        const where = `${this.settings.host}:${this.settings.port}`;
        if (err.code === 'EADDRINUSE') {
          this.log.error(`embedded MQTT broker not started: port ${where} is already in use (another broker running?)`);
        } else {
          this.log.error({ err: err.message }, `embedded MQTT broker not started on ${where}`);
        }
        resolve(false);
      });
      server.listen(this.settings.port, this.settings.host, () => resolve(true));
    });
    if (!ok) {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      return false;
    }
    const address = server.address();
    this.port = typeof address === 'object' && address ? address.port : this.settings.port;
    this.broker = broker;
    this.server = server;
    this.log.info(`embedded MQTT broker listening on ${this.settings.host}:${this.port}`);
    return true;
  }

  async stop(): Promise<void> {
    const { server, broker } = this;
    this.server = undefined;
    this.broker = undefined;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    if (broker) await new Promise<void>((resolve) => broker.close(() => resolve()));
  }
}
