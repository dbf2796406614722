/**
 * Runs once before any test file: builds what the process and browser tests run (the CLI in
 * dist/ and the web UI bundle). Building here, not per file, keeps parallel test files from
 * reading a half-written build.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildUiIfStale } from './e2e/browser.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export default function setup(): void {
  // Always compile: dist must match the sources under test.
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  buildUiIfStale();
}
