import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * A library loaded the first time it is used, not when the gateway starts: YAML and CSV serve
 * imports, exports and downloads, which a gateway at rest never does (their code and parsed
 * sources stay out of its memory until then). Synchronous, so callers stay synchronous.
 */
export function lazyModule<T>(specifier: string): () => T {
  let loaded: T | undefined;
  return () => {
    loaded ??= require(specifier) as T;
    return loaded;
  };
}
