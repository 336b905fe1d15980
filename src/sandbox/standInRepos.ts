/**
 * GitHub STAND-IN (a test double, not GitHub): which repositories exist and
 * what the token may do in each, and `GET /repos/{owner}/{repo}` with the
 * `permissions` GitHub adds for an authenticated request.
 */
import { DOCS_REPO, errorBody, repoJson, type Urls } from './standInShapes.js';
import type { StandInAnswer, StandInRepository, StandInRole } from './standInTypes.js';

const DEFAULT_REPOSITORY: StandInRepository = {
  exists: true,
  role: 'write',
  private: false,
  defaultBranch: 'main',
};

/** GitHub's role ladder: each role has the permissions of the ones below it. */
const LADDER = ['pull', 'triage', 'push', 'maintain', 'admin'] as const;
const RANK: Record<StandInRole, number> = { none: 0, read: 1, triage: 2, write: 3, maintain: 4, admin: 5 };

export const repoKey = (owner: string, repo: string): string => `${owner}/${repo}`.toLowerCase();

export interface RepoStore {
  get(owner: string, repo: string): StandInRepository;
  set(owner: string, repo: string, settings: Partial<StandInRepository>): void;
  reset(): void;
  /** Visible to the token: it exists, and is public or the token was granted it. */
  visible(owner: string, repo: string): boolean;
  /** The token may push there (write and above), so it may open a pull request from a branch of it. */
  canPush(owner: string, repo: string): boolean;
}

export function createRepoStore(): RepoStore {
  const settings = new Map<string, StandInRepository>();
  const store: RepoStore = {
    get: (owner, repo) => settings.get(repoKey(owner, repo)) ?? DEFAULT_REPOSITORY,
    set(owner, repo, change) {
      if (change.role !== undefined && !(change.role in RANK)) {
        throw new Error(
          `expected a role among ${Object.keys(RANK).join(', ')} for ${owner}/${repo}, found ${JSON.stringify(change.role)}`,
        );
      }
      settings.set(repoKey(owner, repo), { ...store.get(owner, repo), ...change });
    },
    reset: () => settings.clear(),
    visible(owner, repo) {
      const s = store.get(owner, repo);
      return s.exists && (!s.private || s.role !== 'none');
    },
    canPush: (owner, repo) => RANK[store.get(owner, repo).role] >= RANK.write,
  };
  return store;
}

/** GitHub's `permissions` object for a role; a public repository can be pulled by anyone. */
export function permissionsOf(s: StandInRepository): Record<(typeof LADDER)[number], boolean> {
  const rank = Math.max(RANK[s.role], s.private ? RANK.none : RANK.read);
  // LADDER[i] comes with rank i + 1 (pull with read, …, admin with admin).
  const has = (p: (typeof LADDER)[number]) => rank > LADDER.indexOf(p);
  return {
    admin: has('admin'),
    maintain: has('maintain'),
    push: has('push'),
    triage: has('triage'),
    pull: has('pull'),
  };
}

/** GET /repos/{owner}/{repo} for an authenticated token; the caller has checked it is visible. */
export function getRepository(
  owner: string,
  repo: string,
  method: string,
  repos: RepoStore,
  urls: Urls,
): StandInAnswer {
  if (method !== 'GET') return errorBody(404, 'Not Found', DOCS_REPO);
  const s = repos.get(owner, repo);
  return {
    status: 200,
    body: {
      ...repoJson(owner, repo, s, urls),
      permissions: permissionsOf(s),
    },
  };
}
