import { resolve } from 'node:path';

/** The data directory: flag, then TAGWIRE_DATA_DIR, then ./data. */
export function resolveDataDir(flag?: string): string {
  return resolve(flag ?? process.env.TAGWIRE_DATA_DIR ?? './data');
}
