import { randomBytes } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';

export const FAULTS = [
  'lying-length',
  'wrong-transaction',
  'wrong-unit',
  'wrong-function',
  'short-payload',
  'long-payload',
  'random-bytes',
  'silence',
] as const;
export type Fault = (typeof FAULTS)[number];

/**
 * A Modbus TCP relay between the gateway and a real server that mutates answers:
 * an answer is hit with probability `faultRate`, by each kind of fault in turn. Counts what it did.
 */
export class FaultRelay {
  faultRate = 0;
  readonly injected = new Map<Fault, number>();
  answers = 0;
  private faultCount = 0;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly upstreamPort: number) {
    this.server = createServer((client) => this.relay(client));
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: Socket): void {
    const upstream = connect(this.upstreamPort, '127.0.0.1');
    this.sockets.add(client);
    this.sockets.add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
    client.on('data', (chunk) => upstream.write(chunk));
    let pending = Buffer.alloc(0);
    upstream.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 6 && pending.length >= 6 + pending.readUInt16BE(4)) {
        const frame = pending.subarray(0, 6 + pending.readUInt16BE(4));
        pending = pending.subarray(frame.length);
        this.answers++;
        const out = this.mutate(Buffer.from(frame));
        if (out && !client.destroyed) client.write(out);
      }
    });
  }

  private mutate(frame: Buffer): Buffer | undefined {
    if (Math.random() >= this.faultRate) return frame;
    // Faults take turns, so that every kind is exercised however few there are.
    const fault = FAULTS[this.faultCount++ % FAULTS.length] as Fault;
    this.injected.set(fault, (this.injected.get(fault) ?? 0) + 1);
    switch (fault) {
      case 'lying-length':
        frame.writeUInt16BE(0xffff, 4);
        return frame;
      case 'wrong-transaction':
        frame.writeUInt16BE((frame.readUInt16BE(0) + 1) & 0xffff, 0);
        return frame;
      case 'wrong-unit':
        frame[6] = ((frame[6] as number) + 1) & 0xff;
        return frame;
      case 'wrong-function':
        frame[7] = (frame[7] as number) ^ 0x01;
        return frame;
      case 'short-payload': {
        const cut = frame.subarray(0, Math.max(8, frame.length - 2));
        cut.writeUInt16BE(cut.length - 6, 4);
        return cut;
      }
      case 'long-payload': {
        const long = Buffer.concat([frame, Buffer.from([0x12, 0x34])]);
        long.writeUInt16BE(long.length - 6, 4);
        return long;
      }
      case 'random-bytes':
        return randomBytes(1 + Math.floor(Math.random() * 40));
      case 'silence':
        return undefined;
    }
  }
}
