import { createServer, type Socket } from 'node:net';
import { Aedes } from 'aedes';

export interface TestBroker {
  port: number;
  url: string;
  stop(): Promise<void>;
}

/**
 * A real MQTT 3.1.1 broker (aedes) that treats topic names the way RabbitMQ's MQTT plugin
 * does by default: every `.` in a published topic and in a subscription becomes a `/`
 * (AMQP routing keys use `.` as the level separator), so `spBv1.0/G/NCMD/n` is delivered
 * as `spBv1/0/G/NCMD/n`. Nothing else differs from an ordinary broker.
 */
export async function startDotRewritingBroker(): Promise<TestBroker> {
  const broker = await Aedes.createBroker({
    authorizePublish: (_client, packet, done) => {
      packet.topic = packet.topic.replaceAll('.', '/');
      done(null);
    },
    authorizeSubscribe: (_client, sub, done) => {
      sub.topic = sub.topic.replaceAll('.', '/');
      done(null, sub);
    },
  });
  await broker.listen();
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    broker.handle(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
    },
  };
}

/**
 * A broker that speaks only MQTT 3.1.1 the way RabbitMQ's MQTT plugin meets an MQTT 5
 * client: it reads the CONNECT and, when its protocol level is 5, closes the socket without
 * a CONNACK. Any other CONNECT gets a CONNACK (accepted) and is then left alone.
 */
export async function startMqtt311OnlyBroker(): Promise<TestBroker & { refused: () => number }> {
  let refused = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const level = connectProtocolLevel(buffered);
      if (level === undefined) return;
      socket.removeAllListeners('data');
      if (level === 5) {
        refused++;
        socket.end();
      } else socket.write(Buffer.from([0x20, 0x02, 0x00, 0x00]));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    refused: () => refused,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The protocol level of a CONNECT packet once its variable header is in `data`, else undefined. */
function connectProtocolLevel(data: Buffer): number | undefined {
  if (data.length < 2 || data[0] !== 0x10) return undefined;
  // Remaining length: 1–4 bytes, 7 bits each.
  let offset = 1;
  while (offset < data.length && ((data[offset] as number) & 0x80) !== 0) offset++;
  offset++;
  if (data.length < offset + 2) return undefined;
  const nameLength = data.readUInt16BE(offset);
  const levelAt = offset + 2 + nameLength;
  return levelAt < data.length ? data[levelAt] : undefined;
}
