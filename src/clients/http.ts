/**
 * HTTP pieces shared by every client (registry, forge, checksum files):
 * deadlines over the whole exchange, Retry-After, and a one-line account of
 * why a server did not answer. No knowledge of any one API here.
 */
import {
  type BumpflowError,
  fatal,
  FatalFailure,
  transient,
  type TransientFailureType,
} from '../shared/failures.js';

/** Retry-After as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null | undefined, now = Date.now()): number | undefined {
  if (header === null || header === undefined) return undefined;
  const text = header.trim();
  if (text === '') return undefined;
  if (/^\d+(?:\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  if (!Number.isFinite(at)) return undefined;
  return Math.max(0, at - now);
}

/** The largest body any client reads into memory unless told otherwise (API answers are far smaller). */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

/** The most bytes a body may have: one number, or chosen from the answer (its media type). */
export type BodyLimit = number | ((response: Response) => number);

/**
 * fetch with a deadline over the whole exchange: the body is read here, under
 * the same AbortSignal, so a server that stalls mid-body times out too. The
 * body is read up to `maxBytes`: a longer one (announced, or found while
 * reading) is a typed TooLarge, its stream cancelled at once, never buffered.
 */
export function fetchWithDeadline(
  timeoutMs: number,
  doFetch: typeof fetch = fetch,
  maxBytes: BodyLimit = DEFAULT_MAX_BODY_BYTES,
): typeof fetch {
  return async (input, init) => {
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, deadline]) : deadline;
    const response = await doFetch(input, { ...init, signal });
    const limit = typeof maxBytes === 'number' ? maxBytes : maxBytes(response);
    const bytes = await readBounded(response, limit);
    const nullBody = response.status === 204 || response.status === 205 || response.status === 304;
    const copy = new Response(nullBody ? null : bytes, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
    Object.defineProperty(copy, 'url', { value: response.url });
    return copy;
  };
}

/** The whole body, or TooLarge as soon as it is known to pass `limit` bytes (the rest is never read). */
export async function readBounded(response: Response, limit: number): Promise<Uint8Array> {
  const where = response.url || 'the server';
  const tooLarge = (found: string) =>
    fatal(
      FatalFailure.TooLarge,
      `expected an answer of at most ${limit} bytes from ${where}, found ${found} (HTTP ${response.status}, ${response.headers.get('content-type') ?? 'no content type'})`,
      { url: response.url, status: response.status, limit },
    );
  const announced = Number(response.headers.get('content-length') ?? NaN);
  if (Number.isFinite(announced) && announced > limit) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge(`${announced} bytes announced (Content-Length)`);
  }
  if (response.body === null) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(`more than that (${total} bytes read when it stopped)`);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

/** Why there was no answer, in a few words: `no answer within 30000 ms`, `ECONNREFUSED (…)`, or the message. */
/** The host name DNS said does not exist (ENOTFOUND) somewhere in `err`'s cause chain, if any. */
export function unresolvedHost(err: unknown): string | undefined {
  for (
    let e: unknown = err, depth = 0;
    e !== undefined && e !== null && depth < 5;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    if ((e as { code?: unknown }).code !== 'ENOTFOUND') continue;
    const host = (e as { hostname?: unknown }).hostname;
    return typeof host === 'string' && host !== '' ? host : 'the host';
  }
  return undefined;
}

/**
 * No answer from `what`: HostNotFound (fatal, blocks a step at once) when DNS
 * says the host does not exist, else the transient `type` with `message`.
 */
export function noAnswerFailure(
  type: TransientFailureType,
  message: string,
  err: unknown,
  options: { details?: Record<string, unknown>; cause?: unknown } = {},
): BumpflowError {
  const host = unresolvedHost(err);
  if (host !== undefined)
    return fatal(
      FatalFailure.HostNotFound,
      `${message} (the host ${host} does not resolve: check the name in the input or the config, or DNS)`,
      options.details,
    );
  return transient(type, message, { cause: options.cause ?? err, ...options });
}

export function describeNoAnswer(err: unknown, timeoutMs: number): string {
  for (
    let e: unknown = err, depth = 0;
    e !== undefined && e !== null && depth < 5;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    const name = (e as { name?: unknown }).name;
    if (name === 'TimeoutError' || name === 'AbortError') return `no answer within ${timeoutMs} ms`;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z_]+$/.test(code))
      return `${code} (${clip(String((e as { message?: unknown }).message ?? ''))})`;
  }
  return clip(err instanceof Error ? err.message : String(err)) || 'no answer';
}

function clip(text: string, max = 200): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}
