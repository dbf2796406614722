import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { type Qos0Client, Qos0Queue } from '../../../../northbound/mqtt/qos0-queue.js';

/** A client whose socket holds what the test says, and drains when told. */
class FakeClient implements Qos0Client {
  connected = true;
  readonly sent: string[] = [];
  readonly socket = new EventEmitter();
  readonly stream = {
    writableLength: 0,
    writableNeedDrain: false,
    once: (event: 'drain', listener: () => void) => this.socket.once(event, listener),
  };

  publish(_topic: string, payload: string): void {
    this.sent.push(payload);
  }

  fill(): void {
    this.stream.writableLength = 1000;
    this.stream.writableNeedDrain = true;
  }

  drain(): void {
    this.stream.writableLength = 0;
    this.stream.writableNeedDrain = false;
    this.socket.emit('drain');
  }
}

function setup(limits = { maxMessages: 3, maxBytes: 1_000_000 }) {
  const client = new FakeClient();
  const queue = new Qos0Queue(true, limits, 100);
  queue.connected(client);
  return { client, queue };
}

describe('Qos0Queue', () => {
  it('hands messages straight to mqtt.js while the socket keeps up', () => {
    const { client, queue } = setup();
    expect(queue.send('t', 'a')).toBe(true);
    expect(queue.send('t', 'b')).toBe(true);
    expect(client.sent).toEqual(['a', 'b']);
    expect(queue).toMatchObject({ sent: 2, dropped: 0, length: 0 });
  });

  it('queues while the socket is full, drops the oldest past the bound, and sends the rest in order on drain', () => {
    const { client, queue } = setup();
    client.fill();
    for (const p of ['1', '2', '3', '4', '5']) queue.send('t', p);
    expect(client.sent).toEqual([]);
    expect(queue).toMatchObject({ length: 3, dropped: 2 });
    client.drain();
    expect(client.sent).toEqual(['3', '4', '5']);
    expect(queue).toMatchObject({ length: 0, sent: 3, dropped: 2 });
  });

  it('bounds the bytes waiting too', () => {
    const { client, queue } = setup({ maxMessages: 100, maxBytes: 10 });
    client.fill();
    for (const p of ['aaaa', 'bbbb', 'cccc', 'dddd']) queue.send('t', p);
    expect(queue).toMatchObject({ length: 2, dropped: 2 });
    client.drain();
    expect(client.sent).toEqual(['cccc', 'dddd']);
  });

  it('stops at a socket that fills again, and goes on at the next drain', () => {
    const { client, queue } = setup({ maxMessages: 100, maxBytes: 1e6 });
    client.fill();
    for (const p of ['1', '2', '3']) queue.send('t', p);
    client.publish = (_t, payload) => {
      client.sent.push(payload);
      client.fill(); // every message fills the socket
    };
    client.drain();
    expect(client.sent).toEqual(['1']);
    client.drain();
    client.drain();
    expect(client.sent).toEqual(['1', '2', '3']);
  });

  it('keeps nothing across a lost connection, and counts it', () => {
    const { client, queue } = setup();
    client.fill();
    queue.send('t', 'x');
    queue.send('t', 'y');
    queue.disconnected();
    expect(queue).toMatchObject({ length: 0, dropped: 2 });
    expect(queue.send('t', 'z')).toBe(false);
    client.drain();
    expect(client.sent).toEqual([]);
  });
});
