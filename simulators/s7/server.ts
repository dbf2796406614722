/** The simulated S7 PLC's TCP server: one S7Session per connection, frames cut by TPKT length. */
import { createServer, type Server, type Socket } from 'node:net';
import { ProtocolError, S7Session, type SessionOptions } from './frames.js';

export interface S7SimulatorOptions extends SessionOptions {
  host: string;
  port: number;
}

export class S7Simulator {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  /** Jobs answered, over all connections (for tests and the benchmark). */
  requests = 0;

  constructor(private readonly opts: S7SimulatorOptions) {
    this.server = createServer((socket) => this.serve(socket));
  }

  async listen(): Promise<{ port: number }> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port, this.opts.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const address = this.server.address();
    return { port: typeof address === 'object' && address ? address.port : this.opts.port };
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private serve(socket: Socket): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    const session = new S7Session(this.opts);
    let pending: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      try {
        while (pending.length >= 4) {
          if (pending[0] !== 3) throw new ProtocolError('not TPKT');
          const length = pending.readUInt16BE(2);
          if (length < 7 || length > 8192) throw new ProtocolError('TPKT length out of bounds');
          if (pending.length < length) break;
          const before = session.requests;
          const answer = session.handle(pending.subarray(0, length));
          this.requests += session.requests - before;
          pending = pending.subarray(length);
          if (answer) socket.write(answer);
        }
      } catch {
        // A client that breaks the protocol is disconnected, as a CPU does.
        socket.destroy();
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.sockets.delete(socket));
  }
}
