/**
 * Credentials written into a URL (`mqtt://user:pass@host:1883`). The userinfo runs to the
 * last `@` before the path, as URL parsers read it, so a raw `@` in a password is covered.
 */
const USERINFO = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/?#]+)@/;

export interface UrlWithUserinfo {
  /** `mqtt://` */
  scheme: string;
  /** `user:pass` */
  userinfo: string;
  /** `host:1883/path` */
  rest: string;
}

/** The parts of a URL that carries credentials; undefined for anything else. */
export function splitUserinfo(value: string): UrlWithUserinfo | undefined {
  const m = USERINFO.exec(value);
  if (!m) return undefined;
  return { scheme: m[1] as string, userinfo: m[2] as string, rest: value.slice(m[0].length) };
}

/** The URL without its credentials: what says where a connection goes. */
export function withoutUserinfo(value: string): string {
  const parts = splitUserinfo(value);
  return parts ? parts.scheme + parts.rest : value;
}

/** The URL with its credentials replaced by `placeholder` (unchanged when it has none). */
export function replaceUserinfo(value: string, placeholder: string): string {
  const parts = splitUserinfo(value);
  return parts ? `${parts.scheme}${placeholder}@${parts.rest}` : value;
}
