import { type ChildProcess, spawn } from 'node:child_process';
import { access } from 'node:fs/promises';

export interface PtyPair {
  /** Two linked serial devices: bytes written to one are read from the other. */
  a: string;
  b: string;
  /** Stops socat; both devices disappear. */
  close(): Promise<void>;
}

/**
 * A pair of linked ptys made by socat (apt package `socat`), like two serial ports joined by a
 * null-modem cable. With `links`, the ptys are also reachable under those fixed paths, so that a
 * pair made again after close() looks like the same adapter plugged back in.
 */
export async function ptyPair(timeoutMs = 5000, links?: [string, string]): Promise<PtyPair> {
  const end = (link?: string) => (link ? `pty,raw,echo=0,link=${link}` : 'pty,raw,echo=0');
  const proc = spawn('socat', ['-d', '-d', end(links?.[0]), end(links?.[1])], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<void>((resolve) => proc.once('close', () => resolve()));
  const close = async (): Promise<void> => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    await exited;
  };
  try {
    const [ptyA, ptyB] = await ptyPaths(proc, timeoutMs);
    const a = links?.[0] ?? ptyA;
    const b = links?.[1] ?? ptyB;
    await waitForFiles([a, b], timeoutMs);
    return { a, b, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Reads "… N PTY is /dev/pts/7" twice from socat's -d -d log. */
function ptyPaths(proc: ChildProcess, timeoutMs: number): Promise<[string, string]> {
  return new Promise((resolve, reject) => {
    let log = '';
    let settled = false;
    const finish = (err?: Error, paths?: [string, string]): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      proc.off('error', onError);
      proc.off('exit', onExit);
      if (paths) resolve(paths);
      else reject(err);
    };
    const timer = setTimeout(() => finish(new Error(`socat made no ptys within ${timeoutMs} ms: ${log}`)), timeoutMs);
    const onError = (err: Error): void => finish(new Error(`cannot run socat (is it installed?): ${err.message}`));
    const onExit = (code: number | null): void =>
      finish(new Error(`socat exited with ${code} before making ptys: ${log}`));
    proc.on('error', onError);
    proc.on('exit', onExit);
    // Keep reading after the paths, so socat never blocks on a full stderr pipe.
    proc.stderr?.on('data', (chunk: Buffer) => {
      if (settled) return;
      log += chunk.toString();
      const paths = [...log.matchAll(/PTY is (\S+)/g)].map((m) => m[1] ?? '');
      if (paths.length >= 2) finish(undefined, [paths[0] ?? '', paths[1] ?? '']);
    });
  });
}

async function waitForFiles(paths: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const path of paths) {
    for (;;) {
      try {
        await access(path);
        break;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`${path} did not appear within ${timeoutMs} ms`, { cause: err });
        await new Promise((r) => setTimeout(r, 10));
      }
    }
  }
}
