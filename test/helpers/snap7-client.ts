/**
 * Snap7's S7Client (node-snap7), used non-blocking (callbacks) so that a server in the same
 * process keeps answering: a client nobody here wrote, to check the S7 simulator with.
 */
import { createRequire } from 'node:module';

type Callback<T> = (err: unknown, result: T) => void;

interface NativeClient {
  S7AreaDB: number;
  S7AreaMK: number;
  S7WLByte: number;
  RemotePort: number;
  SetParam(param: number, value: number): boolean;
  ConnectTo(ip: string, rack: number, slot: number, cb: (err: unknown) => void): void;
  DBRead(db: number, start: number, size: number, cb: Callback<Buffer>): void;
  DBWrite(db: number, start: number, size: number, data: Buffer, cb: (err: unknown) => void): void;
  ReadMultiVars(
    vars: Array<{ Area: number; WordLen: number; DBNumber?: number; Start: number; Amount: number }>,
    cb: Callback<Array<{ Result: number; Data: Buffer | null }>>,
  ): void;
  PDULength(): number;
  ErrorText(code: unknown): string;
  Disconnect(): boolean;
}

const require = createRequire(import.meta.url);
const snap7 = require('node-snap7') as { S7Client: new () => NativeClient };

function call<T>(fn: (cb: Callback<T>) => void, client: NativeClient): Promise<T> {
  return new Promise((resolve, reject) => {
    fn((err, result) => (err ? reject(new Error(client.ErrorText(err))) : resolve(result)));
  });
}

export interface Snap7Client {
  pduLength: number;
  dbRead(db: number, start: number, size: number): Promise<Buffer>;
  dbWrite(db: number, start: number, data: Buffer): Promise<void>;
  /** Several DB byte ranges in one request; null where the PLC refused the item. */
  readMany(items: Array<{ db: number; start: number; size: number }>): Promise<Array<Buffer | null>>;
  close(): void;
}

export async function connectSnap7(port: number, rack = 0, slot = 1): Promise<Snap7Client> {
  const client = new snap7.S7Client();
  client.SetParam(client.RemotePort, port);
  await call<void>((cb) => client.ConnectTo('127.0.0.1', rack, slot, (err) => cb(err, undefined)), client);
  return {
    pduLength: client.PDULength(),
    dbRead: (db, start, size) => call<Buffer>((cb) => client.DBRead(db, start, size, cb), client),
    dbWrite: (db, start, data) =>
      call<void>((cb) => client.DBWrite(db, start, data.length, data, (err) => cb(err, undefined)), client),
    readMany: async (items) => {
      const vars = items.map((i) => ({
        Area: client.S7AreaDB,
        WordLen: client.S7WLByte,
        DBNumber: i.db,
        Start: i.start,
        Amount: i.size,
      }));
      const results = await call<Array<{ Result: number; Data: Buffer | null }>>(
        (cb) => client.ReadMultiVars(vars, cb),
        client,
      );
      return results.map((r) => (r.Result === 0 ? r.Data : null));
    },
    close: () => {
      client.Disconnect();
    },
  };
}
