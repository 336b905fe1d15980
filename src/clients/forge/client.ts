/**
 * One configured Octokit and what every forge call shares: the API root, the
 * deadline, whether a token is set, and a redactor that keeps it out of text.
 * With a GitHub App (appAuth.ts) every request carries the installation token
 * of the repository it is about; a 401 gets one new token and one retry.
 *
 * Temporal owns retries: @octokit/rest has no retry or throttling plugin and
 * none is added; every HTTP exchange (headers and body) has a deadline
 * (src/clients/http.ts).
 */
import { Octokit } from '@octokit/rest';
import { fatal, FatalFailure } from '../../shared/failures.js';
import { fetchWithDeadline } from '../http.js';
import { createAppTokens, type AppTokens } from './appAuth.js';
import { classify, statusOf } from './classify.js';
import { checkBaseUrl, checkTimeout, DEFAULT_BASE_URL, DEFAULT_TIMEOUT_MS } from './settings.js';
import type { ForgeOptions } from './types.js';

const API_VERSION = '2022-11-28';

export interface Context {
  /** The REST API root, e.g. https://api.github.com. */
  where: string;
  timeoutMs: number;
  hasToken: boolean;
  /** Set when the worker authenticates as a GitHub App instead of with a personal token. */
  app?: { appId: number };
  /** The text with the token replaced by [REDACTED]. */
  redact: (text: string) => string;
}

export interface ForgeClient {
  octokit: Octokit;
  ctx: Context;
  /** The GitHub App's installation tokens, when the worker is one. */
  app?: AppTokens;
  /** `fn`, with any failure classified for `action` on `slug` (owner/repo). */
  call<T>(action: string, slug: string, fn: () => Promise<T>, notFound?: string): Promise<T>;
}

export function createClient(options: ForgeOptions): ForgeClient {
  const baseUrl = checkBaseUrl(options.baseUrl ?? DEFAULT_BASE_URL);
  const timeoutMs = checkTimeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const token = options.token?.trim() || undefined;
  if (token !== undefined && options.app !== undefined)
    throw fatal(
      FatalFailure.ForgeMisconfigured,
      'expected a personal token or a GitHub App for the forge, found both',
    );
  let app: AppTokens | undefined;
  const redact = (text: string): string => {
    const out = token === undefined ? text : text.split(token).join('[REDACTED]');
    return app === undefined ? out : app.redact(out);
  };
  const userAgent = options.userAgent ?? 'bumpflow';
  const octokit = newOctokit(baseUrl, userAgent, timeoutMs, redact, token);
  const ctx: Context = {
    where: baseUrl,
    timeoutMs,
    hasToken: token !== undefined || options.app !== undefined,
    ...(options.app === undefined ? {} : { app: { appId: options.app.appId } }),
    redact,
  };
  if (options.app !== undefined) {
    // The app's own requests (JWT) go through an Octokit of their own, without the hook below.
    const appOctokit = newOctokit(baseUrl, userAgent, timeoutMs, redact, undefined);
    const tokens = createAppTokens(options.app, appOctokit.request, () => ctx, appOctokit.log);
    app = tokens;
    octokit.hook.wrap('request', async (request, endpoint) => {
      const [owner, repo] = repositoryOf(endpoint);
      const first = await tokens.tokenFor(owner, repo);
      endpoint.headers.authorization = `token ${first.token}`;
      try {
        return await request(endpoint);
      } catch (err) {
        if (statusOf(err) !== 401) throw err;
        // Revoked or expired early: one new token, one retry; a second 401 is the answer.
        const fresh = await tokens.tokenFor(owner, repo, { refresh: true });
        endpoint.headers.authorization = `token ${fresh.token}`;
        return await request(endpoint);
      }
    });
  }
  return {
    octokit,
    ctx,
    ...(app === undefined ? {} : { app }),
    async call(action, slug, fn, notFound) {
      try {
        return await fn();
      } catch (err) {
        throw classify(err, { ...ctx, action, slug, ...(notFound === undefined ? {} : { notFound }) });
      }
    },
  };
}

function newOctokit(
  baseUrl: string,
  userAgent: string,
  timeoutMs: number,
  redact: (text: string) => string,
  token: string | undefined,
): Octokit {
  const silent = (): void => undefined;
  const octokit = new Octokit({
    ...(token === undefined ? {} : { auth: token }),
    baseUrl,
    userAgent,
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
  return octokit;
}

/** owner and repo of a request: its parameters, or a paginated page's /repos/{owner}/{repo}/… URL. */
function repositoryOf(endpoint: { url: string; owner?: unknown; repo?: unknown }): [string, string] {
  if (typeof endpoint.owner === 'string' && typeof endpoint.repo === 'string')
    return [endpoint.owner, endpoint.repo];
  const m = /\/repos\/([^/?#]+)\/([^/?#]+)/.exec(endpoint.url);
  if (m === null)
    throw new Error(`expected a forge request under /repos/{owner}/{repo}, found ${endpoint.url}`);
  return [decodeURIComponent(m[1]!), decodeURIComponent(m[2]!)];
}
