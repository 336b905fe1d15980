/**
 * A small text fetcher for distro mirrors (directory listings, checksum
 * files, and an image's Last-Modified by HEAD): http(s) only, never a URL with credentials (also after a
 * redirect), a deadline over the whole exchange, a size limit, and the
 * failures classified at the edge —
 *   no answer, 429, 5xx      → MirrorUnavailable (transient; Retry-After honoured)
 *   401, 403                 → AuthRefused
 *   other answers            → returned with their status, for the caller to name
 * URLs in messages never carry user information (there is none to carry).
 */
import { BumpflowError, fatal, FatalFailure, transient, TransientFailure } from '../shared/failures.js';
import { urlProblem } from '../lib/catalog/catalogFile.js';
import { describeNoAnswer, fetchWithDeadline, noAnswerFailure, parseRetryAfter } from './http.js';

export interface HttpTextAnswer {
  /** the URL answered last (after redirects) */
  url: string;
  status: number;
  text: string;
}

export interface HttpFetchOptions {
  /** deadline of one exchange, body included; default 20 s */
  timeoutMs?: number;
  /** the largest body read; default 8 MiB (checksum files and listings are a few KiB) */
  maxBytes?: number;
  fetch?: typeof fetch;
}

export interface HttpHeadAnswer {
  /** the URL answered last (after redirects) */
  url: string;
  status: number;
  /** the Last-Modified header as sent, if any */
  lastModified: string | undefined;
}

export interface HttpFetch {
  /** GET `url` as text; `what` names it in messages ("the checksum file of Ubuntu 24.04"). */
  getText(url: string, what: string): Promise<HttpTextAnswer>;
  /** HEAD `url` (an image of GBs: nothing is read but its headers). */
  head(url: string, what: string): Promise<HttpHeadAnswer>;
}

function refuseUrl(url: string, what: string): void {
  const problem = urlProblem(url);
  if (problem !== undefined) throw fatal(FatalFailure.BadInput, `${what}: ${problem}`);
}

export function createHttpFetch(options: HttpFetchOptions = {}): HttpFetch {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const maxBytes = options.maxBytes ?? 8 * 1024 * 1024;
  const getFetch = fetchWithDeadline(timeoutMs, options.fetch ?? fetch, maxBytes);
  // a HEAD announces the image's length (GBs) and carries no body: no limit to apply
  const headFetch = fetchWithDeadline(timeoutMs, options.fetch ?? fetch, Number.MAX_SAFE_INTEGER);

  /** One exchange, its failures classified; other answers returned with their status. */
  async function exchange(url: string, what: string, method: 'GET' | 'HEAD'): Promise<Response> {
    refuseUrl(url, what);
    let response: Response;
    try {
      response = await (method === 'GET' ? getFetch : headFetch)(url, {
        method,
        redirect: 'follow',
        headers: { accept: 'text/plain, text/html;q=0.9, */*;q=0.5', 'user-agent': 'bumpflow' },
      });
    } catch (err) {
      if (err instanceof BumpflowError) throw err; // TooLarge, with the URL and the limit
      throw noAnswerFailure(
        TransientFailure.MirrorUnavailable,
        `${what}: expected an answer from ${url}; found ${describeNoAnswer(err, timeoutMs)}`,
        err,
      );
    }
    const finalUrl = response.url || url;
    if (finalUrl !== url) refuseUrl(finalUrl, `${what} (redirected from ${url})`);
    const status = response.status;
    if (status === 429 || status >= 500) {
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
      throw transient(
        TransientFailure.MirrorUnavailable,
        `${what}: expected 200 from ${finalUrl}; found HTTP ${status}`,
        retryAfterMs === undefined ? {} : { retryAfterMs },
      );
    }
    if (status === 401 || status === 403)
      throw fatal(
        FatalFailure.AuthRefused,
        `${what}: expected 200 from ${finalUrl}; found HTTP ${status} (the mirror refuses anonymous reads)`,
      );
    return response;
  }

  return {
    async getText(url, what) {
      const response = await exchange(url, what, 'GET');
      const bytes = new Uint8Array(await response.arrayBuffer()); // at most maxBytes: read so above
      return {
        url: response.url || url,
        status: response.status,
        text: new TextDecoder('utf-8').decode(bytes),
      };
    },
    async head(url, what) {
      const response = await exchange(url, what, 'HEAD');
      return {
        url: response.url || url,
        status: response.status,
        lastModified: response.headers.get('last-modified') ?? undefined,
      };
    },
  };
}
