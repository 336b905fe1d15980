/**
 * The forge: GitHub's REST API through Octokit, used only for what git cannot
 * do — find or open a pull request, read a pull request's merge commit, read
 * an upstream release's notes.
 *
 * - Base URL from GITHUB_API_URL (GitHub Enterprise: https://HOST/api/v3, or
 *   the test stand-in); token from GITHUB_TOKEN, else GH_TOKEN.
 * - Temporal owns retries: @octokit/rest has no retry or throttling plugin and
 *   none is added; every HTTP exchange (headers and body) has a deadline.
 * - Errors are classified here, at the edge, into the failure taxonomy of
 *   src/shared/failures.ts, and never carry the token.
 */
import { Octokit } from '@octokit/rest';
import { z } from 'zod';
import { BumpflowError, fatal, FatalFailure, transient, TransientFailure } from '../../shared/failures.js';

export interface ForgeOptions {
  /** REST API root; default https://api.github.com. */
  baseUrl?: string;
  token?: string;
  userAgent?: string;
  /** Deadline in milliseconds for one HTTP exchange, body included (default 30 s). */
  timeoutMs?: number;
}

export interface PullRequestRef {
  number: number;
  /** The pull request's page (`html_url`). */
  url: string;
  state: 'open' | 'closed';
  headSha: string;
  /** true when this call opened it, false when it was already open. */
  created: boolean;
}

export interface Forge {
  /**
   * The open pull request from `head` (a branch of owner/repo itself) into
   * `base`, opened with `title` and `body` when there is none. An existing one
   * is returned as it is, never edited. Safe to retry and to race: at most one
   * pull request is ever opened for a head and base.
   */
  findOrCreatePullRequest(input: {
    owner: string;
    repo: string;
    head: string;
    base: string;
    title: string;
    body: string;
  }): Promise<PullRequestRef>;
  getPullRequest(input: {
    owner: string;
    repo: string;
    number: number;
  }): Promise<{ number: number; merged: boolean; mergeCommitSha: string | null; state: string; url: string }>;
  /** The body of the release for `tag`; undefined when there is no such release. */
  getReleaseNotes(input: { owner: string; repo: string; tag: string }): Promise<string | undefined>;
}

const DEFAULT_BASE_URL = 'https://api.github.com';
const DEFAULT_TIMEOUT_MS = 30_000;
const API_VERSION = '2022-11-28';
/** GitHub's advice when a rate limit answer names no time: wait at least a minute. */
const RATE_LIMIT_FALLBACK_MS = 60_000;
/** With the head and base filters there is at most one open PR; this only bounds a misbehaving server. */
const MAX_LIST_PAGES = 10;
const MAX_QUOTED = 300;

const OWNER_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const REPO_PATTERN = /^[A-Za-z0-9._-]{1,100}$/;

// Only the fields bumpflow reads; anything else GitHub sends is ignored.
const PullRequestSimple = z.object({
  number: z.number().int().positive(),
  html_url: z.string().min(1),
  state: z.enum(['open', 'closed']),
  head: z.object({ label: z.string(), ref: z.string(), sha: z.string() }),
  base: z.object({ ref: z.string() }),
});
type PullRequestSimple = z.infer<typeof PullRequestSimple>;
const PullRequestFull = PullRequestSimple.extend({
  merged: z.boolean(),
  merge_commit_sha: z.string().nullable(),
});
const Release = z.object({ tag_name: z.string(), body: z.string().nullable().optional() });
const ErrorBody = z.object({
  message: z.string().optional(),
  documentation_url: z.string().optional(),
  errors: z
    .array(
      z.union([
        z.string(),
        z
          .object({
            resource: z.string().optional(),
            field: z.string().optional(),
            code: z.string().optional(),
            message: z.string().optional(),
          })
          .loose(),
      ]),
    )
    .optional(),
});
type ErrorBody = z.infer<typeof ErrorBody>;

/**
 * Owner, repo (and host) of a GitHub repository URL:
 * https://github.com/vexxhost/atmosphere(.git)(/), git@github.com:o/r.git, ssh://git@github.com/o/r.git.
 */
export function parseRepoUrl(url: string): { host: string; owner: string; repo: string } {
  const text = url.trim();
  const https = /^https?:\/\/(?:[^@/\s]*@)?([^/@\s]+)\/([^/\s]+)\/([^/\s]+?)(?:\.git)?\/?$/i.exec(text);
  const ssh =
    /^(?:ssh:\/\/)?[A-Za-z0-9._-]+@([^:/\s]+)(?::\d+\/|:|\/)([^/\s]+)\/([^/\s]+?)(?:\.git)?\/?$/.exec(text);
  const m = https ?? ssh;
  const expected =
    'expected a repository URL like https://github.com/<owner>/<repo>(.git) or git@github.com:<owner>/<repo>.git';
  if (!m)
    throw fatal(FatalFailure.BadInput, `${expected}, found ${JSON.stringify(withoutUserinfo(url))}`, {
      url: withoutUserinfo(url),
    });
  const [, host, owner, repo] = m as unknown as [string, string, string, string];
  if (!OWNER_PATTERN.test(owner) || !REPO_PATTERN.test(repo) || repo === '.' || repo === '..') {
    throw fatal(
      FatalFailure.BadInput,
      `${expected}, found owner ${JSON.stringify(owner)} and repository ${JSON.stringify(repo)} in ${JSON.stringify(withoutUserinfo(url))}`,
      {
        url: withoutUserinfo(url),
      },
    );
  }
  return { host: host.toLowerCase(), owner, repo };
}

/** GITHUB_API_URL (GitHub Enterprise, the stand-in), GITHUB_TOKEN, else GH_TOKEN (gh's name). */
export function forgeOptionsFromEnvironment(env: NodeJS.ProcessEnv): ForgeOptions {
  const baseUrl = env.GITHUB_API_URL?.trim();
  const token = env.GITHUB_TOKEN?.trim() || env.GH_TOKEN?.trim();
  return { ...(baseUrl ? { baseUrl } : {}), ...(token ? { token } : {}) };
}

export function createForge(options: ForgeOptions): Forge {
  const baseUrl = checkBaseUrl(options.baseUrl ?? DEFAULT_BASE_URL);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw fatal(
      FatalFailure.BadInput,
      `expected a request timeout in milliseconds above 0, found ${String(timeoutMs)}`,
    );
  }
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

  const context: Context = { where: baseUrl, timeoutMs, hasToken: token !== undefined, redact };

  async function call<T>(action: string, slug: string, fn: () => Promise<T>, notFound?: string): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw classify(err, { ...context, action, slug, ...(notFound === undefined ? {} : { notFound }) });
    }
  }

  async function findOpen(
    owner: string,
    repo: string,
    head: string,
    base: string,
  ): Promise<PullRequestSimple | undefined> {
    const slug = `${owner}/${repo}`;
    const action = `listing open pull requests from ${head} into ${base}`;
    return call(action, slug, async () => {
      // The head filter must be owner:branch; GitHub silently ignores a bare branch name.
      const pages = octokit.paginate.iterator(octokit.rest.pulls.list, {
        owner,
        repo,
        state: 'open',
        head: `${owner}:${head}`,
        base,
        per_page: 100,
      });
      let page = 0;
      for await (const response of pages) {
        const pulls = parseBody(
          z.array(PullRequestSimple),
          response.data,
          `a list of pull requests for ${action}`,
          context,
        );
        const hit = pulls.find(
          (p) =>
            p.head.ref === head &&
            p.base.ref === base &&
            p.head.label.toLowerCase() === `${owner}:${head}`.toLowerCase(),
        );
        if (hit) return hit;
        page += 1;
        if (page >= MAX_LIST_PAGES) return undefined;
      }
      return undefined;
    });
  }

  return {
    async findOrCreatePullRequest({ owner, repo, head, base, title, body }) {
      checkRepo(owner, repo);
      checkNonEmpty({ head, base, title });
      const slug = `${owner}/${repo}`;
      const existing = await findOpen(owner, repo, head, base);
      if (existing) return toRef(existing, false);

      const action = `creating a pull request from ${head} into ${base}`;
      let created: unknown;
      try {
        created = (await octokit.rest.pulls.create({ owner, repo, head, base, title, body })).data;
      } catch (err) {
        if (!isAlreadyExists(err)) throw classify(err, { ...context, action, slug });
        // A retried call or a concurrent one got there first: that pull request is the answer.
        const raced = await findOpen(owner, repo, head, base);
        if (raced) return toRef(raced, false);
        throw transient(
          TransientFailure.ForgeUnavailable,
          redact(
            `expected GitHub (${context.where}) to list the open pull request from ${owner}:${head} into ${base} in ${slug} after it answered "A pull request already exists", found none listed yet`,
          ),
          { details: { owner, repo, head, base } },
        );
      }
      return toRef(
        parseBody(PullRequestSimple, created, `the pull request made by ${action} in ${slug}`, context),
        true,
      );
    },

    async getPullRequest({ owner, repo, number }) {
      checkRepo(owner, repo);
      if (!Number.isInteger(number) || number <= 0) {
        throw fatal(
          FatalFailure.BadInput,
          `expected a pull request number (a positive integer) for ${owner}/${repo}, found ${String(number)}`,
        );
      }
      const slug = `${owner}/${repo}`;
      const response = await call(
        `reading pull request #${number}`,
        slug,
        () => octokit.rest.pulls.get({ owner, repo, pull_number: number }),
        `expected pull request #${number} in ${slug}, found none (404: no such pull request or repository, or the token cannot see it)`,
      );
      const pr = parseBody(PullRequestFull, response.data, `pull request #${number} of ${slug}`, context);
      return {
        number: pr.number,
        merged: pr.merged,
        mergeCommitSha: pr.merged ? pr.merge_commit_sha : null,
        state: pr.state,
        url: pr.html_url,
      };
    },

    async getReleaseNotes({ owner, repo, tag }) {
      checkRepo(owner, repo);
      checkNonEmpty({ tag });
      const slug = `${owner}/${repo}`;
      let data: unknown;
      try {
        data = (await octokit.rest.repos.getReleaseByTag({ owner, repo, tag })).data;
      } catch (err) {
        if (statusOf(err) === 404 && responseOf(err) !== undefined) return undefined;
        throw classify(err, { ...context, action: `reading the release for tag ${tag}`, slug });
      }
      return parseBody(Release, data, `the release for tag ${tag} of ${slug}`, context).body ?? '';
    },
  };
}

function toRef(pr: PullRequestSimple, created: boolean): PullRequestRef {
  return { number: pr.number, url: pr.html_url, state: pr.state, headSha: pr.head.sha, created };
}

function checkBaseUrl(raw: string): string {
  const text = raw.trim().replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw fatal(
      FatalFailure.BadInput,
      `expected the GitHub API URL (GITHUB_API_URL) to be an http(s) URL like https://api.github.com, found ${JSON.stringify(withoutUserinfo(raw))}`,
    );
  }
  if (
    (url.protocol !== 'https:' && url.protocol !== 'http:') ||
    url.username !== '' ||
    url.password !== '' ||
    url.search !== '' ||
    url.hash !== ''
  ) {
    throw fatal(
      FatalFailure.BadInput,
      `expected the GitHub API URL (GITHUB_API_URL) to be a plain http(s) URL without credentials, query or fragment, like https://api.github.com or https://ghe.example.com/api/v3, found ${JSON.stringify(withoutUserinfo(raw))}`,
    );
  }
  return text;
}

function checkRepo(owner: string, repo: string): void {
  if (
    typeof owner !== 'string' ||
    !OWNER_PATTERN.test(owner) ||
    typeof repo !== 'string' ||
    !REPO_PATTERN.test(repo) ||
    repo === '.' ||
    repo === '..'
  ) {
    throw fatal(
      FatalFailure.BadInput,
      `expected a GitHub owner and repository like vexxhost/atmosphere, found ${JSON.stringify(owner)}/${JSON.stringify(repo)}`,
    );
  }
}

function checkNonEmpty(fields: Record<string, string>): void {
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value !== 'string' || value.trim() === '') {
      throw fatal(FatalFailure.BadInput, `expected a non-empty ${name}, found ${JSON.stringify(value)}`, {
        fields,
      });
    }
  }
}

function withoutUserinfo(text: string): string {
  return text.replace(/\/\/[^@/\s]*@/, '//');
}

/**
 * fetch with a deadline over the whole exchange: the body is read here, under
 * the same AbortSignal, so a server that stalls mid-body times out too (Octokit
 * would otherwise turn an aborted JSON body into an empty string).
 */
function fetchWithDeadline(timeoutMs: number): typeof fetch {
  return async (input, init) => {
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, deadline]) : deadline;
    const response = await fetch(input, { ...init, signal });
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

function parseBody<T>(schema: z.ZodType<T>, data: unknown, what: string, ctx: Context): T {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const at = issue === undefined ? '' : ` (${issue.path.join('.') || 'body'}: ${issue.message})`;
  throw fatal(
    FatalFailure.BadInput,
    ctx.redact(
      `expected ${what} from the GitHub API at ${ctx.where}, found a body of another shape${at}: ${quote(data)}; is GITHUB_API_URL a GitHub REST API root?`,
    ),
  );
}

interface Context {
  where: string;
  timeoutMs: number;
  hasToken: boolean;
  redact: (text: string) => string;
}

interface ErrorContext extends Context {
  action: string;
  slug: string;
  /** Message for a 404, when it means something more precise than "no such repository". */
  notFound?: string;
}

interface HttpResponse {
  headers: Record<string, string | undefined>;
  data: unknown;
}

function statusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const status = (err as { status?: unknown }).status;
  return typeof status === 'number' ? status : undefined;
}

/** The HTTP response behind an Octokit RequestError; undefined when none came (refused, reset, timed out). */
function responseOf(err: unknown): HttpResponse | undefined {
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

function errorBody(data: unknown): ErrorBody {
  const parsed = ErrorBody.safeParse(data);
  if (parsed.success) return parsed.data;
  return typeof data === 'string' && data.trim() !== '' ? { message: data } : {};
}

function isAlreadyExists(err: unknown): boolean {
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

/** Milliseconds from Retry-After (seconds or an HTTP date). */
function retryAfterMs(headers: Record<string, string | undefined>): number | undefined {
  const value = headers['retry-after']?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** Milliseconds until x-ratelimit-reset (UTC epoch seconds), at least one second. */
function resetMs(headers: Record<string, string | undefined>): number | undefined {
  const value = headers['x-ratelimit-reset']?.trim();
  if (!value || !/^\d+$/.test(value)) return undefined;
  return Math.max(1000, Number(value) * 1000 - Date.now());
}

function classify(err: unknown, ctx: ErrorContext): Error {
  if (err instanceof BumpflowError) return err;
  const status = statusOf(err);
  const response = responseOf(err);
  const { action, slug, where, redact } = ctx;

  if (response === undefined) {
    // No answer at all: refused, reset, DNS, or our own deadline.
    // Not an HTTP failure at all (Octokit gives every one a status): a bug, let it show as it is.
    if (status === undefined) return err instanceof Error ? err : new Error(String(err));
    const reason = describeNoAnswer(err, ctx.timeoutMs);
    return transient(
      TransientFailure.ForgeUnavailable,
      redact(`expected GitHub (${where}) to answer ${action} in ${slug}, found ${reason}`),
      {
        cause: networkCause(err),
        details: { slug },
      },
    );
  }

  const code = status ?? 0;
  const headers = response.headers;
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

  const retryAfter = retryAfterMs(headers);
  const exhausted = headers['x-ratelimit-remaining']?.trim() === '0';
  const rateLimited =
    code === 429 ||
    (code === 403 && (exhausted || retryAfter !== undefined || /rate limit/i.test(body.message ?? '')));
  if (rateLimited) {
    const wait = retryAfter ?? (exhausted ? resetMs(headers) : undefined) ?? RATE_LIMIT_FALLBACK_MS;
    return transient(
      TransientFailure.ForgeUnavailable,
      redact(
        `expected GitHub (${where}) to accept ${action} in ${slug}, found it rate-limiting (${code}: ${said}); retry in ${Math.ceil(wait / 1000)} s`,
      ),
      { retryAfterMs: wait, details },
    );
  }
  if (code === 401 || code === 403) {
    const which = ctx.hasToken
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
    return transient(
      TransientFailure.ForgeUnavailable,
      redact(`expected GitHub (${where}) to answer ${action} in ${slug}, found ${code}: ${said}`),
      {
        ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }),
        details,
      },
    );
  }
  // 422 (validation: a missing base branch, no commits between…) and any other refusal.
  return fatal(
    FatalFailure.BadInput,
    redact(`expected GitHub to accept ${action} in ${slug}, found ${code}: ${said}`),
    details,
  );
}

function describeNoAnswer(err: unknown, timeoutMs: number): string {
  for (
    let e: unknown = err, depth = 0;
    e !== undefined && e !== null && depth < 5;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    const name = (e as { name?: unknown }).name;
    if (name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z_]+$/.test(code))
      return `${code} (${clip(String((e as { message?: unknown }).message ?? ''))})`;
  }
  return clip(err instanceof Error ? err.message : String(err)) || 'no answer';
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

function clip(text: string): string {
  return text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text;
}

function quote(data: unknown): string {
  let text: string;
  try {
    text = typeof data === 'string' ? JSON.stringify(data) : (JSON.stringify(data) ?? String(data));
  } catch {
    text = String(data);
  }
  return clip(text);
}
