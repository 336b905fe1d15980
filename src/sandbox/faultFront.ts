/**
 * A loopback front before a registry, for sweep tests: every request is
 * proxied unchanged and recorded (method, path, status), except those for a
 * repository set to fail, which are answered 503 without reaching the
 * registry — one image "answering 5xx for the whole sweep".
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

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
  close(): Promise<void>;
}

export async function startFaultFront(options: { upstream: string }): Promise<RunningFaultFront> {
  const upstream = new URL(options.upstream);
  const requests: FaultRequest[] = [];
  const failing = new Set<string>();
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const record: FaultRequest = { method: req.method ?? '', url: req.url ?? '', status: 0 };
    requests.push(record);
    const path = new URL(req.url ?? '/', 'http://front').pathname;
    if ([...failing].some((repo) => path.startsWith(`/v2/${repo}/`))) {
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
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failing,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
