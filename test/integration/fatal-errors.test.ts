/**
 * An error no handler caught ends the gateway process with exit code 1, after a fatal line
 * in its own JSON log naming the error and its stack (run as a real process: the handler
 * calls process.exit).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const DIST = join(new URL('../../', import.meta.url).pathname, 'dist/core');

async function runWith(fault: string): Promise<{ code: number | null; lines: Array<Record<string, unknown>> }> {
  const script = `
    import { createLogger } from ${JSON.stringify(join(DIST, 'log.js'))};
    import { exitOnFatalErrors } from ${JSON.stringify(join(DIST, 'fatal-errors.js'))};
    const log = createLogger();
    exitOnFatalErrors(log);
    log.info('running');
    ${fault}
    setTimeout(() => log.info('still running'), 3000);
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, TAGWIRE_LOG_FORMAT: 'json', TAGWIRE_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  const lines = out
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { code, lines };
}

describe('fatal errors', () => {
  it('logs an uncaught exception as a fatal JSON line with its stack and exits with 1', async () => {
    const { code, lines } = await runWith("setTimeout(() => { throw new Error('boom in a timer'); }, 20);");
    expect(code).toBe(1);
    const fatal = lines.find((l) => l.level === 60);
    expect(fatal?.msg).toMatch(/^uncaught exception: boom in a timer/);
    expect((fatal?.err as { stack?: string } | undefined)?.stack).toContain('boom in a timer');
    expect(lines.some((l) => l.msg === 'still running')).toBe(false);
  });

  it('treats an unhandled promise rejection the same way', async () => {
    const { code, lines } = await runWith("setTimeout(() => { Promise.reject(new Error('nobody awaited')); }, 20);");
    expect(code).toBe(1);
    const fatal = lines.find((l) => l.level === 60);
    expect(fatal?.msg).toMatch(/^unhandled promise rejection: nobody awaited/);
    expect(lines.some((l) => l.msg === 'still running')).toBe(false);
  });
});
