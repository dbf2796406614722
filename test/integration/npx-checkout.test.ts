/**
 * `npx tagwire …` inside the checkout runs the existing build: npm's exec would otherwise run
 * the package's `prepare` (a full rebuild) and replace dist/ under a running gateway.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { CLI, ROOT } from '../helpers/cli-process.js';

it('npx tagwire in the checkout does not rebuild dist/', () => {
  // An empty npx cache, as on a machine that never ran it: the case that triggered the rebuild.
  const cache = mkdtempSync(join(tmpdir(), 'tagwire-npx-cache-'));
  try {
    const before = statSync(CLI).mtimeMs;
    const version = execFileSync('npx', ['--yes', '--cache', cache, 'tagwire', '--version'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, npm_config_update_notifier: 'false' },
    });
    const { version: expected } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(version.trim()).toBe(expected);
    expect(statSync(CLI).mtimeMs).toBe(before);
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
}, 60_000);
