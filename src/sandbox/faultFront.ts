/**
 * A loopback front before a registry, for sweep tests: every request is
 * proxied unchanged and recorded (method, path, status), except those for a
 * repository set to fail, which are answered 503 without reaching the
 * registry — one image "answering 5xx for the whole sweep" — and those of a
 * repository set to blip: its next N requests answered 503, then passed
 * through again (a registry's moment of trouble).
 */
import http from 'node:http';
import { listenOnLoopback } from './loopback.js';

export interface FaultRequest {
  method: string;
  url: string;
  status: number;
}

export interface RunningFaultFront {
  url: string;
  requests: FaultRequest[];
  /** repositories answered 503 (`vexxhost/glance`); change it at any time */
  failing: Set<string>;
  /** repository → how many of its next requests are answered 503 (counts down to 0, then passes through) */
  blips: Map<string, number>;
  close(): Promise<void>;
}

export async function startFaultFront(options: { upstream: string }): Promise<RunningFaultFront> {
  const upstream = new URL(options.upstream);
  const requests: FaultRequest[] = [];
  const failing = new Set<string>();
  const blips = new Map<string, number>();
  const blipped = (path: string) => {
    const repo = [...blips.keys()].find((r) => path.startsWith(`/v2/${r}/`) && blips.get(r)! > 0);
    if (repo !== undefined) blips.set(repo, blips.get(repo)! - 1);
    return repo !== undefined;
  };
  const server = http.createServer((req, res) => {
    const record: FaultRequest = { method: req.method ?? '', url: req.url ?? '', status: 0 };
    requests.push(record);
    const path = new URL(req.url ?? '/', 'http://front').pathname;
    if ([...failing].some((repo) => path.startsWith(`/v2/${repo}/`)) || blipped(path)) {
      record.status = 503;
      res.writeHead(503, { 'content-type': 'text/plain' }).end('fault front: unavailable');
      return;
    }
    const headers: http.OutgoingHttpHeaders = { ...req.headers };
    for (const h of ['connection', 'keep-alive', 'transfer-encoding', 'upgrade']) delete headers[h];
    const out = http.request(
      { hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers },
      (answer) => {
        record.status = answer.statusCode ?? 502;
        res.writeHead(record.status, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', (err) => {
      record.status = 502;
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`fault front: upstream failed: ${err.message}`);
    });
    req.pipe(out);
  });
  const { url, close } = await listenOnLoopback(server);
  return { url, requests, failing, blips, close };
}
