/**
 * fetch wrapper for the gateway API. After login the bearer token is kept in memory only;
 * the httpOnly session cookie set by the same login keeps a reload logged in (and carries
 * the SSE stream). Errors become ApiError from the `{error: {code, message, details}}` body.
 */

import { pluginAdvice } from './plugins';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let token: string | undefined;
let unauthorizedHandler: (() => void) | undefined;

/** Called when the API answers 401 (session expired, logged out elsewhere). */
export function onUnauthorized(fn: () => void): void {
  unauthorizedHandler = fn;
}

interface RequestOptions {
  /** A body already serialised: JSON (keeps 64-bit integers exact), or text of `contentType`. */
  rawBody?: string;
  /** Content type of `rawBody`; default application/json. */
  contentType?: string;
  /** The answer as text (e.g. `?format=yaml`) instead of parsed JSON; errors are handled the same. */
  asText?: boolean;
}

/** Parses JSON keeping integers beyond 2^53 exact, as bigint (the API writes them exactly). */
export function parseJsonExact(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown, ctx?: { source?: string }) => {
    if (typeof value === 'number' && !Number.isSafeInteger(value) && ctx?.source && /^-?\d+$/.test(ctx.source)) {
      return BigInt(ctx.source);
    }
    return value;
  });
}

export async function api<T>(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
  // Says the change came from the web UI (the configuration history shows `ui:` for it).
  const headers: Record<string, string> = { accept: 'application/json', 'x-tagwire-client': 'web-ui' };
  const payload = opts.rawBody ?? (body === undefined ? undefined : JSON.stringify(body));
  if (payload !== undefined) headers['content-type'] = opts.contentType ?? 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: payload ?? null, credentials: 'same-origin' });
  } catch {
    throw new ApiError(
      0,
      'network',
      'The gateway cannot be reached. Check that it is running and the network, then retry.',
    );
  }
  const text = await res.text();
  let data: unknown;
  try {
    data = text ? parseJsonExact(text) : undefined;
  } catch {
    data = undefined;
  }
  if (!res.ok) {
    const err = (data as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
    const details = Array.isArray(err?.details) ? err.details.map(String) : [];
    if (res.status === 401 && path !== '/api/v1/auth/login') {
      token = undefined;
      unauthorizedHandler?.();
    }
    throw new ApiError(res.status, err?.code ?? `http-${res.status}`, err?.message ?? res.statusText, details);
  }
  return (opts.asText ? text : data) as T;
}

export interface LoginResult {
  token: string;
  user?: { username: string; role: string };
}

/** The logged-in user (`GET /api/v1/auth/me`). */
export interface Me {
  username: string;
  role: 'admin' | 'operator' | 'viewer';
}

export async function login(username: string, password: string): Promise<LoginResult> {
  const result = await api<LoginResult>('POST', '/api/v1/auth/login', { username, password });
  token = result.token;
  return result;
}

export async function logout(): Promise<void> {
  try {
    await api('POST', '/api/v1/auth/logout');
  } finally {
    token = undefined;
  }
}

/** What the user should do about an error, in a sentence. */
export function errorAdvice(err: ApiError): string {
  switch (err.code) {
    case 'invalid-config':
      return 'Nothing was changed. Correct the fields listed and save again.';
    case 'network':
      return '';
    case 'unauthorized':
      return 'Your session has ended. Log in again.';
    case 'csrf':
      return 'Reload the page and try again.';
    case 'rate-limited':
      return 'Wait until the time shown has passed, then log in again.';
    case 'invalid-credentials':
      return 'Check the user name and password (they are case-sensitive).';
    case 'forbidden':
      return 'Your role does not allow this. Ask an admin to do it, or to give you another role.';
    case 'not-supported':
      return 'This driver cannot do that.';
    case 'not-connected':
    case 'disconnected':
    case 'timeout':
      return 'The device is not answering. Check its state on the Overview page and its network or cable.';
    case 'device-disabled':
      return 'Enable the device first (Devices page).';
    case 'read-only':
      return 'Set the tag’s access to "readwrite" to allow writes.';
    case 'invalid-address':
      return 'Correct the address: the tag editor shows the forms this device’s driver understands, with examples.';
    case 'out-of-range':
    case 'invalid-value':
      return 'Enter a value that fits the tag’s type.';
    default:
      return pluginAdvice(err.code) ?? (err.status >= 500 ? 'This is a gateway problem: see its log for details.' : '');
  }
}
