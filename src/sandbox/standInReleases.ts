/**
 * GitHub STAND-IN (a test double, not GitHub): releases by tag — seeded with
 * addRelease, created by POST /repos/{o}/{r}/releases (GitHub's 201, 403 and
 * 422s), and read by GET …/releases/tags/{tag}.
 */
import type { RepoStore } from './standInRepos.js';
import { repoKey } from './standInRepos.js';
import {
  DOCS,
  DOCS_RELEASE,
  DOCS_RELEASE_CREATE,
  errorBody,
  STAND_IN_USER,
  type Urls,
} from './standInShapes.js';
import type { GitHubStandIn, StandInAnswer, StandInRelease } from './standInTypes.js';

interface StoredRelease extends StandInRelease {
  id: number;
  owner: string;
  repo: string;
  createdAt: string;
}

/** What the release endpoints read: the repositories' settings, the branch resolver, the URLs. */
export interface ReleasesWorld {
  standIn: GitHubStandIn;
  repos: RepoStore;
  urls: Urls;
}

export interface ReleaseStore {
  add(owner: string, repo: string, tag: string, body: string): void;
  /** Every release of owner/repo, seeded or created, in creation order. */
  list(owner: string, repo: string): StandInRelease[];
  /** Answers `{method} /repos/{owner}/{repo}/releases/{...rest}`. */
  route(
    world: ReleasesWorld,
    method: string,
    owner: string,
    repo: string,
    rest: string[],
    body: unknown,
  ): Promise<StandInAnswer>;
}

const FULL_SHA = /^[0-9a-f]{40}$/i;

function releaseJson(rel: StoredRelease, { api, html }: Urls) {
  const { owner, repo } = rel;
  const self = `${api}/repos/${owner}/${repo}/releases/${rel.id}`;
  const tagPath = encodeURIComponent(rel.tag);
  return {
    url: self,
    html_url: `${html}/${owner}/${repo}/releases/tag/${tagPath}`,
    assets_url: `${self}/assets`,
    upload_url: `${self}/assets{?name,label}`,
    tarball_url: `${api}/repos/${owner}/${repo}/tarball/${tagPath}`,
    zipball_url: `${api}/repos/${owner}/${repo}/zipball/${tagPath}`,
    id: rel.id,
    node_id: `RE_standin${rel.id}`,
    tag_name: rel.tag,
    target_commitish: rel.targetCommitish,
    name: rel.name,
    body: rel.body,
    draft: false,
    prerelease: false,
    created_at: rel.createdAt,
    published_at: rel.createdAt,
    author: STAND_IN_USER,
    assets: [],
  };
}

/** `Invalid request.` for a field of the wrong type, as GitHub's schema check words it. */
function notAString(field: string, value: unknown): StandInAnswer {
  return errorBody(
    422,
    `Invalid request.\n\nFor '${field}', ${JSON.stringify(value)} is not a string.`,
    DOCS_RELEASE_CREATE,
  );
}

const validation = (field: string, code: string) =>
  errorBody(422, 'Validation Failed', DOCS_RELEASE_CREATE, [{ resource: 'Release', code, field }]);

export function createReleaseStore(): ReleaseStore {
  const releases = new Map<string, StoredRelease>();
  let lastId = 0;
  const keyOf = (owner: string, repo: string, tag: string) => `${repoKey(owner, repo)}@${tag}`;

  function store(owner: string, repo: string, release: StandInRelease): StoredRelease {
    lastId += 1;
    const stored = { ...release, id: lastId, owner, repo, createdAt: new Date().toISOString() };
    releases.set(keyOf(owner, repo, release.tag), stored);
    return stored;
  }

  async function create(
    world: ReleasesWorld,
    owner: string,
    repo: string,
    input: unknown,
  ): Promise<StandInAnswer> {
    if (!world.repos.canPush(owner, repo))
      return errorBody(403, 'Resource not accessible by personal access token', DOCS_RELEASE_CREATE);
    const b = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
    if (b.tag_name === undefined)
      return errorBody(422, `Invalid request.\n\n"tag_name" wasn't supplied.`, DOCS_RELEASE_CREATE);
    for (const field of ['tag_name', 'target_commitish', 'name', 'body'])
      if (b[field] !== undefined && b[field] !== null && typeof b[field] !== 'string')
        return notAString(field, b[field]);
    const tag = b.tag_name as string;
    if (tag.trim() === '') return validation('tag_name', 'missing_field');
    if (releases.has(keyOf(owner, repo, tag))) return validation('tag_name', 'already_exists');
    const given = typeof b.target_commitish === 'string' ? b.target_commitish : '';
    const targetCommitish = given === '' ? world.repos.get(owner, repo).defaultBranch : given;
    // A full SHA is taken as it is (the stand-in keeps no commits); a branch must resolve when a resolver is set.
    const resolve = world.standIn.resolveHeadSha;
    if (/\s/.test(targetCommitish)) return validation('target_commitish', 'invalid');
    if (resolve && !FULL_SHA.test(targetCommitish)) {
      const sha = await resolve(owner, repo, targetCommitish);
      if (sha === undefined) return validation('target_commitish', 'invalid');
    }
    // Checked again: another create may have taken the tag while the branch was resolved.
    if (releases.has(keyOf(owner, repo, tag))) return validation('tag_name', 'already_exists');
    const rel = store(owner, repo, {
      tag,
      targetCommitish,
      name: typeof b.name === 'string' ? b.name : null,
      body: typeof b.body === 'string' ? b.body : null,
    });
    return {
      status: 201,
      body: releaseJson(rel, world.urls),
      headers: { location: `${world.urls.api}/repos/${owner}/${repo}/releases/${rel.id}` },
    };
  }

  return {
    add(owner, repo, tag, body) {
      store(owner, repo, { tag, targetCommitish: 'main', name: tag, body });
    },
    list(owner, repo) {
      return [...releases.values()]
        .filter((r) => repoKey(r.owner, r.repo) === repoKey(owner, repo))
        .sort((a, b) => a.id - b.id)
        .map(({ tag, name, body, targetCommitish }) => ({ tag, name, body, targetCommitish }));
    },
    async route(world, method, owner, repo, rest, body) {
      if (rest.length === 0 && method === 'POST') return create(world, owner, repo, body);
      if (rest.length === 2 && rest[0] === 'tags' && method === 'GET') {
        const rel = releases.get(keyOf(owner, repo, rest[1]!));
        return rel
          ? { status: 200, body: releaseJson(rel, world.urls) }
          : errorBody(404, 'Not Found', DOCS_RELEASE);
      }
      return errorBody(404, 'Not Found', DOCS);
    },
  };
}
