import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * A library loaded the first time it is used, not when the gateway starts: a gateway without Modbus,
 * OPC UA, MQTT or Sparkplug never loads their libraries, one at rest never loads YAML or CSV (their
 * code and parsed sources stay out of its memory until then). Synchronous, so callers stay synchronous.
 */
export function lazyModule<T>(specifier: string): () => T {
  let loaded: T | undefined;
  return () => {
    loaded ??= require(specifier) as T;
    return loaded;
  };
}
