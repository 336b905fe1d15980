/**
 * A real git remote over HTTP for tests: a loopback server that serves the bare repos under `root` with
 * git's own smart-HTTP CGI, `git http-backend`, one process per request. With `authorize` it asks for
 * HTTP Basic auth as GitHub does (401 and `WWW-Authenticate: Basic`), so git without credentials fails
 * as it would there; pushes are enabled (http.receivepack). Every request is recorded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { listenOnLoopback, type Listening } from './loopback.js';

export interface GitHttpRequest {
  method: string;
  /** e.g. /vexxhost/atmosphere/info/refs */
  path: string;
  /** the Basic auth user name, when the request carried one */
  user: string | undefined;
  /** the Basic auth password, when the request carried one (tests compare it with the tokens issued) */
  password: string | undefined;
  /** true when the request had an Authorization header of any kind */
  authorization: boolean;
  status: number;
}

export interface GitHttpServer extends Listening {
  requests: GitHttpRequest[];
}

export interface GitHttpServerOptions {
  /** directory of bare repos: /<owner>/<repo> serves <root>/<owner>/<repo>(.git) */
  root: string;
  /** decides Basic auth; absent: anyone may read and push */
  authorize?: (username: string, password: string) => boolean;
  realm?: string;
  /** holds every request this long before answering it: one round trip more per exchange (the bench's RTT) */
  holdMs?: number;
}

function basicCredential(header: string | undefined): { username: string; password: string } | undefined {
  const encoded = /^Basic\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
  if (encoded === undefined) return undefined;
  const text = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon < 0 ? undefined : { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** The CGI answer's header block (up to the first blank line) → status and headers; undefined while incomplete. */
function parseCgiHead(
  buffer: Buffer,
): { status: number; headers: Record<string, string>; rest: Buffer } | undefined {
  const crlf = buffer.indexOf('\r\n\r\n');
  const lf = buffer.indexOf('\n\n');
  const end = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf : lf;
  if (end < 0) return undefined;
  const headers: Record<string, string> = {};
  let status = 200;
  for (const line of buffer.subarray(0, end).toString('latin1').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 500;
    else headers[name] = value;
  }
  return { status, headers, rest: buffer.subarray(end + (end === crlf ? 4 : 2)) };
}

export async function startGitHttpServer(options: GitHttpServerOptions): Promise<GitHttpServer> {
  const requests: GitHttpRequest[] = [];
  const children = new Set<ChildProcess>();
  const realm = options.realm ?? 'bumpflow git stand-in';

  const serve = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://loopback');
    const credential = basicCredential(req.headers.authorization);
    const record: GitHttpRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      user: credential?.username,
      password: credential?.password,
      authorization: req.headers.authorization !== undefined,
      status: 0,
    };
    requests.push(record);
    const allowed =
      options.authorize === undefined ||
      (credential !== undefined && options.authorize(credential.username, credential.password));
    if (!allowed) {
      record.status = 401;
      req.resume();
      res.writeHead(401, { 'WWW-Authenticate': `Basic realm="${realm}"`, 'Content-Type': 'text/plain' });
      res.end('Authentication required\n');
      return;
    }
    const header = (name: string) => {
      const value = req.headers[name];
      return typeof value === 'string' ? value : undefined;
    };
    const cgi: Record<string, string | undefined> = {
      PATH: process.env.PATH,
      HOME: options.root,
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'http.receivepack',
      GIT_CONFIG_VALUE_0: 'true',
      GIT_PROJECT_ROOT: options.root,
      GIT_HTTP_EXPORT_ALL: '1',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.replace(/^\?/, ''),
      REQUEST_METHOD: record.method,
      CONTENT_TYPE: header('content-type') ?? '',
      CONTENT_LENGTH: header('content-length'),
      REMOTE_USER: credential?.username,
      REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
      HTTP_CONTENT_ENCODING: header('content-encoding'),
      GIT_PROTOCOL: header('git-protocol'),
    };
    const env = Object.fromEntries(
      Object.entries(cgi).filter((entry): entry is [string, string] => entry[1] !== undefined),
    );
    const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
    children.add(child);
    child.on('close', () => children.delete(child));
    req.pipe(child.stdin);
    child.stdin.on('error', () => undefined);
    let head = Buffer.alloc(0);
    let started = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (started) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const parsed = parseCgiHead(head);
      if (parsed === undefined) return;
      started = true;
      record.status = parsed.status;
      res.writeHead(parsed.status, parsed.headers);
      res.write(parsed.rest);
    });
    child.on('error', () => undefined);
    child.on('close', () => {
      if (!started && !res.headersSent) {
        record.status = 500;
        res.writeHead(500, { 'Content-Type': 'text/plain' });
      }
      res.end();
    });
  };
  const holdMs = options.holdMs ?? 0;
  const server = http.createServer((req, res) => {
    if (holdMs > 0) setTimeout(() => serve(req, res), holdMs);
    else serve(req, res);
  });

  const listening = await listenOnLoopback(server);
  return {
    ...listening,
    requests,
    async close() {
      for (const child of children) child.kill('SIGKILL');
      await listening.close();
    },
  };
}
