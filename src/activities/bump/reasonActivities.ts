/** The stated reason for a bump, proved at the image's source revision: a commit, a merged PR, or a dependency pin. */
import { BumpflowError, fatal, FatalFailure } from '../../shared/failures.js';
import { DEPENDENCY_FILES, dependencyPinned, type Reason } from '../../lib/bump/reason.js';
import { parseRepoUrl } from '../../clients/forge/index.js';
import type { ActivityDeps } from '../kit/deps.js';

export function reasonActivities(deps: ActivityDeps) {
  const { git, forge } = deps;

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

  return {
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
          const repo =
            reason.owner && reason.repo
              ? { owner: reason.owner, repo: reason.repo }
              : parseRepoUrl(sourceRepo);
          const pr = await forge.getPullRequest({
            owner: repo.owner,
            repo: repo.repo,
            number: reason.number,
          });
          if (!pr.merged || pr.mergeCommitSha === null) {
            throw fatal(
              FatalFailure.FixNotIncluded,
              `expected pull request #${reason.number} of ${repo.owner}/${repo.repo} to be merged, found it ${pr.state} and not merged`,
            );
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
          const hits = files.filter((f) =>
            dependencyPinned(f.text, f.path.split('/').pop() ?? f.path, reason.name, reason.version),
          );
          if (hits.length === 0) {
            throw fatal(
              FatalFailure.FixNotIncluded,
              `expected ${reason.name}==${reason.version} pinned at the image's source revision ${short} of ${sourceRepo}, found it in none of: ${files.map((f) => f.path).join(', ') || '(no dependency files)'}`,
              { checked: files.map((f) => f.path) },
            );
          }
          return hits.map(
            (f) => `${f.path} pins ${reason.name}==${reason.version} at the image's source revision ${short}`,
          );
        }
      }
    },
  };
}
