/**
 * GitHub STAND-IN — a TEST DOUBLE, not GitHub.
 *
 * GitHub cannot be reached from this machine, so tests and the demo talk to
 * this small node:http server instead. It speaks only the few REST endpoints
 * bumpflow calls, with GitHub's shapes as documented at
 * https://docs.github.com/rest (field names, status codes, error bodies
 * `{message, documentation_url, errors?, status}`), and says what it is in
 * every answer: header `x-bumpflow-stand-in: github`, `server:
 * bumpflow-github-stand-in`.
 *
 *   GET  /                                   API root (answers without a token too, like GitHub)
 *   GET  /repos/{o}/{r}                      a minimal repository (every repository "exists")
 *   GET  /repos/{o}/{r}/pulls                state (open|closed|all), head (owner:branch — a bare
 *                                            branch is ignored, as GitHub does), base, per_page,
 *                                            page, newest first, Link header
 *   POST /repos/{o}/{r}/pulls                title/head/base checked; 422 "A pull request already
 *                                            exists for owner:branch." for a second open one;
 *                                            head/base "invalid" and "No commits between" when
 *                                            `resolveHeadSha` is set
 *   GET  /repos/{o}/{r}/pulls/{n}            full pull request (merged, merge_commit_sha, …)
 *   GET  /repos/{o}/{r}/releases/tags/{tag}  a release seeded with addRelease
 *
 * Every request needs `Authorization: token|Bearer <token>`; a missing or
 * wrong one gets 401 Bad credentials. `onRequest` runs before that check,
 * like GitHub's edge (rate limits and outages answer before authentication).
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface StandInPullRequest {
  number: number;
  owner: string;
  repo: string;
  head: string;
  headSha: string;
  base: string;
  title: string;
  body: string;
  state: 'open' | 'closed';
  merged: boolean;
  mergeCommitSha: string | null;
  createdAt: string;
}

export interface StandInAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface GitHubStandIn {
  /** http://127.0.0.1:<port>; use as GITHUB_API_URL. */
  url: string;
  /** Every pull request, seeded or created, in creation order. */
  pulls: StandInPullRequest[];
  /** Every answered request (no header values, so no token); `query` is the URL's search part ('' or '?…'). */
  requests: Array<{ method: string; path: string; query: string; status: number }>;
  /** Seeds a pull request, e.g. a merged one with its merge commit in a source repo. */
  addPullRequest(
    pr: Partial<StandInPullRequest> & { owner: string; repo: string; head: string; base: string },
  ): StandInPullRequest;
  addRelease(owner: string, repo: string, tag: string, body: string): void;
  /**
   * Test hook, called before a request is answered: return (or resolve to) an
   * answer to send instead (a string body is sent as it is, anything else as
   * JSON), or undefined to go on; a pending promise holds the request. Whatever it returns, a request that goes on is carried out even
   * when its client has gone away meanwhile (as on GitHub).
   */
  onRequest?: (req: {
    method: string;
    path: string;
    query: string;
    body: unknown;
  }) => Promise<StandInAnswer | undefined> | StandInAnswer | undefined;
  /** Branch → SHA (e.g. git ls-remote on a sandbox bare repo); undefined means no such branch. Default: a placeholder SHA. */
  resolveHeadSha?: (owner: string, repo: string, branch: string) => Promise<string | undefined>;
  close(): Promise<void>;
}

const DOCS = 'https://docs.github.com/rest';
const DOCS_LIST = `${DOCS}/pulls/pulls#list-pull-requests`;
const DOCS_CREATE = `${DOCS}/pulls/pulls#create-a-pull-request`;
const DOCS_GET = `${DOCS}/pulls/pulls#get-a-pull-request`;
const DOCS_RELEASE = `${DOCS}/releases/releases#get-a-release-by-tag-name`;
const DOCS_REPO = `${DOCS}/repos/repos#get-a-repository`;
const PLACEHOLDER_SHA = 'f'.repeat(40);
const RATE_LIMIT = 5000;
const STAND_IN_USER = { login: 'bumpflow-bot', id: 1, type: 'User', site_admin: false };

function errorBody(
  status: number,
  message: string,
  documentationUrl: string,
  errors?: unknown[],
): StandInAnswer {
  return {
    status,
    body: {
      message,
      documentation_url: documentationUrl,
      ...(errors === undefined ? {} : { errors }),
      status: String(status),
    },
  };
}

export async function startGitHubStandIn(options: {
  token: string;
  port?: number;
  htmlBase?: string;
}): Promise<GitHubStandIn> {
  if (!options.token) throw new Error('expected a token for the GitHub stand-in to require, found none');
  const htmlBase = (options.htmlBase ?? 'https://github.com').replace(/\/+$/, '');
  const releases = new Map<string, { id: number; tag: string; body: string; createdAt: string }>();
  const sockets = new Set<Socket>();
  let used = 0;
  let requestCount = 0;

  const key = (owner: string, repo: string) => `${owner}/${repo}`.toLowerCase();
  const sameRepo = (p: StandInPullRequest, owner: string, repo: string) =>
    key(p.owner, p.repo) === key(owner, repo);

  const standIn: GitHubStandIn = {
    url: '',
    pulls: [],
    requests: [],
    addPullRequest(pr) {
      const numbers = standIn.pulls.filter((p) => sameRepo(p, pr.owner, pr.repo)).map((p) => p.number);
      const number = pr.number ?? Math.max(0, ...numbers) + 1;
      if (numbers.includes(number))
        throw new Error(
          `expected a free pull request number in ${pr.owner}/${pr.repo}, found #${number} taken`,
        );
      const merged = pr.merged ?? false;
      const full: StandInPullRequest = {
        headSha: PLACEHOLDER_SHA,
        title: `Pull request ${number}`,
        body: '',
        state: merged ? 'closed' : 'open',
        mergeCommitSha: merged ? randomBytes(20).toString('hex') : null,
        createdAt: new Date().toISOString(),
        ...pr,
        number,
        merged,
      };
      if (full.merged && full.state !== 'closed')
        throw new Error(`expected a merged pull request to be closed, found ${JSON.stringify(pr)}`);
      standIn.pulls.push(full);
      return full;
    },
    addRelease(owner, repo, tag, body) {
      releases.set(`${key(owner, repo)}@${tag}`, {
        id: releases.size + 1,
        tag,
        body,
        createdAt: new Date().toISOString(),
      });
    },
    close: async () => undefined,
  };

  function repoJson(owner: string, repo: string, api: string) {
    return {
      id: 1,
      name: repo,
      full_name: `${owner}/${repo}`,
      owner: { login: owner, id: 1, type: 'Organization', site_admin: false },
      private: false,
      html_url: `${htmlBase}/${owner}/${repo}`,
      description: null,
      fork: false,
      url: `${api}/repos/${owner}/${repo}`,
      default_branch: 'main',
      visibility: 'public',
    };
  }

  /** The "pull-request-simple" shape of the list endpoint (no merged, mergeable, counts…). */
  function simplePullJson(pr: StandInPullRequest, api: string, baseSha: string) {
    const self = `${api}/repos/${pr.owner}/${pr.repo}/pulls/${pr.number}`;
    const html = `${htmlBase}/${pr.owner}/${pr.repo}/pull/${pr.number}`;
    const closedAt = pr.state === 'closed' ? pr.createdAt : null;
    return {
      url: self,
      id: pr.number,
      number: pr.number,
      html_url: html,
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      issue_url: `${api}/repos/${pr.owner}/${pr.repo}/issues/${pr.number}`,
      state: pr.state,
      locked: false,
      title: pr.title,
      user: STAND_IN_USER,
      body: pr.body,
      labels: [],
      milestone: null,
      created_at: pr.createdAt,
      updated_at: pr.createdAt,
      closed_at: closedAt,
      merged_at: pr.merged ? pr.createdAt : null,
      merge_commit_sha: pr.mergeCommitSha,
      assignee: null,
      assignees: [],
      requested_reviewers: [],
      head: {
        label: `${pr.owner}:${pr.head}`,
        ref: pr.head,
        sha: pr.headSha,
        user: { login: pr.owner },
        repo: repoJson(pr.owner, pr.repo, api),
      },
      base: {
        label: `${pr.owner}:${pr.base}`,
        ref: pr.base,
        sha: baseSha,
        user: { login: pr.owner },
        repo: repoJson(pr.owner, pr.repo, api),
      },
      _links: { self: { href: self }, html: { href: html } },
      author_association: 'MEMBER',
      auto_merge: null,
      draft: false,
    };
  }

  /** The full "pull-request" shape of get and create. */
  function fullPullJson(pr: StandInPullRequest, api: string, baseSha: string) {
    return {
      ...simplePullJson(pr, api, baseSha),
      merged: pr.merged,
      mergeable: pr.state === 'open' ? true : null,
      mergeable_state: pr.state === 'open' ? 'clean' : 'unknown',
      merged_by: pr.merged ? STAND_IN_USER : null,
      comments: 0,
      review_comments: 0,
      maintainer_can_modify: false,
      commits: 1,
      additions: 0,
      deletions: 0,
      changed_files: 0,
    };
  }

  async function baseShaOf(pr: StandInPullRequest): Promise<string> {
    return (await standIn.resolveHeadSha?.(pr.owner, pr.repo, pr.base)) ?? PLACEHOLDER_SHA;
  }

  function linkHeader(url: URL, api: string, page: number, lastPage: number): string | undefined {
    const at = (n: number) => {
      const u = new URL(url.pathname + url.search, api);
      u.searchParams.set('page', String(n));
      return u.toString();
    };
    const links: string[] = [];
    if (page > 1) links.push(`<${at(page - 1)}>; rel="prev"`);
    if (page < lastPage) links.push(`<${at(page + 1)}>; rel="next"`, `<${at(lastPage)}>; rel="last"`);
    if (page > 1) links.push(`<${at(1)}>; rel="first"`);
    return links.length ? links.join(', ') : undefined;
  }

  async function listPulls(owner: string, repo: string, url: URL, api: string): Promise<StandInAnswer> {
    const state = url.searchParams.get('state') ?? 'open';
    if (!['open', 'closed', 'all'].includes(state)) {
      return errorBody(422, 'Validation Failed', DOCS_LIST, [
        { resource: 'PullRequest', field: 'state', code: 'invalid' },
      ]);
    }
    // GitHub ignores a head filter without its owner: prefix (a classic pitfall); so does the stand-in.
    const head = url.searchParams.get('head');
    const headFilter = head && head.includes(':') ? head.split(':') : undefined;
    const base = url.searchParams.get('base');
    const perPage = Math.min(Math.max(Number(url.searchParams.get('per_page') ?? 30) || 30, 1), 100);
    const page = Math.max(Number(url.searchParams.get('page') ?? 1) || 1, 1);
    const all = standIn.pulls
      .filter(
        (p) =>
          sameRepo(p, owner, repo) &&
          (state === 'all' || p.state === state) &&
          (headFilter === undefined ||
            (headFilter[0]!.toLowerCase() === p.owner.toLowerCase() &&
              headFilter.slice(1).join(':') === p.head)) &&
          (!base || p.base === base),
      )
      .sort((a, b) => b.number - a.number);
    const slice = all.slice((page - 1) * perPage, page * perPage);
    const body = await Promise.all(slice.map(async (p) => simplePullJson(p, api, await baseShaOf(p))));
    const link = linkHeader(url, api, page, Math.max(1, Math.ceil(all.length / perPage)));
    return { status: 200, body, headers: link === undefined ? {} : { link } };
  }

  async function createPull(
    owner: string,
    repo: string,
    input: unknown,
    api: string,
  ): Promise<StandInAnswer> {
    const b = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
    for (const field of ['head', 'base'] as const) {
      if (b[field] === undefined)
        return errorBody(422, `Invalid request.\n\n"${field}" wasn't supplied.`, DOCS_CREATE);
      if (typeof b[field] !== 'string')
        return errorBody(
          422,
          `Invalid request.\n\nFor '${field}', ${JSON.stringify(b[field])} is not a string.`,
          DOCS_CREATE,
        );
    }
    const rawHead = b.head as string;
    const base = b.base as string;
    if (typeof b.title !== 'string' || b.title === '') {
      return errorBody(422, 'Validation Failed', DOCS_CREATE, [
        { resource: 'PullRequest', code: 'missing_field', field: 'title' },
      ]);
    }
    const title = b.title;
    const bodyText = typeof b.body === 'string' ? b.body : '';
    // head is "branch" or "owner:branch"; forks are not modelled, so another owner is an invalid head.
    const colon = rawHead.indexOf(':');
    const headOwner = colon === -1 ? owner : rawHead.slice(0, colon);
    const head = colon === -1 ? rawHead : rawHead.slice(colon + 1);
    if (headOwner.toLowerCase() !== owner.toLowerCase() || head === '') {
      return errorBody(422, 'Validation Failed', DOCS_CREATE, [
        { resource: 'PullRequest', field: 'head', code: 'invalid' },
      ]);
    }
    let headSha = PLACEHOLDER_SHA;
    let baseSha = PLACEHOLDER_SHA;
    if (standIn.resolveHeadSha) {
      const h = await standIn.resolveHeadSha(owner, repo, head);
      if (h === undefined)
        return errorBody(422, 'Validation Failed', DOCS_CREATE, [
          { resource: 'PullRequest', field: 'head', code: 'invalid' },
        ]);
      const bs = await standIn.resolveHeadSha(owner, repo, base);
      if (bs === undefined)
        return errorBody(422, 'Validation Failed', DOCS_CREATE, [
          { resource: 'PullRequest', field: 'base', code: 'invalid' },
        ]);
      headSha = h;
      baseSha = bs;
    }
    if (
      standIn.pulls.some(
        (p) => sameRepo(p, owner, repo) && p.head === head && p.base === base && p.state === 'open',
      )
    ) {
      return errorBody(422, 'Validation Failed', DOCS_CREATE, [
        {
          resource: 'PullRequest',
          code: 'custom',
          message: `A pull request already exists for ${owner}:${head}.`,
        },
      ]);
    }
    if (standIn.resolveHeadSha && headSha === baseSha) {
      return errorBody(422, 'Validation Failed', DOCS_CREATE, [
        { resource: 'PullRequest', code: 'custom', message: `No commits between ${base} and ${head}` },
      ]);
    }
    const pr = standIn.addPullRequest({
      owner,
      repo,
      head,
      base,
      title,
      body: bodyText,
      headSha,
      state: 'open',
      merged: false,
      mergeCommitSha: null,
    });
    return {
      status: 201,
      body: fullPullJson(pr, api, baseSha),
      headers: { location: `${api}/repos/${owner}/${repo}/pulls/${pr.number}` },
    };
  }

  async function route(method: string, url: URL, body: unknown, api: string): Promise<StandInAnswer> {
    let parts: string[];
    try {
      parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    } catch {
      return errorBody(404, 'Not Found', DOCS);
    }
    if (parts.length === 0 && method === 'GET') {
      return {
        status: 200,
        body: {
          current_user_url: `${api}/user`,
          repository_url: `${api}/repos/{owner}/{repo}`,
          rate_limit_url: `${api}/rate_limit`,
          organization_url: `${api}/orgs/{org}`,
          user_url: `${api}/users/{user}`,
        },
      };
    }
    if (parts[0] !== 'repos' || parts.length < 3) return errorBody(404, 'Not Found', DOCS);
    const [, owner, repo, kind, id, sub, extra] = parts as [
      string,
      string,
      string,
      string?,
      string?,
      string?,
      string?,
    ];
    if (kind === undefined) {
      return method === 'GET'
        ? { status: 200, body: repoJson(owner, repo, api) }
        : errorBody(404, 'Not Found', DOCS_REPO);
    }
    if (kind === 'pulls' && id === undefined) {
      if (method === 'GET') return listPulls(owner, repo, url, api);
      if (method === 'POST') return createPull(owner, repo, body, api);
    }
    if (kind === 'pulls' && id !== undefined && sub === undefined && method === 'GET') {
      const pr = /^\d+$/.test(id)
        ? standIn.pulls.find((p) => sameRepo(p, owner, repo) && p.number === Number(id))
        : undefined;
      return pr
        ? { status: 200, body: fullPullJson(pr, api, await baseShaOf(pr)) }
        : errorBody(404, 'Not Found', DOCS_GET);
    }
    if (
      kind === 'releases' &&
      id === 'tags' &&
      sub !== undefined &&
      extra === undefined &&
      method === 'GET'
    ) {
      const rel = releases.get(`${key(owner, repo)}@${sub}`);
      if (!rel) return errorBody(404, 'Not Found', DOCS_RELEASE);
      const self = `${api}/repos/${owner}/${repo}/releases/${rel.id}`;
      return {
        status: 200,
        body: {
          url: self,
          html_url: `${htmlBase}/${owner}/${repo}/releases/tag/${encodeURIComponent(rel.tag)}`,
          assets_url: `${self}/assets`,
          tarball_url: `${api}/repos/${owner}/${repo}/tarball/${encodeURIComponent(rel.tag)}`,
          zipball_url: `${api}/repos/${owner}/${repo}/zipball/${encodeURIComponent(rel.tag)}`,
          id: rel.id,
          tag_name: rel.tag,
          target_commitish: 'main',
          name: rel.tag,
          body: rel.body,
          draft: false,
          prerelease: false,
          created_at: rel.createdAt,
          published_at: rel.createdAt,
          author: STAND_IN_USER,
          assets: [],
        },
      };
    }
    return errorBody(404, 'Not Found', DOCS);
  }

  function authorized(header: string | undefined): boolean {
    const m = /^(token|bearer)\s+(\S+)\s*$/i.exec(header ?? '');
    return m !== null && m[2] === options.token;
  }

  async function answer(req: http.IncomingMessage, raw: Buffer): Promise<StandInAnswer> {
    const api = standIn.url;
    const url = new URL(req.url ?? '/', api);
    const method = req.method ?? 'GET';
    let body: unknown;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return errorBody(400, 'Problems parsing JSON', DOCS);
      }
    }
    const hooked = await standIn.onRequest?.({ method, path: url.pathname, query: url.search, body });
    if (hooked !== undefined) return hooked;
    const anonymousRoot = url.pathname === '/' && req.headers.authorization === undefined;
    if (!anonymousRoot && !authorized(req.headers.authorization))
      return errorBody(401, 'Bad credentials', DOCS);
    return route(method, url, body, api);
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => undefined);
    req.on('end', () => {
      const { pathname: path, search: query } = new URL(req.url ?? '/', 'http://stand-in');
      const method = req.method ?? 'GET';
      requestCount += 1;
      const requestId = `STANDIN:${requestCount.toString(16).toUpperCase()}`;
      answer(req, Buffer.concat(chunks))
        .catch((err: unknown): StandInAnswer =>
          errorBody(500, `stand-in failure: ${err instanceof Error ? err.message : String(err)}`, DOCS),
        )
        .then((a) => {
          standIn.requests.push({ method, path, query, status: a.status });
          used += 1;
          if (res.destroyed || req.socket.destroyed) return;
          res.writeHead(a.status, {
            'content-type': 'application/json; charset=utf-8',
            server: 'bumpflow-github-stand-in',
            'x-bumpflow-stand-in': 'github',
            'x-github-media-type': 'github.v3; format=json',
            'x-github-api-version-selected': '2022-11-28',
            'x-github-request-id': requestId,
            'x-ratelimit-limit': String(RATE_LIMIT),
            'x-ratelimit-remaining': String(Math.max(0, RATE_LIMIT - used)),
            'x-ratelimit-used': String(used),
            'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
            'x-ratelimit-resource': 'core',
            ...a.headers,
          });
          // A string body goes as it is (an HTML error page, plain text); anything else as JSON.
          res.end(a.body === undefined ? '' : typeof a.body === 'string' ? a.body : JSON.stringify(a.body));
        })
        .catch(() => res.destroy());
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  standIn.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let closing: Promise<void> | undefined;
  standIn.close = () => {
    closing ??= new Promise<void>((resolve, reject) => {
      server.close((err) => (err ? reject(err) : resolve()));
      for (const s of sockets) s.destroy();
    });
    return closing;
  };
  return standIn;
}
