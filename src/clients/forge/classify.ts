/**
 * GitHub's failures, classified at the edge into src/shared/failures.ts:
 * 401/403 AuthRefused, 404 and 422 BadInput (fatal); 429, 403 rate limits
 * (Retry-After, x-ratelimit-reset, else a minute) and 5xx ForgeUnavailable
 * (transient); no answer at all (refused, reset, deadline) ForgeUnavailable.
 * Messages and details never carry the token.
 */
import { BumpflowError, fatal, FatalFailure, transient, TransientFailure } from '../../shared/failures.js';
import { describeNoAnswer, noAnswerFailure, parseRetryAfter } from '../http.js';
import type { Context } from './client.js';
import { clip } from './quote.js';
import { ErrorBody } from './schema.js';

/** GitHub's advice when a rate limit answer names no time: wait at least a minute. */
const RATE_LIMIT_FALLBACK_MS = 60_000;

export interface ErrorContext extends Context {
  action: string;
  slug: string;
  /** Message for a 404, when it means something more precise than "no such repository". */
  notFound?: string;
}

export interface HttpResponse {
  headers: Record<string, string | undefined>;
  data: unknown;
}

export function statusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const status = (err as { status?: unknown }).status;
  return typeof status === 'number' ? status : undefined;
}

/** The HTTP response behind an Octokit RequestError; undefined when none came (refused, reset, timed out). */
export function responseOf(err: unknown): HttpResponse | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const response = (err as { response?: unknown }).response;
  if (typeof response !== 'object' || response === null) return undefined;
  const headers = (response as { headers?: unknown }).headers;
  return {
    headers:
      typeof headers === 'object' && headers !== null ? (headers as Record<string, string | undefined>) : {},
    data: (response as { data?: unknown }).data,
  };
}

export function errorBody(data: unknown): ErrorBody {
  const parsed = ErrorBody.safeParse(data);
  if (parsed.success) return parsed.data;
  return typeof data === 'string' && data.trim() !== '' ? { message: data } : {};
}

/** GitHub's own error JSON ({message, documentation_url}, or a message with GitHub's request id header). */
export function isGitHubErrorAnswer(response: HttpResponse): boolean {
  const data = response.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return false;
  const parsed = ErrorBody.safeParse(data);
  return (
    parsed.success &&
    parsed.data.message !== undefined &&
    (parsed.data.documentation_url !== undefined || response.headers['x-github-request-id'] !== undefined)
  );
}

export function isAlreadyExists(err: unknown): boolean {
  const response = responseOf(err);
  if (statusOf(err) !== 422 || response === undefined) return false;
  const body = errorBody(response.data);
  const texts = [
    body.message ?? '',
    ...(body.errors ?? []).map((e) => (typeof e === 'string' ? e : (e.message ?? ''))),
  ];
  return texts.some((t) => /^A pull request already exists for /i.test(t));
}

/** "Validation Failed: PullRequest.base invalid; …" from GitHub's {message, errors}. */
function describeBody(body: ErrorBody): string {
  const errors = (body.errors ?? []).map((e) => {
    if (typeof e === 'string') return e;
    if (e.message) return e.message;
    const subject = [e.resource, e.field].filter(Boolean).join('.');
    return [subject, e.code].filter(Boolean).join(' ');
  });
  const text = [body.message, errors.join('; ')].filter((t) => t !== undefined && t !== '').join(': ');
  return clip(text.replace(/\s+/g, ' ').trim()) || 'no message';
}

/** Milliseconds until x-ratelimit-reset (UTC epoch seconds), at least one second. */
function resetMs(headers: Record<string, string | undefined>): number | undefined {
  const value = headers['x-ratelimit-reset']?.trim();
  if (!value || !/^\d+$/.test(value)) return undefined;
  return Math.max(1000, Number(value) * 1000 - Date.now());
}

/** How long to wait when the answer is a rate limit (429, or a 403 that says so); undefined otherwise. */
export function rateLimitWaitMs(status: number, response: HttpResponse): number | undefined {
  const { headers } = response;
  const retryAfter = parseRetryAfter(headers['retry-after']);
  const exhausted = headers['x-ratelimit-remaining']?.trim() === '0';
  const message = errorBody(response.data).message ?? '';
  const limited =
    status === 429 ||
    (status === 403 && (exhausted || retryAfter !== undefined || /rate limit/i.test(message)));
  if (!limited) return undefined;
  return retryAfter ?? (exhausted ? resetMs(headers) : undefined) ?? RATE_LIMIT_FALLBACK_MS;
}

/** No answer at all: refused, reset, DNS, or our own deadline. */
function noAnswer(err: unknown, ctx: ErrorContext): BumpflowError {
  const reason = describeNoAnswer(err, ctx.timeoutMs);
  return noAnswerFailure(
    TransientFailure.ForgeUnavailable,
    ctx.redact(`expected GitHub (${ctx.where}) to answer ${ctx.action} in ${ctx.slug}, found ${reason}`),
    err,
    { cause: networkCause(err), details: { slug: ctx.slug } },
  );
}

export function classify(err: unknown, ctx: ErrorContext): Error {
  if (err instanceof BumpflowError) return err;
  const status = statusOf(err);
  const response = responseOf(err);
  const { action, slug, where, redact } = ctx;
  // Not an HTTP failure at all (Octokit gives every one a status): a bug, let it show as it is.
  if (response === undefined && status === undefined)
    return err instanceof Error ? err : new Error(String(err));
  if (response === undefined) return noAnswer(err, ctx);

  const code = status ?? 0;
  const body = errorBody(response.data);
  const said = describeBody(body);
  const details = {
    slug,
    status: code,
    ...(body.message === undefined ? {} : { message: redact(body.message) }),
    ...(body.documentation_url === undefined ? {} : { documentationUrl: body.documentation_url }),
    ...(body.errors === undefined
      ? {}
      : { errors: JSON.parse(redact(JSON.stringify(body.errors))) as unknown }),
  };

  const wait = rateLimitWaitMs(code, response);
  if (wait !== undefined) {
    return transient(
      TransientFailure.ForgeUnavailable,
      redact(
        `expected GitHub (${where}) to accept ${action} in ${slug}, found it rate-limiting (${code}: ${said}); retry in ${Math.ceil(wait / 1000)} s`,
      ),
      { retryAfterMs: wait, details },
    );
  }
  if (code === 401 || code === 403) {
    const which =
      ctx.app !== undefined
        ? `expected the GitHub App ${ctx.app.appId} (BUMPFLOW_GITHUB_APP_ID) to be installed there with Contents and Pull requests, read and write`
        : ctx.hasToken
          ? 'expected a token (GITHUB_TOKEN or GH_TOKEN) that may read and open pull requests there'
          : 'no token is configured: set GITHUB_TOKEN or GH_TOKEN';
    return fatal(
      FatalFailure.AuthRefused,
      redact(`GitHub refused the token for ${slug}: ${code} ${said} while ${action}; ${which}`),
      details,
    );
  }
  if (code === 404) {
    const message =
      ctx.notFound ??
      `expected repository ${slug} to exist and be visible to the token, found 404 (${said}) while ${action}`;
    return fatal(FatalFailure.BadInput, redact(message), details);
  }
  if (code >= 500) {
    const retryAfter = parseRetryAfter(response.headers['retry-after']);
    return transient(
      TransientFailure.ForgeUnavailable,
      redact(`expected GitHub (${where}) to answer ${action} in ${slug}, found ${code}: ${said}`),
      { ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }), details },
    );
  }
  // 422 (validation: a missing base branch, no commits between…) and any other refusal.
  return fatal(
    FatalFailure.BadInput,
    redact(`expected GitHub to accept ${action} in ${slug}, found ${code}: ${said}`),
    details,
  );
}

/** The lowest network error (ECONNREFUSED…, TimeoutError) as a plain Error; never Octokit's request options. */
function networkCause(err: unknown): Error {
  let last: unknown = err;
  for (
    let e: unknown = err, depth = 0;
    e !== undefined && e !== null && depth < 5;
    e = (e as { cause?: unknown }).cause, depth++
  )
    last = e;
  const name =
    typeof (last as { name?: unknown }).name === 'string' ? (last as { name: string }).name : 'Error';
  const code = (last as { code?: unknown }).code;
  const message = String((last as { message?: unknown }).message ?? last);
  const cause = new Error(`${name}${typeof code === 'string' ? ` ${code}` : ''}: ${clip(message)}`);
  cause.name = name;
  return cause;
}
