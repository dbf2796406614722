/**
 * Peer: the S7 limit — Snap7's own client (node-snap7, native) reading the same DB bytes back
 * to back, as fast as it can. Its calls block, which is fine in a process of its own.
 */
import { createRequire } from 'node:module';
import { servePeer } from '../lib/peer-host.js';

interface NativeClient {
  RemotePort: number;
  PDURequest: number;
  SetParam(param: number, value: number): boolean;
  ConnectTo(ip: string, rack: number, slot: number): boolean;
  DBRead(db: number, start: number, size: number): Buffer | false;
  PDULength(): number;
  Disconnect(): boolean;
}

interface RunArgs {
  port: number;
  pduSize: number;
  bytes: number;
  durationMs: number;
}

const require = createRequire(import.meta.url);

function run(args: RunArgs): unknown {
  const snap7 = require('node-snap7') as { S7Client: new () => NativeClient };
  const client = new snap7.S7Client();
  client.SetParam(client.RemotePort, args.port);
  client.SetParam(client.PDURequest, args.pduSize);
  if (!client.ConnectTo('127.0.0.1', 0, 1)) throw new Error('snap7 client could not connect');
  const started = performance.now();
  const end = started + args.durationMs;
  let reads = 0;
  while (performance.now() < end) {
    if (client.DBRead(1, 0, args.bytes) === false) throw new Error('snap7 DBRead failed');
    reads++;
  }
  const seconds = (performance.now() - started) / 1000;
  const pduLength = client.PDULength();
  client.Disconnect();
  return { reads, seconds, pduLength };
}

servePeer({ pid: process.pid }, { run: (arg) => run(arg as RunArgs) });
