/**
 * A loopback front that serves a registry's repositories under a project
 * prefix, as a Harbor proxy-cache project does (`harbor.example.com/
 * ghcr-proxy/vexxhost/nova` serving `ghcr.io/vexxhost/nova`), for tests:
 * `/v2/<prefix>/<name>/…` is the registry's `/v2/<name>/…`; a name outside
 * the prefix is NAME_UNKNOWN. Clients see only prefixed names: the registry's
 * challenges name `repository:<prefix>/<name>` and a token realm on the front
 * (`/service/token`, Harbor's path), which asks the registry's own token
 * service for the names without the prefix (a scope outside the prefix is
 * dropped, so a client asking for the wrong name gets a token without
 * access); upload Locations and next-page Links come back prefixed. Headers,
 * bodies and statuses pass unchanged otherwise (Host stays the front's, so
 * the registry's absolute Locations point here). Every request is recorded
 * with the Authorization it carried, so tests can say whose credentials went
 * where. `unavailable` answers everything 503.
 */
import http from 'node:http';
import { listenOnLoopback } from './loopback.js';

export interface PrefixFrontRequest {
  method: string;
  /** path and query as the client sent them */
  url: string;
  status: number;
  /** the Authorization header the client sent, if any */
  authorization: string | undefined;
}

export interface RunningPrefixFront {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `127.0.0.1:<port>` */
  host: string;
  prefix: string;
  requests: PrefixFrontRequest[];
  /** true: every request is answered 503 without reaching the registry */
  unavailable: boolean;
  close(): Promise<void>;
}

const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade'];
const TOKEN_PATH = '/service/token';

export async function startPrefixFront(options: {
  /** the registry: `http://127.0.0.1:<port>` */
  upstream: string;
  /** `ghcr-proxy`: names on the front are `<prefix>/<name>` */
  prefix: string;
}): Promise<RunningPrefixFront> {
  const upstream = new URL(options.upstream);
  const { prefix } = options;
  const requests: PrefixFrontRequest[] = [];
  let frontUrl = '';
  /** the realm the registry's challenges named: where token requests go, scopes unprefixed */
  let upstreamRealm: string | undefined;

  const addPrefix = (path: string) => path.replace(/^\/v2\/(?=.)/, `/v2/${prefix}/`);
  function answerHeaders(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
    const out: http.OutgoingHttpHeaders = { ...headers };
    for (const h of HOP_BY_HOP) delete out[h];
    const challenge = headers['www-authenticate'];
    if (typeof challenge === 'string') {
      out['www-authenticate'] = challenge
        .replace(/realm="([^"]*)"/, (_all, realm: string) => {
          upstreamRealm = realm;
          return `realm="${frontUrl}${TOKEN_PATH}"`;
        })
        .replace(/repository:([^:"\s]+):/g, `repository:${prefix}/$1:`);
    }
    const location = headers.location;
    if (typeof location === 'string') {
      const at = new URL(location, frontUrl);
      at.pathname = addPrefix(at.pathname);
      out.location = /^https?:\/\//.test(location) ? at.toString() : `${at.pathname}${at.search}`;
    }
    if (typeof headers.link === 'string') out.link = headers.link.replace(/<\/v2\/(?=.)/g, `</v2/${prefix}/`);
    return out;
  }

  function proxy(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    path: string,
    record: PrefixFrontRequest,
  ) {
    const headers: http.OutgoingHttpHeaders = { ...req.headers };
    for (const h of HOP_BY_HOP) delete headers[h];
    const out = http.request(
      { hostname: upstream.hostname, port: upstream.port, method: req.method, path, headers },
      (answer) => {
        record.status = answer.statusCode ?? 502;
        res.writeHead(record.status, answerHeaders(answer.headers));
        answer.pipe(res);
      },
    );
    out.on('error', (err) => {
      record.status = 502;
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`prefix front: upstream failed: ${err.message}`);
    });
    req.pipe(out);
  }

  async function token(req: http.IncomingMessage, res: http.ServerResponse, record: PrefixFrontRequest) {
    const asked = new URL(req.url ?? '/', frontUrl);
    if (upstreamRealm === undefined) {
      record.status = 404;
      res.writeHead(404, { 'content-type': 'text/plain' }).end('prefix front: no token service seen yet');
      return;
    }
    const target = new URL(upstreamRealm);
    for (const [key, value] of asked.searchParams) {
      if (key !== 'scope') target.searchParams.append(key, value);
      else {
        const m = new RegExp(`^repository:${prefix.replace(/[.]/g, '\\.')}/(.+)$`).exec(value);
        if (m) target.searchParams.append('scope', `repository:${m[1]}`);
      }
    }
    const answer = await fetch(target, {
      headers: req.headers.authorization ? { authorization: req.headers.authorization } : {},
    });
    record.status = answer.status;
    res
      .writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' })
      .end(Buffer.from(await answer.arrayBuffer()));
  }

  const front: RunningPrefixFront = {
    url: '',
    host: '',
    prefix,
    requests,
    unavailable: false,
    close: () => Promise.resolve(),
  };
  const server = http.createServer((req, res) => {
    const record: PrefixFrontRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      status: 0,
      authorization: req.headers.authorization,
    };
    requests.push(record);
    const url = new URL(req.url ?? '/', frontUrl);
    const fail = (status: number, body: string, type = 'text/plain') => {
      record.status = status;
      res.writeHead(status, { 'content-type': type }).end(body);
    };
    if (front.unavailable) return fail(503, 'prefix front: unavailable');
    if (url.pathname === TOKEN_PATH && req.method === 'GET')
      return void token(req, res, record).catch((err: unknown) => fail(502, `prefix front: ${String(err)}`));
    if (url.pathname === '/v2' || url.pathname === '/v2/') return proxy(req, res, req.url ?? '/v2/', record);
    if (url.pathname.startsWith(`/v2/${prefix}/`))
      return proxy(req, res, `${url.pathname.replace(`/v2/${prefix}/`, '/v2/')}${url.search}`, record);
    fail(
      404,
      JSON.stringify({ errors: [{ code: 'NAME_UNKNOWN', message: `not under the project ${prefix}/` }] }),
      'application/json',
    );
  });
  const listening = await listenOnLoopback(server);
  frontUrl = listening.url;
  front.url = listening.url;
  front.host = listening.host;
  front.close = listening.close;
  return front;
}
