import { isIP } from 'node:net';

const LABEL = /^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;

/**
 * Why `host` is not a usable host name or IP address, or undefined when it is. A host of
 * digits and dots is taken as an IPv4 address, so `10.0.0.300` is refused rather than
 * looked up as a name (which would only fail later, as "host not found").
 */
export function hostProblem(host: string): string | undefined {
  if (isIP(host) !== 0) return undefined;
  if (/^[0-9.]+$/.test(host)) {
    return `"${host}" is not a valid IP address: it needs 4 numbers, each 0–255, e.g. 192.168.1.10`;
  }
  if (host.includes(':')) return `"${host}" is not a valid IPv6 address`;
  const labels = host.replace(/\.$/, '').split('.');
  if (host.length > 253 || !labels.every((l) => LABEL.test(l))) {
    return `"${host}" is not a valid host name: use letters, digits, hyphens and dots (no spaces), e.g. plc-1.plant.local`;
  }
  return undefined;
}

/** Why the host in a URL (e.g. `mqtt://10.0.0.300:1883`) is not usable, or undefined. */
export function urlHostProblem(url: string): string | undefined {
  let hostname: string;
  try {
    hostname = new URL(url).hostname;
  } catch {
    return `"${url}" is not a valid URL`;
  }
  if (hostname === '') return `"${url}" names no host`;
  // Brackets enclose an IPv6 literal in a URL.
  const host = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  return hostProblem(decodeURIComponent(host));
}
