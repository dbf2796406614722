import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';

/** The usual shape of an API answer: an error, or a token, or anything else. */
export interface ApiBody {
  error?: { code: string; message: string; details: string[] };
  token?: string;
  [key: string]: unknown;
}

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json<T = ApiBody>(): T;
}

export interface HttpRequest {
  method?: string;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string or Buffer as it is. */
  body?: unknown;
  /** The client's own loopback address (127.x.y.z), to act as another machine. */
  localAddress?: string;
}

/** One request over a real socket to `base` (`http://127.0.0.1:PORT`), answered in full. */
export function httpCall(base: string, path: string, req: HttpRequest = {}): Promise<HttpAnswer> {
  const url = new URL(path, base);
  const raw =
    req.body === undefined
      ? undefined
      : typeof req.body === 'string' || Buffer.isBuffer(req.body)
        ? req.body
        : JSON.stringify(req.body);
  const headers: Record<string, string> = { ...(req.headers ?? {}) };
  if (raw !== undefined) {
    headers['content-type'] ??= 'application/json';
    headers['content-length'] = String(Buffer.byteLength(raw));
  }
  return new Promise((resolve, reject) => {
    const r = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: req.method ?? (raw === undefined ? 'GET' : 'POST'),
        headers,
        localAddress: req.localAddress,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: <T>() => JSON.parse(text) as T });
        });
        res.on('error', reject);
      },
    );
    // The server may answer (413) and close before a large body is written: the answer counts.
    r.on('error', reject);
    if (raw !== undefined) r.write(raw);
    r.end();
  });
}
