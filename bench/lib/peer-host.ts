/** The peer side: answer the harness's calls; leave when the harness goes away. */
import type { PeerMessage } from './peer-protocol.js';

export type Handlers = Record<string, (arg: unknown) => unknown>;

function send(message: PeerMessage): void {
  process.send?.(message);
}

/** Says ready with `info`, then runs handlers by command name until the IPC channel closes. */
export function servePeer(info: unknown, handlers: Handlers, onExit: () => Promise<void> = async () => {}): void {
  process.on('message', (raw) => {
    const message = raw as PeerMessage;
    if (message.kind !== 'call') return;
    const handler = handlers[message.cmd];
    if (!handler) {
      send({ kind: 'reply', id: message.id, error: `unknown command ${message.cmd}` });
      return;
    }
    Promise.resolve()
      .then(() => handler(message.arg))
      .then(
        (result) => send({ kind: 'reply', id: message.id, result }),
        (err: unknown) =>
          send({ kind: 'reply', id: message.id, error: err instanceof Error ? err.message : String(err) }),
      );
  });
  // The harness disconnects (or dies): nothing of ours may outlive it.
  process.once('disconnect', () => {
    const timer = setTimeout(() => process.exit(0), 2000);
    timer.unref();
    void onExit().finally(() => process.exit(0));
  });
  send({ kind: 'reply', id: 0, result: info });
}

/** Positional argument `i` as text; exits with a message when it is missing. */
export function arg(i: number, name: string): string {
  const value = process.argv[2 + i];
  if (value === undefined) {
    process.stderr.write(`missing argument ${i} (${name})\n`);
    process.exit(2);
  }
  return value;
}
