/** What the rest of bumpflow sees of the forge: options, results, and the Forge interface. */

export interface ForgeOptions {
  /** REST API root; default https://api.github.com. */
  baseUrl?: string;
  /** Web root git remotes are under (GITHUB_SERVER_URL); default derived from `baseUrl` (gitCredentials.ts). */
  webUrl?: string;
  /** A personal access token; never together with `app`. */
  token?: string;
  /** A GitHub App: installation tokens per repository instead of a personal token. */
  app?: GitHubAppOptions;
  userAgent?: string;
  /** Deadline in milliseconds for one HTTP exchange, body included (default 30 s). */
  timeoutMs?: number;
}

/** A GitHub App the worker authenticates as (appSettings.ts reads it from the environment). */
export interface GitHubAppOptions {
  appId: number;
  /** The app's RSA private key, PEM; it signs the app's JWTs and goes nowhere else. */
  privateKey: string;
  /** The installation to use for every repository; default: found per repository. */
  installationId?: number;
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

export interface PullRequestDetails {
  number: number;
  merged: boolean;
  mergeCommitSha: string | null;
  state: string;
  url: string;
}

/** An audit release (found or created by findOrCreateRelease). */
export interface ReleaseRef {
  id: number;
  /** The release's page (`html_url`). */
  url: string;
  tag: string;
  /** true when this call created it, false when a release for the tag was already there. */
  created: boolean;
}

/** The token may push to the repository, so it may open pull requests from a branch of it. */
export interface PullRequestAccess {
  /** `owner/repo` as GitHub spells it (after a rename, the new name). */
  fullName: string;
  defaultBranch: string;
  canPush: true;
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
  getPullRequest(input: { owner: string; repo: string; number: number }): Promise<PullRequestDetails>;
  /** The body of the release for `tag`; undefined when there is no such release. */
  getReleaseNotes(input: { owner: string; repo: string; tag: string }): Promise<string | undefined>;
  /**
   * The release for `tag` in owner/repo, created at `targetCommitish` with
   * `name` and `body` when there is none (GitHub then makes the tag). An
   * existing one is returned as it is, never edited. Safe to retry and to
   * race: at most one release is ever made for a tag. Fatal AuthRefused (401,
   * 403: the token may not push there), RepoNotFound (404), BadInput (another
   * 422, e.g. a target that is no commit or branch); transient ForgeUnavailable
   * for outages and rate limits.
   */
  findOrCreateRelease(input: {
    owner: string;
    repo: string;
    tag: string;
    targetCommitish: string;
    name: string;
    body: string;
  }): Promise<ReleaseRef>;
  /**
   * Pre-flight, before anything is pushed: `GET /repos/{owner}/{repo}` with the
   * configured token. Fatal AuthRefused without a token, for a refused token or
   * one that cannot push there; fatal RepoNotFound for a 404; fatal
   * ForgeMisconfigured when the answer is not GitHub's (a wrong GITHUB_API_URL);
   * transient ForgeUnavailable for outages and rate limits.
   */
  checkPullRequestAccess(input: { owner: string; repo: string }): Promise<PullRequestAccess>;
  /**
   * As a GitHub App only: git's credentials for an https:// URL on the forge's web host,
   * `x-access-token` and the repository's installation token (`refresh`: a new one); undefined for any
   * other URL. With a personal token this is absent and git uses its own credentials.
   */
  gitCredentials?: (
    repoUrl: string,
    options?: { refresh?: boolean },
  ) => Promise<{ username: string; password: string } | undefined>;
}
