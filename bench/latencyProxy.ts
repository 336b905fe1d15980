/**
 * Loopback fronts that add a round-trip time: before the registry (the
 * project's paging front, which records every request, holding each one for
 * `rttMs` before forwarding it) and before the git remotes (a small smart-HTTP
 * server running the real `git http-backend` as a CGI over the sandbox's bare
 * repos, holding each HTTP request for `rttMs`). The delay is per HTTP request,
 * not per TCP packet: one request–answer exchange costs one RTT more.
 */
import http from 'node:http';
import { spawn } from 'node:child_process';
import type { AddressInfo, Socket } from 'node:net';
import { startPagingFront, type RunningPagingFront } from '../src/sandbox/pagingFront.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The registry behind a recording front that holds every request for `rttMs` (none at 0). */
export function startRegistryFront(upstream: string, rttMs: number): Promise<RunningPagingFront> {
  return startPagingFront({ upstream, ...(rttMs > 0 ? { hold: () => sleep(rttMs) } : {}) });
}

export interface GitHttpServer {
  /** `http://127.0.0.1:<port>/`: `<url><owner>/<repo>` serves `<root>/<owner>/<repo>.git` */
  url: string;
  /** one line per HTTP request: `METHOD path?query` */
  requests: string[];
  close(): Promise<void>;
}

/** Splits a CGI answer into its status, headers and the rest (the body's first bytes). */
function parseCgiHead(
  head: Buffer,
): { status: number; headers: Array<[string, string]>; rest: Buffer } | undefined {
  const end = head.indexOf('\r\n\r\n');
  const endLf = head.indexOf('\n\n');
  const [at, skip] = end >= 0 && (endLf < 0 || end < endLf) ? [end, 4] : [endLf, 2];
  if (at < 0) return undefined;
  let status = 200;
  const headers: Array<[string, string]> = [];
  for (const line of head.subarray(0, at).toString('latin1').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') status = Number(value.split(' ')[0]) || 500;
    else headers.push([name, value]);
  }
  return { status, headers, rest: head.subarray(at + skip) };
}

/** Serves the bare repos under `root` over smart HTTP (fetch and push) through `git http-backend`. */
export async function startGitHttp(root: string, rttMs: number): Promise<GitHttpServer> {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://git');
    requests.push(`${req.method ?? ''} ${url.pathname}${url.search}`);
    const run = (): void => {
      const cgi = spawn('git', ['http-backend'], {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          GIT_CONFIG_GLOBAL: '/dev/null',
          GIT_CONFIG_NOSYSTEM: '1',
          GIT_PROJECT_ROOT: root,
          GIT_HTTP_EXPORT_ALL: '1',
          // a set REMOTE_USER turns on receive-pack (push), as behind an authenticating web server
          REMOTE_USER: 'bench',
          REMOTE_ADDR: '127.0.0.1',
          REQUEST_METHOD: req.method ?? 'GET',
          PATH_INFO: decodeURIComponent(url.pathname),
          QUERY_STRING: url.search.slice(1),
          CONTENT_TYPE: req.headers['content-type'] ?? '',
          ...(req.headers['content-encoding']
            ? { HTTP_CONTENT_ENCODING: req.headers['content-encoding'] }
            : {}),
          ...(req.headers['git-protocol'] ? { GIT_PROTOCOL: String(req.headers['git-protocol']) } : {}),
        },
      });
      let head = Buffer.alloc(0);
      let started = false;
      let stderr = '';
      cgi.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000)));
      cgi.stdout.on('data', (chunk: Buffer) => {
        if (started) {
          res.write(chunk);
          return;
        }
        head = Buffer.concat([head, chunk]);
        const parsed = parseCgiHead(head);
        if (!parsed) return;
        started = true;
        res.writeHead(parsed.status, parsed.headers.flat());
        if (parsed.rest.length > 0) res.write(parsed.rest);
      });
      cgi.on('close', (code) => {
        if (!started) {
          res.writeHead(502, { 'content-type': 'text/plain' });
          res.end(`git http-backend exited with ${code} before answering: ${stderr.trim()}`);
        } else res.end();
      });
      cgi.stdin.on('error', () => undefined);
      req.pipe(cgi.stdin);
    };
    if (rttMs > 0) void sleep(rttMs).then(run);
    else run();
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
