/**
 * Activities: everything that touches the world. Each takes one object,
 * is idempotent, and reports failures as typed Temporal failures:
 * non-retryable for what no retry can fix, retryable for outages.
 *
 * Dependencies come in through `createActivities(deps)`: the worker builds
 * real clients, tests build them against local real parts.
 */
import { log } from '@temporalio/activity';
import { BumpflowError, fatal, FatalFailure, toApplicationFailure } from '../shared/failures.js';
import { formatImageRef } from '../lib/imageRef.js';
import { commonDigest, indexVarsFile, replaceDigest, selectService } from '../lib/varsFile.js';
import { assertValidRefName } from '../lib/branches.js';
import { DEPENDENCY_FILES, dependencyPinned, type Reason } from '../lib/reason.js';
import type { RegistryClient } from './registry/client.js';
import type { Git } from './git/git.js';
import { parseRepoUrl, type Forge } from './forge/github.js';

export interface ActivityDeps {
  registry: RegistryClient;
  git: Git;
  forge: Forge;
  /** commit identity (and DCO sign-off) of the bot */
  author: { name: string; email: string };
}

export const LABEL_SOURCE = 'org.opencontainers.image.source';
export const LABEL_VERSION = 'org.opencontainers.image.version';
export const LABEL_REVISION = 'org.opencontainers.image.revision';

export interface ImageName {
  registry: string;
  repository: string;
}

export interface PinsOnBranch {
  image: string;
  registry: string;
  repository: string;
  tag: string;
  digest: string;
  keys: string[];
  baseSha: string;
}

export interface ImageFacts {
  digest: string;
  source: string;
  version: string;
  revision: string;
}

export interface PushBumpInput {
  repoUrl: string;
  baseBranch: string;
  workBranch: string;
  varsFile: string;
  image: string;
  newDigest: string;
  note: { file: string; content: string };
  message: string;
  /** ISO time fixed by the workflow, so a retried push builds the identical commit */
  date: string;
}

export interface PushBumpResult {
  /** the base already pins the new digest: nothing was pushed */
  alreadyCurrent: boolean;
  commitSha?: string | undefined;
  baseSha: string;
  pushed: boolean;
  changedKeys: string[];
}

function normaliseRepoUrl(url: string): string {
  return url.trim().replace(/\/+$/, '').replace(/\.git$/, '').toLowerCase();
}

/** Branches to bump: the ones asked (each must exist) or main plus every stable/*. */
export function chooseBranches(existing: readonly string[], requested: readonly string[] | undefined, repoUrl: string): string[] {
  const candidates = existing.filter((b) => b === 'main' || b.startsWith('stable/')).sort(compareBranches);
  if (requested === undefined || requested.length === 0) {
    if (!candidates.includes('main')) {
      throw fatal(FatalFailure.MissingBranch, `expected a main branch on ${repoUrl}, found only: ${candidates.join(', ') || '(none)'}`);
    }
    return candidates;
  }
  const wanted = [...new Set(requested.map((b) => assertValidRefName(b.trim(), 'branch')))];
  const missing = wanted.filter((b) => !existing.includes(b));
  if (missing.length > 0) {
    throw fatal(
      FatalFailure.MissingBranch,
      `expected branches that exist on ${repoUrl}; not found: ${missing.join(', ')}. Branches that exist: ${candidates.join(', ')}`,
      { missing, existing: candidates },
    );
  }
  return wanted.sort(compareBranches);
}

function compareBranches(a: string, b: string): number {
  if (a === b) return 0;
  if (a === 'main') return -1;
  if (b === 'main') return 1;
  return b.localeCompare(a, 'en', { numeric: true });
}


export function createActivities(deps: ActivityDeps) {
  const { registry, git, forge } = deps;

  /** How `fix` reached `revision`: as an ancestor, or as a cherry-pick -x backport; undefined when it did not. */
  async function included(sourceRepo: string, fix: string, revision: string): Promise<string | undefined> {
    const short = revision.slice(0, 12);
    if (await git.isAncestor(sourceRepo, fix, revision)) {
      return `commit ${fix.slice(0, 12)} is an ancestor of the image's source revision ${short} (git merge-base --is-ancestor)`;
    }
    // On a stable branch the fix arrives as a backport: a cherry-pick recorded with `git cherry-pick -x`.
    const backport = await git.findBackport(sourceRepo, fix, revision);
    if (backport === undefined) return undefined;
    return `commit ${backport.slice(0, 12)}, a backport of ${fix.slice(0, 12)} ("cherry picked from commit" trailer), is an ancestor of the image's source revision ${short}`;
  }

  async function readPinsAt(repoUrl: string, sha: string, branch: string, varsFile: string, service: string) {
    const text = await git.readFile(repoUrl, { commit: sha }, varsFile);
    if (text === undefined) {
      throw fatal(FatalFailure.MalformedVarsFile, `expected ${varsFile} on ${branch} of ${repoUrl} (at ${sha.slice(0, 12)}), found no such file`);
    }
    const selection = selectService(indexVarsFile(text, `${branch}:${varsFile}`), service);
    const { tag, digest } = commonDigest(selection, branch);
    return { text, selection, tag, digest };
  }

  const activities = {
    async listBranches(input: { repoUrl: string; requested?: string[] | undefined }): Promise<{ branches: string[]; heads: Record<string, string> }> {
      const heads = await git.lsRemoteHeads(input.repoUrl);
      const branches = chooseBranches([...heads.keys()], input.requested, input.repoUrl);
      return { branches, heads: Object.fromEntries(branches.map((b) => [b, heads.get(b) ?? ''])) };
    },

    async readPins(input: { repoUrl: string; branch: string; varsFile: string; service: string }): Promise<PinsOnBranch> {
      const baseSha = await git.branchHead(input.repoUrl, input.branch);
      if (baseSha === undefined) {
        throw fatal(FatalFailure.MissingBranch, `expected branch ${input.branch} on ${input.repoUrl}, found none`);
      }
      const { selection, tag, digest } = await readPinsAt(input.repoUrl, baseSha, input.branch, input.varsFile, input.service);
      const first = selection.pins[0]!;
      return {
        image: selection.image,
        registry: first.ref.registry,
        repository: first.ref.repository,
        tag,
        digest,
        keys: selection.pins.map((p) => p.key),
        baseSha,
      };
    },

    async resolveDigest(input: ImageName & { tag: string }): Promise<string> {
      return registry.resolveDigest({ registry: input.registry, repository: input.repository, tag: input.tag });
    },

    /** Labels of an image by digest, checked against what the branch expects. */
    async inspectImage(input: ImageName & { digest: string; expectedVersion: string; expectedSource?: string | undefined }): Promise<ImageFacts> {
      const ref = { registry: input.registry, repository: input.repository, digest: input.digest };
      const shown = formatImageRef(ref);
      const { labels } = await registry.getImageConfig(ref);
      const label = (name: string): string => {
        const value = labels[name];
        if (value === undefined || value.trim() === '') {
          throw fatal(FatalFailure.LabelMissing, `expected label ${name} on ${shown}, found none (labels: ${Object.keys(labels).join(', ') || 'none'})`);
        }
        return value.trim();
      };
      const version = label(LABEL_VERSION);
      const source = label(LABEL_SOURCE);
      const revision = label(LABEL_REVISION);
      if (version !== input.expectedVersion) {
        throw fatal(
          FatalFailure.LabelMismatch,
          `expected ${LABEL_VERSION}=${input.expectedVersion} (the tag pinned on the branch) on ${shown}, found ${version}: never bump a branch to another branch's image`,
          { expected: input.expectedVersion, found: version },
        );
      }
      if (input.expectedSource !== undefined && normaliseRepoUrl(source) !== normaliseRepoUrl(input.expectedSource)) {
        throw fatal(FatalFailure.LabelMismatch, `expected ${LABEL_SOURCE}=${input.expectedSource} on ${shown}, found ${source}`, {
          expected: input.expectedSource,
          found: source,
        });
      }
      return { digest: input.digest, source, version, revision };
    },

    async sourceHead(input: { sourceRepo: string; branch: string }): Promise<string> {
      const head = await git.branchHead(input.sourceRepo, input.branch);
      if (head === undefined) {
        throw fatal(FatalFailure.MissingBranch, `expected branch ${input.branch} in the source repo ${input.sourceRepo}, found none`);
      }
      return head;
    },

    /** Proves the stated reason is inside the image's source revision; returns the evidence. */
    async validateReason(input: { sourceRepo: string; revision: string; reason: Reason }): Promise<string[]> {
      const { sourceRepo, revision, reason } = input;
      const short = revision.slice(0, 12);
      switch (reason.kind) {
        case 'commit': {
          let fix: string;
          try {
            fix = await git.resolveCommit(sourceRepo, reason.sha);
          } catch (err) {
            if (err instanceof BumpflowError && err.type === FatalFailure.BadInput) {
              throw fatal(
                FatalFailure.FixNotIncluded,
                `expected commit ${reason.sha} in ${sourceRepo}, found no such commit (for an upstream fix, give the dependency version that carries it, e.g. name==1.2.3)`,
              );
            }
            throw err;
          }
          const evidence = await included(sourceRepo, fix, revision);
          if (evidence !== undefined) return [evidence];
          throw fatal(
            FatalFailure.FixNotIncluded,
            `expected commit ${fix.slice(0, 12)} (or a backport of it recorded with git cherry-pick -x) in the history of the image's revision ${short} in ${sourceRepo}, found neither`,
          );
        }
        case 'pull-request': {
          const repo = reason.owner && reason.repo ? { owner: reason.owner, repo: reason.repo } : parseRepoUrl(sourceRepo);
          const pr = await forge.getPullRequest({ owner: repo.owner, repo: repo.repo, number: reason.number });
          if (!pr.merged || pr.mergeCommitSha === null) {
            throw fatal(FatalFailure.FixNotIncluded, `expected pull request #${reason.number} of ${repo.owner}/${repo.repo} to be merged, found it ${pr.state} and not merged`);
          }
          const evidence = await included(sourceRepo, pr.mergeCommitSha, revision);
          if (evidence === undefined) {
            throw fatal(
              FatalFailure.FixNotIncluded,
              `expected the merge commit ${pr.mergeCommitSha.slice(0, 12)} of pull request #${reason.number} (or a backport of it recorded with git cherry-pick -x) in the history of the image's revision ${short}, found neither`,
            );
          }
          return [`pull request #${reason.number} is merged as ${pr.mergeCommitSha.slice(0, 12)}`, evidence];
        }
        case 'dependency':
        case 'release': {
          const files = await git.listFiles(sourceRepo, revision, DEPENDENCY_FILES);
          const hits = files.filter((f) => dependencyPinned(f.text, f.path.split('/').pop() ?? f.path, reason.name, reason.version));
          if (hits.length === 0) {
            throw fatal(
              FatalFailure.FixNotIncluded,
              `expected ${reason.name}==${reason.version} pinned at the image's source revision ${short} of ${sourceRepo}, found it in none of: ${files.map((f) => f.path).join(', ') || '(no dependency files)'}`,
              { checked: files.map((f) => f.path) },
            );
          }
          return hits.map((f) => `${f.path} pins ${reason.name}==${reason.version} at the image's source revision ${short}`);
        }
      }
    },

    /**
     * Creates (or finds, on a retry) the bump branch: the vars file with every
     * pin of the image moved to the new digest, and the release note. Safe to
     * retry: the same inputs build the same commit, and a branch that already
     * holds it is left as it is.
     */
    async pushBump(input: PushBumpInput): Promise<PushBumpResult> {
      const baseSha = await git.branchHead(input.repoUrl, input.baseBranch);
      if (baseSha === undefined) {
        throw fatal(FatalFailure.MissingBranch, `expected branch ${input.baseBranch} on ${input.repoUrl}, found none`);
      }
      const { text, selection, digest } = await readPinsAt(input.repoUrl, baseSha, input.baseBranch, input.varsFile, input.image);
      const changedKeys = selection.pins.map((p) => p.key);
      if (digest === input.newDigest) {
        log.info('base branch already pins the new digest', { branch: input.baseBranch, image: input.image });
        return { alreadyCurrent: true, baseSha, pushed: false, changedKeys: [] };
      }
      const edited = replaceDigest(text, selection, input.newDigest);
      const result = await git.pushBranch({
        url: input.repoUrl,
        baseBranch: input.baseBranch,
        workBranch: input.workBranch,
        expectedBaseSha: baseSha,
        files: [
          { path: input.varsFile, content: edited.text },
          { path: input.note.file, content: input.note.content },
        ],
        message: input.message,
        author: deps.author,
        date: input.date,
      });
      log.info('bump branch ready', { branch: input.workBranch, commit: result.commitSha, pushed: result.pushed });
      return { alreadyCurrent: false, commitSha: result.commitSha, baseSha: result.baseSha, pushed: result.pushed, changedKeys };
    },

    async openPullRequest(input: { repoUrl: string; head: string; base: string; title: string; body: string }): Promise<{ number: number; url: string; created: boolean }> {
      const { owner, repo } = parseRepoUrl(input.repoUrl);
      const pr = await forge.findOrCreatePullRequest({ owner, repo, head: input.head, base: input.base, title: input.title, body: input.body });
      log.info('pull request ready', { url: pr.url, created: pr.created });
      return { number: pr.number, url: pr.url, created: pr.created };
    },
  };
  return withTypedFailures(activities);
}

export type Activities = ReturnType<typeof createActivities>;

/** Wraps every activity so BumpflowErrors leave as typed ApplicationFailures. */
function withTypedFailures<T extends Record<string, (input: never) => Promise<unknown>>>(activities: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(activities)) {
    wrapped[name] = async (input: never) => {
      try {
        return await fn(input);
      } catch (err) {
        if (err instanceof BumpflowError) {
          log.warn('activity failed', { activity: name, type: err.type, retryable: err.retryable, message: err.message });
          throw toApplicationFailure(err);
        }
        throw err;
      }
    };
  }
  return wrapped as T;
}


