/** Two joined serial ports (a null-modem cable in software): socat with two raw ptys. */
import { spawn } from 'node:child_process';
import { killOnExit } from './cleanup.js';

export interface Pty {
  gatewaySide: string;
  deviceSide: string;
  close(): Promise<void>;
}

export function hasSocat(): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = spawn('socat', ['-V'], { stdio: 'ignore' });
    probe.once('error', () => resolve(false));
    probe.once('exit', (code) => resolve(code === 0));
  });
}

export function openPty(timeoutMs = 5000): Promise<Pty> {
  const proc = spawn('socat', ['-d', '-d', 'pty,raw,echo=0', 'pty,raw,echo=0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  killOnExit(proc);
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const close = async (): Promise<void> => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => {
      void close();
      reject(new Error(`socat made no ptys within ${timeoutMs} ms: ${log}`));
    }, timeoutMs);
    proc.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    // socat logs "PTY is /dev/pts/N" once per end; stderr keeps being read so socat never blocks.
    proc.stderr.on('data', (chunk: Buffer) => {
      if (log === 'done') return;
      log += chunk.toString();
      const paths = [...log.matchAll(/PTY is (\S+)/g)].map((m) => m[1] as string);
      if (paths.length < 2) return;
      log = 'done';
      clearTimeout(timer);
      resolve({ gatewaySide: paths[0] as string, deviceSide: paths[1] as string, close });
    });
  });
}
