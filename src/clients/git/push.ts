/**
 * The one write: a work branch holding exactly one signed-off commit on top of origin/<base>, built by
 * one fast-import in the full cache clone (no work tree, no index), pushed with a lease, then verified
 * on the remote.
 */
import { fatal, FatalFailure } from '../../shared/failures.js';
import { signedOffMessage } from '../../lib/kit/commitMessage.js';
import type { GitCache } from './cache.js';
import { checkDate, checkFiles, checkFullSha, checkIdentity, checkUrl, checkWorkBranch } from './check.js';
import { quoteOutput, redactCredentials, remoteFailure } from './classify.js';
import { changesOver, importCommit } from './commit.js';
import { listTree, parseTree, type GitReads, type TreeEntry } from './read.js';
import type { GitRunner } from './run.js';
import type { GitCall, PushInput, PushResult } from './types.js';

interface Heads {
  baseSha: string;
  workSha: string | undefined;
}

export function createPush(
  runner: GitRunner,
  cache: GitCache,
  reads: GitReads,
): (input: PushInput, call?: GitCall) => Promise<PushResult> {
  const { local } = runner;

  /** origin's heads of base and work: as the caller just listed them, or from one (shared) ls-remote. */
  async function remoteHeads(input: PushInput, call: GitCall): Promise<Heads> {
    const { url, baseBranch: base, workBranch: work, remoteHeads: given } = input;
    if (given !== undefined) {
      const workSha = given.workSha;
      return {
        baseSha: checkFullSha(given.baseSha, 'remoteHeads.baseSha'),
        workSha: workSha === undefined ? undefined : checkFullSha(workSha, 'remoteHeads.workSha'),
      };
    }
    const remote = await reads.lsRemoteHeads(url, [`refs/heads/${base}`, `refs/heads/${work}`], call);
    const baseSha = remote.get(base);
    if (baseSha === undefined) {
      const shown = redactCredentials(url);
      throw fatal(
        FatalFailure.MissingBranch,
        `expected branch ${base} to exist in ${shown}, found no such branch`,
        { url: shown, branch: base },
      );
    }
    return { baseSha, workSha: remote.get(work) };
  }

  /**
   * The heads to build on and the base's tree: straight from the clone when it has the base commit (and
   * the work branch is new), else after fetching base and work, whose fetched heads then count.
   */
  async function inClone(
    dir: string,
    input: PushInput,
    seen: Heads,
    call: GitCall,
  ): Promise<Heads & { baseTree: TreeEntry[] }> {
    const { url, baseBranch: base, workBranch: work } = input;
    if (seen.workSha === undefined) {
      const run = await runner.run(['ls-tree', '-r', '-z', '--full-tree', seen.baseSha], { gitDir: dir });
      if (run.exitCode === 0) return { ...seen, baseTree: parseTree(run.stdout) };
    }
    const branches = seen.workSha === undefined ? [base] : [base, work];
    const heads = await cache.withClone('full', url, call, async () => {
      await cache.fetchBranches(dir, url, branches, call);
      const refs = branches.map((branch) => `refs/remotes/origin/${branch}^{commit}`);
      return (await local(dir, ['rev-parse', ...refs])).trim().split('\n');
    });
    const baseSha = heads[0] ?? '';
    const baseTree = await listTree(runner, dir, baseSha);
    return { baseSha, workSha: heads[1], baseTree };
  }

  /** After git reported success: the remote's work branch must be at `commitSha`. */
  async function verifyPushed(url: string, work: string, commitSha: string, call: GitCall): Promise<void> {
    const head = await reads.branchHead(url, work, call);
    if (head === commitSha) return;
    throw fatal(
      FatalFailure.PushRejected,
      `expected ${work} in ${redactCredentials(url)} to be at ${commitSha} after the push, found ${head ?? 'no such branch'}`,
      { url: redactCredentials(url), workBranch: work, commitSha, found: head ?? null },
    );
  }

  return async function pushBranch(input: PushInput, call: GitCall = {}): Promise<PushResult> {
    const { url, baseBranch: base, workBranch: work } = input;
    checkUrl(url);
    checkWorkBranch(work, base);
    const expectedBaseSha =
      input.expectedBaseSha === undefined
        ? undefined
        : checkFullSha(input.expectedBaseSha, 'expectedBaseSha');
    checkFiles(input.files);
    checkIdentity(input.author);
    const date = checkDate(input.date);
    if (typeof input.message !== 'string' || input.message.includes('\0')) {
      throw fatal(FatalFailure.BadInput, 'expected a commit message of text without NUL characters');
    }
    const shown = redactCredentials(url);

    const dir = cache.dirFor('full', url);
    const {
      baseSha,
      workSha: seenWorkSha,
      baseTree,
    } = await inClone(dir, input, await remoteHeads(input, call), call);
    const changes = changesOver(baseSha, baseTree, input.files);
    if (changes.length === 0) {
      throw fatal(
        FatalFailure.BadInput,
        `nothing to commit: expected ${input.files.map((f) => f.path).join(', ')} to change ${base} (${baseSha}) of ${shown}, found the same content there`,
        { url: shown, baseBranch: base, baseSha },
      );
    }
    const outcome = {
      baseSha,
      changedFiles: changes.map((change) => change.path),
      baseMoved: expectedBaseSha !== undefined && expectedBaseSha !== baseSha,
    };
    const message = signedOffMessage(input.message, input.author);
    const { commitSha, tree } = await importCommit(runner, dir, {
      baseSha,
      changes,
      ident: `${input.author.name} <${input.author.email}> ${date.slice(1)}`,
      message,
      scratchRef: `refs/bumpflow/build/${work}`,
    });

    if (seenWorkSha !== undefined) {
      const [workTree, ...parents] = (await local(dir, ['log', '-1', '--format=%T %P', seenWorkSha]))
        .trim()
        .split(' ');
      if (workTree === tree && parents.length === 1 && parents[0] === baseSha) {
        return { ...outcome, commitSha: seenWorkSha, pushed: false, replacedSha: undefined };
      }
      const ahead = Number((await local(dir, ['rev-list', '--count', seenWorkSha, `^${baseSha}`])).trim());
      if (ahead > 1) {
        throw fatal(
          FatalFailure.PushRejected,
          `refusing to replace ${work} in ${shown}: expected at most one commit on top of ${base}, found ${ahead} at ${seenWorkSha} (someone else's work?); delete the branch or choose another name`,
          { url: shown, workBranch: work, workSha: seenWorkSha, ahead },
        );
      }
    }
    if (message === '') throw fatal(FatalFailure.BadInput, 'expected a commit message, found an empty one');

    const lease = `--force-with-lease=refs/heads/${work}:${seenWorkSha ?? ''}`;
    const run = await runner.run(
      ['push', '--porcelain', '--no-verify', lease, 'origin', `${commitSha}:refs/heads/${work}`],
      { ...call, gitDir: dir, remote: url },
    );
    const status = run.stdout
      .split('\n')
      .find((line) => line.split('\t')[1]?.endsWith(`:refs/heads/${work}`));
    const flag = status?.split('\t')[0];
    if (run.exitCode === 0 && status !== undefined) {
      await verifyPushed(url, work, commitSha, call);
      const pushed = flag !== '=';
      return { ...outcome, commitSha, pushed, replacedSha: pushed ? seenWorkSha : undefined };
    }
    if (flag === '!') {
      // the same commit may have landed meanwhile (a concurrent retry of this very call)
      if ((await reads.branchHead(url, work, call)) === commitSha) {
        return { ...outcome, commitSha, pushed: false, replacedSha: undefined };
      }
      const output = quoteOutput(run);
      throw fatal(
        FatalFailure.PushRejected,
        `expected ${shown} to accept ${commitSha} at ${work} (lease: ${seenWorkSha ?? 'branch absent'}), it refused: ${output}`,
        { url: shown, workBranch: work, commitSha, output },
      );
    }
    throw remoteFailure(`push ${work} to`, url, run);
  };
}
