import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy that can turn its open connections into a black hole: bytes are swallowed in
 * both directions and nothing is closed, as when a NAT or firewall on the way forgets a
 * connection. New connections made afterwards are forwarded normally.
 */
export class BlackholeProxy {
  private readonly server: Server;
  private readonly pairs = new Set<{ client: Socket; upstream: Socket; open: boolean }>();

  constructor(upstreamPort: number) {
    this.server = createServer((client) => {
      const upstream = connect(upstreamPort, '127.0.0.1');
      const pair = { client, upstream, open: true };
      this.pairs.add(pair);
      client.on('data', (d) => pair.open && upstream.write(d));
      upstream.on('data', (d) => pair.open && client.write(d));
      const end = () => {
        client.destroy();
        upstream.destroy();
        this.pairs.delete(pair);
      };
      client.on('close', end).on('error', end);
      upstream.on('close', end).on('error', end);
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  /** Every connection open now stops carrying bytes, silently. */
  swallowOpenConnections(): number {
    for (const pair of this.pairs) pair.open = false;
    return this.pairs.size;
  }

  async close(): Promise<void> {
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
