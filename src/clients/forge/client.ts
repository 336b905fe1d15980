/**
 * One configured Octokit and what every forge call shares: the API root, the
 * deadline, whether a token is set, and a redactor that keeps it out of text.
 *
 * Temporal owns retries: @octokit/rest has no retry or throttling plugin and
 * none is added; every HTTP exchange (headers and body) has a deadline
 * (src/clients/http.ts).
 */
import { Octokit } from '@octokit/rest';
import { fetchWithDeadline } from '../http.js';
import { classify } from './classify.js';
import { checkBaseUrl, checkTimeout, DEFAULT_BASE_URL, DEFAULT_TIMEOUT_MS } from './settings.js';
import type { ForgeOptions } from './types.js';

const API_VERSION = '2022-11-28';

export interface Context {
  /** The REST API root, e.g. https://api.github.com. */
  where: string;
  timeoutMs: number;
  hasToken: boolean;
  /** The text with the token replaced by [REDACTED]. */
  redact: (text: string) => string;
}

export interface ForgeClient {
  octokit: Octokit;
  ctx: Context;
  /** `fn`, with any failure classified for `action` on `slug` (owner/repo). */
  call<T>(action: string, slug: string, fn: () => Promise<T>, notFound?: string): Promise<T>;
}

export function createClient(options: ForgeOptions): ForgeClient {
  const baseUrl = checkBaseUrl(options.baseUrl ?? DEFAULT_BASE_URL);
  const timeoutMs = checkTimeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const token = options.token?.trim() || undefined;
  const redact = (text: string): string =>
    token === undefined ? text : text.split(token).join('[REDACTED]');
  const silent = (): void => undefined;
  const octokit = new Octokit({
    ...(token === undefined ? {} : { auth: token }),
    baseUrl,
    userAgent: options.userAgent ?? 'bumpflow',
    // Octokit's request log would print every expected 404; deprecation notices still show.
    log: {
      debug: silent,
      info: silent,
      warn: (message: string) => console.warn(redact(message)),
      error: silent,
    },
    request: { fetch: fetchWithDeadline(timeoutMs) },
  });
  octokit.hook.before('request', (request) => {
    request.headers['x-github-api-version'] = API_VERSION;
  });

  const ctx: Context = { where: baseUrl, timeoutMs, hasToken: token !== undefined, redact };
  return {
    octokit,
    ctx,
    async call(action, slug, fn, notFound) {
      try {
        return await fn();
      } catch (err) {
        throw classify(err, { ...ctx, action, slug, ...(notFound === undefined ? {} : { notFound }) });
      }
    },
  };
}
