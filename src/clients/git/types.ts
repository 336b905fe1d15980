/** The git client's public shapes: options, per-call hooks, the `Git` interface and push input/result. */

export interface GitOptions {
  /** cache directory for clones (one per remote URL, named by a hash of the URL) */
  workDir: string;
  /**
   * extra environment for every git call, e.g. GIT_CONFIG_COUNT/GIT_CONFIG_KEY_n/GIT_CONFIG_VALUE_n for
   * url.<base>.insteadOf (tests map https://github.com/ to local bare repos) and credential helpers; merged
   * over a minimal env (PATH, HOME, LC_ALL=C, GIT_ALLOW_PROTOCOL) + GIT_TERMINAL_PROMPT=0
   */
  env?: Record<string, string>;
  /** limit for each git process; default 10 minutes */
  timeoutMs?: number;
  /** how often `heartbeat` is called while a git process runs or waits for a cache lock; default 2 s */
  heartbeatIntervalMs?: number;
  /**
   * Credentials for a remote URL (a GitHub App's installation token: Forge.gitCredentials), asked before
   * each git process that talks to that remote; undefined leaves git to its own credentials. The answer
   * reaches that one process through its environment only (GIT_CONFIG_* http.extraHeader). A run the
   * remote refuses asks once more with `refresh` and runs once more.
   */
  credentials?: GitCredentials;
}

export interface GitCredential {
  username: string;
  password: string;
}

export type GitCredentials = (
  url: string,
  options?: { refresh?: boolean },
) => Promise<GitCredential | undefined>;

/**
 * Per-call hooks for calls that may take long. The activity layer passes
 * `Context.current().cancellationSignal` and `() => Context.current().heartbeat()`.
 */
export interface GitCall {
  /** aborting kills the running git process group; the call then rejects with `signal.reason` */
  signal?: AbortSignal;
  /** called about every `heartbeatIntervalMs` while git runs (or the call waits for the cache lock) */
  heartbeat?: () => void;
}

export interface Git {
  /** branch name (without refs/heads/) → sha; patterns are `git ls-remote` patterns, e.g. `refs/heads/stable/*` */
  lsRemoteHeads(url: string, patterns?: string[], call?: GitCall): Promise<Map<string, string>>;
  /**
   * A file's text at a branch (origin's current head: fetched first) or at a commit, from a cached full clone;
   * undefined when no file exists at that path.
   */
  readFile(
    url: string,
    ref: { branch: string } | { commit: string },
    path: string,
    call?: GitCall,
  ): Promise<string | undefined>;
  /** origin's head of `branch`, undefined when the branch does not exist */
  branchHead(url: string, branch: string, call?: GitCall): Promise<string | undefined>;
  /** Source repos (cached partial clone, fetched on demand; abbreviated SHAs resolved). Unknown commit → BadInput. */
  isAncestor(url: string, ancestor: string, descendant: string, call?: GitCall): Promise<boolean>;
  /**
   * A backport of `fix` in the history of `descendant`: the newest commit whose message carries
   * `git cherry-pick -x`'s trailer "(cherry picked from commit <fix>)"; undefined when there is none.
   */
  findBackport(url: string, fix: string, descendant: string, call?: GitCall): Promise<string | undefined>;
  /** the full sha of a commit named by a full or abbreviated sha, or BadInput */
  resolveCommit(url: string, shaOrAbbrev: string, call?: GitCall): Promise<string>;
  /** files anywhere in the tree at `commit` whose basename is one of `names`, sorted by path, with contents */
  listFiles(
    url: string,
    commit: string,
    names: readonly string[],
    call?: GitCall,
  ): Promise<Array<{ path: string; text: string }>>;
  /** the files directly in `folder` (not its subfolders', not symlinks) at `commit` of the cached full clone, sorted by path */
  listFolder(url: string, commit: string, folder: string, call?: GitCall): Promise<string[]>;
  /** Builds one commit on origin/<baseBranch> and puts it at <workBranch>; idempotent, touches no other branch. */
  pushBranch(input: PushInput, call?: GitCall): Promise<PushResult>;
}

export interface PushInput {
  /** target repo remote */
  url: string;
  /** e.g. stable/2025.1 */
  baseBranch: string;
  /** e.g. bump-magnum-2025.1: no '/', a valid branch name, not the base */
  workBranch: string;
  /** if given and origin/<base> moved, still fine: the commit is built on the current head and `baseMoved` says so */
  expectedBaseSha?: string;
  /**
   * origin's heads of baseBranch and workBranch (undefined: no such branch) from an ls-remote the caller
   * has just made; the push then lists none itself. The lease still protects the work branch.
   */
  remoteHeads?: { baseSha: string; workSha?: string | undefined };
  /** full new contents of each file to write (vars file, release note) */
  files: Array<{ path: string; content: string }>;
  /** full commit message; a `Signed-off-by:` trailer is added as `git commit -s` would */
  message: string;
  author: { name: string; email: string };
  /** ISO timestamp supplied by the caller → author and committer date, so a retried push builds the identical commit */
  date: string;
}

export interface PushResult {
  /** the commit at <workBranch> on the remote */
  commitSha: string;
  /** origin/<baseBranch> the commit is built on */
  baseSha: string;
  /** false when the remote already had an equivalent commit (same tree, parent = baseSha) */
  pushed: boolean;
  /** paths whose content differs from the base, sorted */
  changedFiles: string[];
  /** true when `expectedBaseSha` was given and the base head is another commit */
  baseMoved: boolean;
  /** the remote work-branch tip this push replaced; undefined when the branch was new or already up to date */
  replacedSha: string | undefined;
}
