/**
 * How the systemd service starts node (systemd/tagwire.service): its node options and the
 * allocator settings in its environment. The bench starts the gateway the same way, read from
 * the unit itself so that what is measured is what is installed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../core/package-root.js';

export interface Launch {
  nodeArgs: string[];
  env: Record<string, string>;
}

/** Environment settings of the unit that shape the process itself, not tagwire's own. */
const PROCESS_SETTING = /^(MALLOC_|GLIBC_TUNABLES$|NODE_OPTIONS$|UV_THREADPOOL_SIZE$)/;

export function parseServiceLaunch(unit: string): Launch {
  const lines = unit.split('\n').map((line) => line.trim());
  const exec = lines.find((line) => line.startsWith('ExecStart='));
  if (!exec) throw new Error('the unit has no ExecStart= line');
  const words = exec.slice('ExecStart='.length).split(/\s+/);
  const node = words.findIndex((word) => word === 'node' || word.endsWith('/node'));
  const script = words.findIndex((word) => word.endsWith('/cli.js'));
  if (node < 0 || script < node) throw new Error(`ExecStart= does not run node on cli.js: ${exec}`);
  const env: Record<string, string> = {};
  for (const line of lines) {
    const setting = /^Environment=([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (setting?.[1] && PROCESS_SETTING.test(setting[1])) env[setting[1]] = setting[2] ?? '';
  }
  return { nodeArgs: words.slice(node + 1, script), env };
}

/** The installed service's launch; `plain` (bench `--plain-launch`) is `node cli.js` as typed by hand. */
export function serviceLaunch(plain: boolean): Launch {
  return plain
    ? { nodeArgs: [], env: {} }
    : parseServiceLaunch(readFileSync(join(packageRoot(), 'systemd', 'tagwire.service'), 'utf8'));
}
