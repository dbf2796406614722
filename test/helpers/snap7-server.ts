/**
 * A real S7 stack nobody here wrote: Snap7's S7Server (node-snap7, native), serving a
 * documented memory image on a free port. Values are placed with big-endian writes,
 * exactly as a PLC stores them.
 */
import { createRequire } from 'node:module';
import { freePort } from './mosquitto.js';

interface NativeServer {
  srvAreaPE: number;
  srvAreaPA: number;
  srvAreaMK: number;
  srvAreaDB: number;
  LocalPort: number;
  SetParam(param: number, value: number): boolean;
  /** The index (DB number) is passed only for data blocks. */
  RegisterArea(area: number, ...indexAndBuffer: [number, Buffer] | [Buffer]): boolean;
  GetArea(area: number, index?: number): Buffer;
  SetArea(area: number, ...indexAndBuffer: [number, Buffer] | [Buffer]): boolean;
  StartTo(ip: string): boolean | number;
  Stop(): boolean | number;
}

const require = createRequire(import.meta.url);
const snap7 = require('node-snap7') as { S7Server: new () => NativeServer };

/**
 * The image (byte offsets; S7 big-endian):
 *
 * DB1 (100 bytes) — one of every type:
 *   DBX0.0 true, DBX0.1 false, DBX0.3 true (byte 0 = 0x09)
 *   DBB1 int8 -5, DBB2 uint8 200
 *   DBW4 int16 -12345, DBW6 uint16 54321
 *   DBD8 int32 -123456789, DBD12 uint32 3000000000, DBD16 float32 21.5
 *   DBB20 int64 -9007199254740993 (beyond 2^53), DBB28 uint64 18446744073709551615
 *   DBB36 float64 3.141592653589793
 *   DBB44 STRING[10] 'Hello' (header 10, 5)
 *   DBW56 int16 1234 (read with scale 0.1 → 123.4)
 *   DBD60 float32 setpoint 0, DBW64 int16 0, DBX66.2 false, DBB68 STRING[8] '' — write targets
 * DB2 (400 bytes): float32 i * 1.5 at DBD(4 * i), i = 0..99
 * M (64 bytes): MB0 0x81 (M0.0 and M0.7 true), MW2 4660, MD4 float32 1.5
 * I (16 bytes): IB0 0x05 (I0.0 and I0.2 true), IW2 1000
 * Q (16 bytes): QB0 0x02 (Q0.1 true), QW2 77
 */
export function documentedImage(): { db1: Buffer; db2: Buffer; m: Buffer; i: Buffer; q: Buffer } {
  const db1 = Buffer.alloc(100);
  db1[0] = 0x09;
  db1.writeInt8(-5, 1);
  db1.writeUInt8(200, 2);
  db1.writeInt16BE(-12345, 4);
  db1.writeUInt16BE(54321, 6);
  db1.writeInt32BE(-123456789, 8);
  db1.writeUInt32BE(3000000000, 12);
  db1.writeFloatBE(21.5, 16);
  db1.writeBigInt64BE(-9007199254740993n, 20);
  db1.writeBigUInt64BE(18446744073709551615n, 28);
  db1.writeDoubleBE(Math.PI, 36);
  db1[44] = 10;
  db1[45] = 5;
  db1.write('Hello', 46, 'latin1');
  db1.writeInt16BE(1234, 56);
  db1[68] = 8;
  const db2 = Buffer.alloc(400);
  for (let i = 0; i < 100; i++) db2.writeFloatBE(i * 1.5, 4 * i);
  const m = Buffer.alloc(64);
  m[0] = 0x81;
  m.writeUInt16BE(4660, 2);
  m.writeFloatBE(1.5, 4);
  const i = Buffer.alloc(16);
  i[0] = 0x05;
  i.writeUInt16BE(1000, 2);
  const q = Buffer.alloc(16);
  q[0] = 0x02;
  q.writeUInt16BE(77, 2);
  return { db1, db2, m, i, q };
}

export interface Snap7Server {
  port: number;
  /** The bytes the server holds now. */
  area(area: 'DB' | 'M' | 'I' | 'Q', db?: number): Buffer;
  setArea(area: 'DB' | 'M' | 'I' | 'Q', db: number, data: Buffer): void;
  /** Registers one more data block (e.g. a large one for packing tests). */
  addDb(db: number, data: Buffer): void;
  stop(): void;
  start(): void;
  close(): void;
}

export async function startSnap7(extraDbs: Record<number, Buffer> = {}): Promise<Snap7Server> {
  const port = await freePort();
  const server = new snap7.S7Server();
  const image = documentedImage();
  const code = { DB: server.srvAreaDB, M: server.srvAreaMK, I: server.srvAreaPE, Q: server.srvAreaPA };
  server.RegisterArea(server.srvAreaDB, 1, image.db1);
  server.RegisterArea(server.srvAreaDB, 2, image.db2);
  for (const [db, data] of Object.entries(extraDbs)) server.RegisterArea(server.srvAreaDB, Number(db), data);
  server.RegisterArea(server.srvAreaMK, image.m);
  server.RegisterArea(server.srvAreaPE, image.i);
  server.RegisterArea(server.srvAreaPA, image.q);
  server.SetParam(server.LocalPort, port);
  const start = () => {
    if (server.StartTo('127.0.0.1') === false) throw new Error(`snap7 server could not listen on ${port}`);
  };
  start();
  let running = true;
  return {
    port,
    area: (area, db = 0) => (area === 'DB' ? server.GetArea(code.DB, db) : server.GetArea(code[area])),
    setArea: (area, db, data) => {
      if (area === 'DB') server.SetArea(code.DB, db, data);
      else server.SetArea(code[area], data);
    },
    addDb: (db, data) => {
      server.RegisterArea(server.srvAreaDB, db, data);
    },
    stop: () => {
      if (running) server.Stop();
      running = false;
    },
    start: () => {
      start();
      running = true;
    },
    close: () => {
      if (running) server.Stop();
      running = false;
    },
  };
}
