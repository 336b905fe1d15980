/** GitHub STAND-IN (a test double, not GitHub): the types tests and the demo see. */
import type { StandInApp } from './standInApp.js';

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

/** A release as the stand-in keeps it (seeded ones: name = tag, target `main`). */
export interface StandInRelease {
  tag: string;
  /** null when the create named none (GitHub then shows the tag). */
  name: string | null;
  body: string | null;
  /** As given to the create, else the repository's default branch. */
  targetCommitish: string;
}

export interface StandInAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * The token's role in a repository, as GitHub names them; `none` is a token
 * that was not granted the repository (a private one is then a 404).
 */
export type StandInRole = 'none' | 'read' | 'triage' | 'write' | 'maintain' | 'admin';

/** How one repository looks to the stand-in's token. */
export interface StandInRepository {
  /** false: every request under /repos/{owner}/{repo} answers 404, as GitHub does for an unknown repository. */
  exists: boolean;
  /** Sets `permissions` of GET /repos/{owner}/{repo}; below `write`, creating a pull request or a release answers 403. */
  role: StandInRole;
  private: boolean;
  defaultBranch: string;
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
  /** Every release of owner/repo (case-insensitive), seeded or created, in creation order. */
  releases(owner: string, repo: string): StandInRelease[];
  /**
   * Every repository exists, public, default branch `main`, with the token in
   * the `write` role, unless set otherwise here: `{ exists: false }` makes it
   * unknown, `{ role: 'read' }` makes the token read-only there. Settings add
   * up; owner and repo match case-insensitively, as on GitHub.
   */
  setRepository(owner: string, repo: string, settings: Partial<StandInRepository>): void;
  /** Forgets every setRepository: all repositories are back to the default. */
  resetRepositories(): void;
  /** The GitHub App side (installations, the tokens issued), when started with `app`. */
  app?: StandInApp;
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
