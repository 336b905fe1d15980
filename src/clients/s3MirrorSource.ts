/**
 * The image a catalog entry's `url` names, streamed for the mirror upload
 * (s3Mirror.ts): one GET, read part by part into one reused buffer, hashed as
 * it is read, so no more than one part is ever in memory. Failures are
 * classified at the edge, as httpFetch.ts does for the distro mirror's text:
 *   no answer, 429, 5xx, a read that stalls or breaks   → MirrorUnavailable (transient)
 *   a host that does not resolve                        → HostNotFound
 *   401, 403                                            → AuthRefused
 *   404, 410                                            → ImageNotFound
 *   other answers                                       → BadInput (the status shown)
 */
import type { Hash } from 'node:crypto';
import { urlProblem } from '../lib/catalog/catalogFile.js';
import { type BumpflowError, fatal, FatalFailure, transient, TransientFailure } from '../shared/failures.js';
import { describeNoAnswer, noAnswerFailure, parseRetryAfter } from './http.js';

export interface SourceOptions {
  fetch: typeof fetch;
  /** the longest wait for the answer's headers, and for each chunk of its body after that */
  idleTimeoutMs: number;
  signal?: AbortSignal | undefined;
}

export interface OpenedSource {
  /** the URL that answered (after redirects) */
  url: string;
  /** Content-Length, when the source announced one */
  contentLength: number | undefined;
  /** The body's parts of `partSize` bytes (the last may be shorter; an empty body is one empty part), hashed into `hash` as read. */
  parts(partSize: number, hash: Hash): AsyncGenerator<Buffer>;
  /** Stops reading and releases the connection; safe to call more than once. */
  close(): Promise<void>;
}

function refuse(url: string, what: string): void {
  const problem = urlProblem(url);
  if (problem !== undefined) throw fatal(FatalFailure.BadInput, `${what}: ${problem}`);
}

/** GET `url` and check the answer; the body is read only by `parts`. */
export async function openSource(url: string, what: string, options: SourceOptions): Promise<OpenedSource> {
  refuse(url, what);
  const idle = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, idle.signal]) : idle.signal;
  // armed only while waiting on the source: not while the caller uploads a part
  let timer: NodeJS.Timeout | undefined;
  const disarm = (): void => clearTimeout(timer);
  const arm = (): void => {
    disarm();
    timer = setTimeout(
      () => idle.abort(new DOMException('no answer in time', 'TimeoutError')),
      options.idleTimeoutMs,
    );
  };
  const noAnswer = (err: unknown, found: string): BumpflowError => {
    if (options.signal?.aborted) throw options.signal.reason;
    return noAnswerFailure(TransientFailure.MirrorUnavailable, `${what}: expected ${found}`, err);
  };
  let response: Response;
  arm();
  try {
    response = await options.fetch(url, {
      redirect: 'follow',
      signal,
      headers: { accept: '*/*', 'accept-encoding': 'identity', 'user-agent': 'bumpflow' },
    });
  } catch (err) {
    throw noAnswer(err, `an answer from ${url}; found ${describeNoAnswer(err, options.idleTimeoutMs)}`);
  } finally {
    disarm();
  }
  const finalUrl = response.url || url;
  const close = async (): Promise<void> => {
    disarm();
    await response.body?.cancel().catch(() => undefined);
  };
  try {
    if (finalUrl !== url) refuse(finalUrl, `${what} (redirected from ${url})`);
    checkStatus(response, finalUrl, what);
  } catch (err) {
    await close();
    throw err;
  }
  const announced = Number(response.headers.get('content-length') ?? NaN);
  const body = response.body;

  async function* parts(partSize: number, hash: Hash): AsyncGenerator<Buffer> {
    const buffer = Buffer.allocUnsafe(partSize);
    let filled = 0;
    let total = 0;
    let yielded = false;
    const reader = body?.getReader();
    try {
      for (;;) {
        let chunk: { done: boolean; value?: Uint8Array | undefined };
        try {
          arm();
          chunk = reader ? await reader.read() : { done: true, value: undefined };
        } catch (err) {
          throw noAnswer(
            err,
            `the whole image from ${finalUrl}; found the body broke off after ${total} bytes: ${describeNoAnswer(err, options.idleTimeoutMs)}`,
          );
        }
        disarm();
        if (chunk.done || chunk.value === undefined) break;
        const bytes = chunk.value;
        hash.update(bytes);
        total += bytes.byteLength;
        for (let at = 0; at < bytes.byteLength;) {
          const n = Math.min(partSize - filled, bytes.byteLength - at);
          buffer.set(bytes.subarray(at, at + n), filled);
          filled += n;
          at += n;
          if (filled === partSize) {
            yield buffer.subarray(0, filled);
            yielded = true;
            filled = 0;
          }
        }
      }
      if (filled > 0 || !yielded) yield buffer.subarray(0, filled);
    } finally {
      disarm();
      await reader?.cancel().catch(() => undefined);
    }
  }

  return {
    url: finalUrl,
    contentLength: Number.isSafeInteger(announced) && announced >= 0 ? announced : undefined,
    parts,
    close,
  };
}

function checkStatus(response: Response, url: string, what: string): void {
  const status = response.status;
  if (status === 200) return;
  const found = `found HTTP ${status}`;
  if (status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    throw transient(
      TransientFailure.MirrorUnavailable,
      `${what}: expected 200 from ${url}; ${found}`,
      retryAfterMs === undefined ? {} : { retryAfterMs },
    );
  }
  if (status === 401 || status === 403)
    throw fatal(
      FatalFailure.AuthRefused,
      `${what}: expected 200 from ${url}; ${found} (the distro mirror refuses anonymous reads)`,
    );
  if (status === 404 || status === 410)
    throw fatal(FatalFailure.ImageNotFound, `${what}: expected the image file at ${url}; ${found}`, {
      url,
      status,
    });
  throw fatal(FatalFailure.BadInput, `${what}: expected 200 from ${url}; ${found}`, { url, status });
}
