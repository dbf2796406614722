/**
 * Modbus RTU over TCP: RTU frames (unit id … CRC, no MBAP header) on a TCP socket, as a serial
 * device server forwards them. Each connection gets its own RTU receiver; faults and counters
 * are shared, as they would be for the one serial line behind such a server.
 */
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import type { ModbusDataModel } from './modbus-model.js';
import { ModbusRtuSimulator } from './modbus-rtu-server.js';
import { RtuSlaveControls } from './rtu-slave-controls.js';

export interface ModbusRtuTcpSimulatorOptions {
  /** Default 127.0.0.1: a simulator is not exposed to the network unless asked. */
  host?: string;
  /** Default 0 = a free port chosen by the OS (see listen()). */
  port?: number;
  interFrameMs?: number;
}

export class ModbusRtuTcpSimulator extends RtuSlaveControls {
  private readonly server: Server;
  private readonly open = new Map<Socket, ModbusRtuSimulator>();
  private readonly host: string;
  private readonly port: number;

  constructor(
    readonly model: ModbusDataModel,
    private readonly options: ModbusRtuTcpSimulatorOptions = {},
  ) {
    super();
    this.host = options.host ?? '127.0.0.1';
    this.port = options.port ?? 0;
    this.server = createServer((socket) => this.accept(socket));
    // Errors after listen (e.g. EMFILE on accept) must not crash the host process.
    this.server.on('error', () => {});
  }

  /** Open client connections. */
  get connections(): number {
    return this.open.size;
  }

  /** Starts listening; resolves with the actual port (useful with port 0). */
  async listen(): Promise<{ port: number }> {
    if (!this.server.listening) {
      await new Promise<void>((resolve, reject) => {
        const onError = (err: NodeJS.ErrnoException): void => {
          const where = `${this.host}:${this.port}`;
          const reason = err.code === 'EADDRINUSE' ? 'port already in use' : err.message;
          reject(new Error(`Modbus RTU-over-TCP simulator cannot listen on ${where}: ${reason}`, { cause: err }));
        };
        this.server.once('error', onError);
        this.server.listen(this.port, this.host, () => {
          this.server.off('error', onError);
          resolve();
        });
      });
    }
    return { port: (this.server.address() as AddressInfo).port };
  }

  /** Stops listening and drops every client connection. */
  async close(): Promise<void> {
    for (const [socket, sim] of this.open) {
      sim.detach();
      socket.destroy();
    }
    this.open.clear();
    if (!this.server.listening) return;
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    const sim = new ModbusRtuSimulator(this.model, { interFrameMs: this.options.interFrameMs, controls: this });
    this.open.set(socket, sim);
    socket.setNoDelay(true);
    sim.attach(socket);
    // A client reset is routine; 'close' follows and cleans up.
    socket.on('error', () => {});
    socket.on('close', () => {
      sim.detach();
      this.open.delete(socket);
    });
  }
}
