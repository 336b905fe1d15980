/**
 * HTTP pieces shared by every client (registry, forge, checksum files):
 * deadlines over the whole exchange, Retry-After, and a one-line account of
 * why a server did not answer. No knowledge of any one API here.
 */

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

/**
 * fetch with a deadline over the whole exchange: the body is read here, under
 * the same AbortSignal, so a server that stalls mid-body times out too.
 */
export function fetchWithDeadline(timeoutMs: number, doFetch: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, deadline]) : deadline;
    const response = await doFetch(input, { ...init, signal });
    const bytes = await response.arrayBuffer();
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

/** Why there was no answer, in a few words: `no answer within 30000 ms`, `ECONNREFUSED (…)`, or the message. */
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
