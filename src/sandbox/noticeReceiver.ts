/**
 * Loopback webhook receivers (notification targets) for the tests and the
 * history recorders: real HTTP servers on 127.0.0.1 that record every request
 * and answer 200, answer 500 to the first N requests, or never answer at all
 * (the connection stays open until the receiver is closed).
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: unknown;
  /** what the receiver answered; undefined: nothing */
  status: number | undefined;
}

export interface Receiver {
  url: string;
  requests: ReceivedRequest[];
  /** the bodies it accepted (answered 2xx) */
  accepted(): unknown[];
  close(): Promise<void>;
}

export type Answer = { kind: 'ok' } | { kind: 'fail'; first: number; status?: number } | { kind: 'hang' };

/** `onRequest`: told of each request as it is answered (the demo prints the notices). */
export async function startReceiver(
  answer: Answer = { kind: 'ok' },
  onRequest?: (r: ReceivedRequest) => void,
): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // kept as text: the test says what it expected
      }
      const failing = answer.kind === 'fail' && requests.length < answer.first;
      const status = answer.kind === 'hang' ? undefined : failing ? (answer.status ?? 500) : 200;
      const received = { headers: req.headers, body, status };
      requests.push(received);
      onRequest?.(received);
      if (status === undefined) return; // never answers
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'nope');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    accepted: () => requests.filter((r) => r.status === 200).map((r) => r.body),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
