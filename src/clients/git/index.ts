/**
 * The git layer: every fact the bump takes from a git remote, and the one write it makes (a work branch),
 * through the git CLI. Modules by concern:
 *   run.ts      the process runner (env, timeout, abort signal, heartbeats)
 *   credentials.ts  a remote's credentials (GitOptions.credentials) as one process's env, hidden from output
 *   classify.ts git's failures → RepoNotFound / AuthRefused (fatal), GitUnavailable (transient); redaction
 *   check.ts    input checks (branch names by src/lib/kit/branches.ts, URLs, shas, paths, identity, dates)
 *   cache.ts    the clone cache: full and partial clones, per-directory locks, fetch-on-demand
 *   heads.ts    ls-remote of every head, one process shared by concurrent calls (never a stale answer)
 *   blobs.ts    a file at a commit (cat-file), texts kept in memory since commits never change
 *   read.ts     ls-remote, a file at a ref, ancestry, backports, dependency files
 *   commit.ts   what a push changes (blob ids in-process) and its commit, by one git fast-import
 *   push.ts     the work branch: signed-off commit (src/lib/kit/commitMessage.ts), push with a lease, verify
 *
 * Errors are typed (src/shared/failures.ts) and never carry credentials: userinfo is stripped from every
 * URL and every piece of git output quoted.
 */
import { createCache } from './cache.js';
import { createPush } from './push.js';
import { createReads } from './read.js';
import { createRunner } from './run.js';
import type { Git, GitOptions } from './types.js';

export { cloneDirFor, type CloneKind } from './cache.js';
export { redactCredentials } from './classify.js';
export type {
  Git,
  GitCall,
  GitCredential,
  GitCredentials,
  GitOptions,
  PushInput,
  PushResult,
} from './types.js';

export function createGit(options: GitOptions): Git {
  const runner = createRunner(options);
  const cache = createCache(runner);
  const reads = createReads(runner, cache);
  return { ...reads, pushBranch: createPush(runner, cache, reads) };
}
