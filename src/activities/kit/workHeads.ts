/** The heads a push builds on: the base branch's (MissingBranch when absent) and the work branch's, from one listing. */
import { fatal, FatalFailure } from '../../shared/failures.js';
import { assertValidRefName } from '../../lib/kit/branches.js';
import type { ActivityDeps } from './deps.js';

export async function baseAndWorkHeads(
  git: ActivityDeps['git'],
  { repoUrl, baseBranch, workBranch }: { repoUrl: string; baseBranch: string; workBranch: string },
): Promise<{ baseSha: string; workSha: string | undefined }> {
  assertValidRefName(baseBranch, 'branch');
  const heads = await git.lsRemoteHeads(repoUrl, [`refs/heads/${baseBranch}`, `refs/heads/${workBranch}`]);
  const baseSha = heads.get(baseBranch);
  if (baseSha === undefined)
    throw fatal(FatalFailure.MissingBranch, `expected branch ${baseBranch} on ${repoUrl}, found none`);
  return { baseSha, workSha: heads.get(workBranch) };
}
