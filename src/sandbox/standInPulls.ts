/**
 * GitHub STAND-IN (a test double, not GitHub): pull requests — seed, list
 * (filters, pages, Link header), create (GitHub's 422s and 403), get.
 */
import { randomBytes } from 'node:crypto';
import type { RepoStore } from './standInRepos.js';
import {
  DOCS_CREATE,
  DOCS_GET,
  DOCS_LIST,
  errorBody,
  fullPullJson,
  PLACEHOLDER_SHA,
  simplePullJson,
  type Urls,
} from './standInShapes.js';
import type { GitHubStandIn, StandInAnswer, StandInPullRequest } from './standInTypes.js';

/** What the pull request endpoints read and change. */
export interface PullsWorld {
  standIn: GitHubStandIn;
  repos: RepoStore;
  urls: Urls;
}

const sameRepo = (p: StandInPullRequest, owner: string, repo: string) =>
  `${p.owner}/${p.repo}`.toLowerCase() === `${owner}/${repo}`.toLowerCase();

export function addPullRequest(
  pulls: StandInPullRequest[],
  pr: Partial<StandInPullRequest> & { owner: string; repo: string; head: string; base: string },
): StandInPullRequest {
  const numbers = pulls.filter((p) => sameRepo(p, pr.owner, pr.repo)).map((p) => p.number);
  const number = pr.number ?? Math.max(0, ...numbers) + 1;
  if (numbers.includes(number))
    throw new Error(`expected a free pull request number in ${pr.owner}/${pr.repo}, found #${number} taken`);
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
  pulls.push(full);
  return full;
}

async function baseShaOf(world: PullsWorld, pr: StandInPullRequest): Promise<string> {
  return (await world.standIn.resolveHeadSha?.(pr.owner, pr.repo, pr.base)) ?? PLACEHOLDER_SHA;
}

async function full(world: PullsWorld, pr: StandInPullRequest, baseSha?: string) {
  const settings = world.repos.get(pr.owner, pr.repo);
  return fullPullJson(pr, settings, world.urls, baseSha ?? (await baseShaOf(world, pr)));
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

export async function listPulls(
  world: PullsWorld,
  owner: string,
  repo: string,
  url: URL,
): Promise<StandInAnswer> {
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
  const all = world.standIn.pulls
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
  const settings = world.repos.get(owner, repo);
  const body = await Promise.all(
    slice.map(async (p) => simplePullJson(p, settings, world.urls, await baseShaOf(world, p))),
  );
  const link = linkHeader(url, world.urls.api, page, Math.max(1, Math.ceil(all.length / perPage)));
  return { status: 200, body, headers: link === undefined ? {} : { link } };
}

const invalid = (field: 'head' | 'base') =>
  errorBody(422, 'Validation Failed', DOCS_CREATE, [{ resource: 'PullRequest', field, code: 'invalid' }]);

export async function createPull(
  world: PullsWorld,
  owner: string,
  repo: string,
  input: unknown,
): Promise<StandInAnswer> {
  const { standIn } = world;
  if (!world.repos.canPush(owner, repo))
    return errorBody(403, 'Resource not accessible by personal access token', DOCS_CREATE);
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
  // head is "branch" or "owner:branch"; forks are not modelled, so another owner is an invalid head.
  const colon = rawHead.indexOf(':');
  const headOwner = colon === -1 ? owner : rawHead.slice(0, colon);
  const head = colon === -1 ? rawHead : rawHead.slice(colon + 1);
  if (headOwner.toLowerCase() !== owner.toLowerCase() || head === '') return invalid('head');
  let headSha = PLACEHOLDER_SHA;
  let baseSha = PLACEHOLDER_SHA;
  if (standIn.resolveHeadSha) {
    const h = await standIn.resolveHeadSha(owner, repo, head);
    if (h === undefined) return invalid('head');
    const bs = await standIn.resolveHeadSha(owner, repo, base);
    if (bs === undefined) return invalid('base');
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
    title: b.title,
    body: typeof b.body === 'string' ? b.body : '',
    headSha,
    state: 'open',
    merged: false,
    mergeCommitSha: null,
  });
  return {
    status: 201,
    body: await full(world, pr, baseSha),
    headers: { location: `${world.urls.api}/repos/${owner}/${repo}/pulls/${pr.number}` },
  };
}

export async function getPull(
  world: PullsWorld,
  owner: string,
  repo: string,
  id: string,
): Promise<StandInAnswer> {
  const pr = /^\d+$/.test(id)
    ? world.standIn.pulls.find((p) => sameRepo(p, owner, repo) && p.number === Number(id))
    : undefined;
  return pr ? { status: 200, body: await full(world, pr) } : errorBody(404, 'Not Found', DOCS_GET);
}
