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
 *   GET  /repos/{o}/{r}                      the repository with the token's `permissions`
 *                                            (every repository exists unless setRepository says
 *                                            otherwise; standInRepos.ts)
 *   GET  /repos/{o}/{r}/pulls                state (open|closed|all), head (owner:branch — a bare
 *                                            branch is ignored, as GitHub does), base, per_page,
 *                                            page, newest first, Link header
 *   POST /repos/{o}/{r}/pulls                title/head/base checked; 422 "A pull request already
 *                                            exists for owner:branch." for a second open one;
 *                                            head/base "invalid" and "No commits between" when
 *                                            `resolveHeadSha` is set; 403 below the write role
 *   GET  /repos/{o}/{r}/pulls/{n}            full pull request (merged, merge_commit_sha, …)
 *   POST /repos/{o}/{r}/releases             201 with the release; 422 already_exists for a tag that
 *                                            has one, target_commitish invalid for a branch
 *                                            `resolveHeadSha` does not know; 403 below the write role
 *   GET  /repos/{o}/{r}/releases/tags/{tag}  a release seeded with addRelease or created
 *   GET  /repos/{o}/{r}/installation,        with `app`: a GitHub App's JWT routes and the
 *   POST /app/installations/{id}/access_tokens  installation tokens they issue (standInApp.ts)
 *
 * Every request needs `Authorization: token|Bearer <token>`; a missing or
 * wrong one gets 401 Bad credentials. `onRequest` runs before that check,
 * like GitHub's edge (rate limits and outages answer before authentication).
 * A repository that does not exist (or a private one the token was not
 * granted) answers 404 under /repos/{o}/{r}, as on GitHub.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createStandInApp, type StandInAppOptions } from './standInApp.js';
import { addPullRequest, createPull, getPull, listPulls, type PullsWorld } from './standInPulls.js';
import { createReleaseStore } from './standInReleases.js';
import { createRepoStore, getRepository } from './standInRepos.js';
import { DOCS, DOCS_REPO, errorBody, type Urls } from './standInShapes.js';
import type { GitHubStandIn, StandInAnswer } from './standInTypes.js';

export type {
  GitHubStandIn,
  StandInAnswer,
  StandInPullRequest,
  StandInRepository,
  StandInRole,
} from './standInTypes.js';

const RATE_LIMIT = 5000;

export async function startGitHubStandIn(options: {
  token: string;
  port?: number;
  htmlBase?: string;
  app?: StandInAppOptions;
}): Promise<GitHubStandIn> {
  if (!options.token) throw new Error('expected a token for the GitHub stand-in to require, found none');
  const html = (options.htmlBase ?? 'https://github.com').replace(/\/+$/, '');
  const releases = createReleaseStore();
  const repos = createRepoStore();
  const app = options.app === undefined ? undefined : createStandInApp(options.app);
  const sockets = new Set<Socket>();
  let used = 0;
  let requestCount = 0;

  const standIn: GitHubStandIn = {
    url: '',
    pulls: [],
    requests: [],
    addPullRequest: (pr) => addPullRequest(standIn.pulls, pr),
    addRelease: (owner, repo, tag, body) => releases.add(owner, repo, tag, body),
    releases: (owner, repo) => releases.list(owner, repo),
    setRepository: (owner, repo, settings) => repos.set(owner, repo, settings),
    resetRepositories: () => repos.reset(),
    ...(app === undefined ? {} : { app: app.control }),
    close: async () => undefined,
  };

  async function route(method: string, url: URL, body: unknown): Promise<StandInAnswer> {
    const urls: Urls = { api: standIn.url, html };
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
          current_user_url: `${urls.api}/user`,
          repository_url: `${urls.api}/repos/{owner}/{repo}`,
          rate_limit_url: `${urls.api}/rate_limit`,
          organization_url: `${urls.api}/orgs/{org}`,
          user_url: `${urls.api}/users/{user}`,
        },
      };
    }
    if (parts[0] !== 'repos' || parts.length < 3) return errorBody(404, 'Not Found', DOCS);
    const [, owner, repo, kind, id, sub] = parts as [string, string, string, string?, string?, string?];
    if (!repos.visible(owner, repo)) return errorBody(404, 'Not Found', DOCS_REPO);
    const world: PullsWorld = { standIn, repos, urls };
    if (kind === undefined) return getRepository(owner, repo, method, repos, urls);
    if (kind === 'pulls' && id === undefined) {
      if (method === 'GET') return listPulls(world, owner, repo, url);
      if (method === 'POST') return createPull(world, owner, repo, body);
    }
    if (kind === 'pulls' && id !== undefined && sub === undefined && method === 'GET') {
      return getPull(world, owner, repo, id);
    }
    if (kind === 'releases') return releases.route(world, method, owner, repo, parts.slice(4), body);
    return errorBody(404, 'Not Found', DOCS);
  }

  function authorized(header: string | undefined): boolean {
    const m = /^(token|bearer)\s+(\S+)\s*$/i.exec(header ?? '');
    return m !== null && m[2] === options.token;
  }

  async function answer(req: http.IncomingMessage, raw: Buffer): Promise<StandInAnswer> {
    const url = new URL(req.url ?? '/', standIn.url);
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
    const byApp = app?.check(method, url.pathname, req.headers.authorization, { api: standIn.url, html });
    if (byApp !== undefined && byApp !== 'installation') return byApp;
    const anonymousRoot = url.pathname === '/' && req.headers.authorization === undefined;
    if (byApp === undefined && !anonymousRoot && !authorized(req.headers.authorization))
      return errorBody(401, 'Bad credentials', DOCS);
    const answered = await route(method, url, body);
    return byApp === 'installation' ? app!.shape(method, url.pathname, answered) : answered;
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
