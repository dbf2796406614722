import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A free TCP port on 127.0.0.1 (bound and released). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Keeps 127.0.0.1:`port` during a simulated broker outage: every connection is closed at once
 * (as a broker that is down but whose host answers), and no other test's server can take the
 * port meanwhile — a gateway would otherwise reconnect to a stranger's broker.
 */
export async function holdPort(port: number): Promise<{ close(): Promise<void> }> {
  const srv = createServer((socket) => socket.destroy());
  for (let attempt = 0; ; attempt++) {
    try {
      await new Promise<void>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen(port, '127.0.0.1', () => {
          srv.off('error', reject);
          resolve();
        });
      });
      break;
    } catch (err) {
      // The stopped broker's socket may take a moment to be released.
      if (attempt >= 50) throw err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  return { close: () => new Promise<void>((resolve) => srv.close(() => resolve())) };
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`mosquitto did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface Mosquitto {
  port: number;
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts a real mosquitto (Debian package) on a free port, anonymous access. Without
 * `persistenceDir` nothing survives a restart; with it, sessions and queued messages do
 * (saved when it is stopped with SIGTERM). With `users` ({ name: password }) only those
 * logins are accepted.
 */
export async function startMosquitto(
  port?: number,
  opts: { persistenceDir?: string; users?: Record<string, string> } = {},
): Promise<Mosquitto> {
  const p = port ?? (await freePort());
  const conf = join(tmpdir(), `tagwire-mosquitto-${p}-${process.pid}.conf`);
  const persistence = opts.persistenceDir
    ? `persistence true\npersistence_location ${opts.persistenceDir}/\nmax_queued_messages 100000\n`
    : 'persistence false\n';
  let access = 'allow_anonymous true\n';
  if (opts.users) {
    const passwords = `${conf}.passwd`;
    writeFileSync(
      passwords,
      Object.entries(opts.users)
        .map(([user, pass]) => `${user}:${pass}\n`)
        .join(''),
    );
    execFileSync('mosquitto_passwd', ['-U', passwords]); // hashes the plain passwords in place
    access = `allow_anonymous false\npassword_file ${passwords}\n`;
  }
  writeFileSync(conf, `listener ${p} 127.0.0.1\n${access}${persistence}`);
  const proc: ChildProcess = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  await waitForPort(p, 5000);
  return {
    port: p,
    url: `mqtt://127.0.0.1:${p}`,
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}
