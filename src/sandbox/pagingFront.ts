/**
 * A loopback "paging front" before a registry, for tests: Debian's
 * distribution 2.8.2 ignores `n` on `GET /v2/<name>/tags/list` and answers
 * every tag at once, so this front asks the registry for the whole list
 * (forwarding the client's Authorization) and answers it in pages of `n`
 * after `last`, with `Link: <…>; rel="next"` as the distribution spec says.
 * Every other request is proxied unchanged (method, headers, body, status),
 * and every request is recorded so a test can count what a client did.
 */
import http from 'node:http';
import { listenOnLoopback } from './loopback.js';

export interface FrontRequest {
  method: string;
  /** path and query as the client sent them */
  url: string;
  /** the status the front answered */
  status: number;
}

export interface RunningPagingFront {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `127.0.0.1:<port>` */
  host: string;
  requests: FrontRequest[];
  close(): Promise<void>;
}

const TAGS_LIST = /^\/v2\/(.+)\/tags\/list$/;

/** The headers to send upstream: the client's, minus hop-by-hop ones. */
function forwardHeaders(req: http.IncomingMessage): http.OutgoingHttpHeaders {
  const headers: http.OutgoingHttpHeaders = { ...req.headers };
  for (const h of ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade'])
    delete headers[h];
  return headers;
}

export async function startPagingFront(options: {
  upstream: string;
  /** a test's hook: a promise here holds the request until it settles (e.g. to kill a client mid-write) */
  hold?: (request: { method: string; url: string }) => Promise<void> | undefined;
  /** the same, after the registry answered and before the client hears it (a write that landed, unacknowledged) */
  holdAnswer?: (request: { method: string; url: string; status: number }) => Promise<void> | undefined;
}): Promise<RunningPagingFront> {
  const upstream = new URL(options.upstream);
  const requests: FrontRequest[] = [];

  function proxy(req: http.IncomingMessage, res: http.ServerResponse, record: FrontRequest): void {
    const out = http.request(
      {
        hostname: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        // Host stays the front's: the registry builds upload Locations from it, so they come back here.
        headers: forwardHeaders(req),
      },
      (answer) => {
        record.status = answer.statusCode ?? 502;
        const deliver = (): void => {
          res.writeHead(record.status, answer.headers);
          answer.pipe(res);
        };
        const held = options.holdAnswer?.(record);
        if (held === undefined) deliver();
        else void held.then(deliver, deliver);
      },
    );
    out.on('error', (err) => {
      record.status = 502;
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`paging front: upstream ${upstream.origin} failed: ${err.message}`);
    });
    req.pipe(out);
  }

  async function page(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    record: FrontRequest,
    name: string,
  ) {
    const url = new URL(req.url ?? '/', 'http://front');
    const answer = await fetch(`${upstream.origin}/v2/${name}/tags/list`, {
      headers: req.headers.authorization ? { authorization: req.headers.authorization } : {},
    });
    const body = Buffer.from(await answer.arrayBuffer());
    record.status = answer.status;
    if (answer.status !== 200) {
      // 401 with its challenge, 404 NAME_UNKNOWN …: as the registry said it.
      const headers: Record<string, string> = {};
      answer.headers.forEach((value, key) => {
        if (key !== 'content-length' && key !== 'transfer-encoding' && key !== 'connection')
          headers[key] = value;
      });
      res.writeHead(answer.status, headers).end(body);
      return;
    }
    const all = JSON.parse(body.toString('utf8')) as { name: string; tags: string[] | null };
    const tags = [...(all.tags ?? [])].sort();
    const last = url.searchParams.get('last');
    const n = Number(url.searchParams.get('n') ?? '0');
    const after = last === null ? tags : tags.filter((t) => t > last);
    const pageTags = n > 0 ? after.slice(0, n) : after;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (n > 0 && after.length > pageTags.length) {
      const next = new URLSearchParams({ n: String(n), last: pageTags.at(-1)! });
      headers.link = `</v2/${name}/tags/list?${next.toString()}>; rel="next"`;
    }
    res.writeHead(200, headers).end(JSON.stringify({ name: all.name, tags: pageTags }));
  }

  const server = http.createServer((req, res) => {
    const record: FrontRequest = { method: req.method ?? '', url: req.url ?? '', status: 0 };
    requests.push(record);
    const route = (): void => {
      const path = new URL(req.url ?? '/', 'http://front').pathname;
      const m = req.method === 'GET' ? TAGS_LIST.exec(path) : null;
      if (!m) return proxy(req, res, record);
      page(req, res, record, m[1]!).catch((err: unknown) => {
        record.status = 502;
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`paging front: ${err instanceof Error ? err.message : String(err)}`);
      });
    };
    const held = options.hold?.({ method: record.method, url: record.url });
    if (held === undefined) route();
    else void held.then(route, route);
  });
  const { url, host, close } = await listenOnLoopback(server);
  return { url, host, requests, close };
}
