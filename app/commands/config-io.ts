import { formatConfig, readConfigFile } from '../../core/config/file.js';
import type { Config } from '../../core/config/schema.js';
import { placeholdersIn } from '../../core/config/secrets.js';
import { validateConfig } from '../../core/config/validate.js';
import { GatewayError } from '../../core/errors.js';
import { resolveDataDir } from '../../core/paths.js';
import { recordConfig } from '../../core/store/config-history.js';
import { loadConfig, saveConfig } from '../../core/store/config-store.js';
import { openDb } from '../../core/store/db.js';
import { setMeta } from '../../core/store/meta.js';
import { builtinRegistry } from '../builtin-plugins.js';

/**
 * Reads and validates a config file; throws GatewayError with every `path: message`. A
 * `********` where a secret belongs (a file saved from the API) is an error, never stored.
 */
export function loadConfigFile(file: string): Config {
  const doc = readConfigFile(file);
  const result = validateConfig(doc, builtinRegistry());
  const errors = [...(result.ok ? [] : result.errors), ...placeholdersIn(doc, builtinRegistry())];
  if (!result.ok || errors.length > 0) {
    throw new GatewayError('invalid-config', `${file} is not a valid configuration`, errors);
  }
  return result.config;
}

export function validateCommand(file: string): void {
  const config = loadConfigFile(file);
  const tags = config.devices.reduce((n, d) => n + d.groups.reduce((m, g) => m + g.tags.length, 0), 0);
  process.stdout.write(
    `${file}: valid (${config.devices.length} devices, ${tags} tags, ${config.north.length} north apps)\n`,
  );
}

export function importCommand(file: string, opts: { data?: string }): void {
  const config = loadConfigFile(file);
  const db = openDb(resolveDataDir(opts.data));
  try {
    db.transaction(() => {
      saveConfig(db, config);
      recordConfig(db, config, `import ${file}`);
      setMeta(db, 'demo', undefined);
    })();
  } finally {
    db.close();
  }
  process.stdout.write(`imported ${file}: ${config.devices.length} devices, ${config.north.length} north apps\n`);
}

export function exportCommand(opts: { data?: string; format?: string }): void {
  const format = opts.format ?? 'yaml';
  if (format !== 'yaml' && format !== 'json') {
    throw new GatewayError('invalid-config', `--format must be yaml or json, not "${format}"`);
  }
  const db = openDb(resolveDataDir(opts.data));
  try {
    const config = loadConfig(db);
    if (!config)
      throw new GatewayError(
        'invalid-config',
        'no configuration stored yet; run "tagwire start" or "tagwire import FILE"',
      );
    process.stdout.write(formatConfig(config, format));
  } finally {
    db.close();
  }
}
