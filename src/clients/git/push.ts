/**
 * The one write: a work branch holding exactly one signed-off commit on top of origin/<base>, built in a
 * private index of the full cache clone (no work tree), pushed with a lease, then verified on the remote.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { fatal, FatalFailure } from '../../shared/failures.js';
import type { GitCache } from './cache.js';
import { checkDate, checkFiles, checkFullSha, checkIdentity, checkUrl, checkWorkBranch } from './check.js';
import { quoteOutput, redactCredentials, remoteFailure } from './classify.js';
import { compare, listTree, type GitReads } from './read.js';
import type { GitRunner } from './run.js';
import type { GitCall, PushInput, PushResult } from './types.js';

export function createPush(
  runner: GitRunner,
  cache: GitCache,
  reads: GitReads,
): (input: PushInput, call?: GitCall) => Promise<PushResult> {
  const { local } = runner;

  /** The tree of origin/<base> with `files` written over it, built in a private index. */
  async function buildTree(
    dir: string,
    baseSha: string,
    files: ReadonlyArray<{ path: string; content: string }>,
  ): Promise<string> {
    const baseEntries = new Map((await listTree(runner, dir, baseSha)).map((entry) => [entry.path, entry]));
    const lines: string[] = [];
    for (const file of files) {
      const segments = file.path.split('/');
      for (let i = 1; i < segments.length; i += 1) {
        const parent = segments.slice(0, i).join('/');
        if (baseEntries.has(parent)) {
          throw fatal(
            FatalFailure.BadInput,
            `expected ${parent} to be a directory at ${baseSha} so that ${file.path} can be written, found a file`,
            { path: file.path },
          );
        }
      }
      const existing = baseEntries.get(file.path);
      if (existing !== undefined && existing.mode !== '100644' && existing.mode !== '100755') {
        throw fatal(
          FatalFailure.BadInput,
          `expected ${file.path} to be a regular file at ${baseSha}, found mode ${existing.mode} (${existing.type})`,
          { path: file.path },
        );
      }
      const prefix = `${file.path}/`;
      for (const entryPath of baseEntries.keys()) {
        if (entryPath.startsWith(prefix)) {
          throw fatal(
            FatalFailure.BadInput,
            `expected ${file.path} to be a file or absent at ${baseSha}, found a directory`,
            { path: file.path },
          );
        }
      }
      const oid = (await local(dir, ['hash-object', '-w', '--stdin'], { input: file.content })).trim();
      lines.push(`${existing?.mode ?? '100644'} ${oid}\t${file.path}`);
    }
    const indexDir = await mkdtemp(path.join(runner.workDir, '.index-'));
    try {
      const env = { GIT_INDEX_FILE: path.join(indexDir, 'index') };
      await local(dir, ['read-tree', baseSha], { env });
      await local(dir, ['update-index', '--index-info'], { env, input: `${lines.join('\n')}\n` });
      return (await local(dir, ['write-tree'], { env })).trim();
    } finally {
      await rm(indexDir, { recursive: true, force: true });
    }
  }

  /** `message` cleaned up and signed off exactly as `git commit -s -m message` does. */
  async function signedOffMessage(
    dir: string,
    message: string,
    author: PushInput['author'],
  ): Promise<string> {
    const cleaned = await local(dir, ['stripspace'], { input: message });
    if (cleaned.trim() === '')
      throw fatal(FatalFailure.BadInput, 'expected a commit message, found an empty one');
    const trailer = `Signed-off-by: ${author.name} <${author.email}>`;
    const args = [
      'interpret-trailers',
      '--no-divider',
      '--where',
      'end',
      '--if-exists',
      'addIfDifferentNeighbor',
    ];
    return local(dir, [...args, '--if-missing', 'add', '--trailer', trailer], { input: cleaned });
  }

  /** The commit object for `tree` on `baseSha`, identical for identical inputs (dates come from the caller). */
  async function commitTree(dir: string, input: PushInput, baseSha: string, tree: string): Promise<string> {
    const date = checkDate(input.date);
    const { name, email } = input.author;
    const env = {
      GIT_AUTHOR_NAME: name,
      GIT_AUTHOR_EMAIL: email,
      GIT_COMMITTER_NAME: name,
      GIT_COMMITTER_EMAIL: email,
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_DATE: date,
    };
    const message = await signedOffMessage(dir, input.message, input.author);
    return (
      await local(dir, ['commit-tree', '--no-gpg-sign', '-p', baseSha, tree], { input: message, env })
    ).trim();
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
    checkDate(input.date);
    const shown = redactCredentials(url);

    const remote = await reads.lsRemoteHeads(url, [`refs/heads/${base}`, `refs/heads/${work}`], call);
    if (!remote.has(base)) {
      throw fatal(
        FatalFailure.MissingBranch,
        `expected branch ${base} to exist in ${shown}, found no such branch`,
        {
          url: shown,
          branch: base,
        },
      );
    }
    const dir = cache.dirFor('full', url);
    const { baseSha, seenWorkSha } = await cache.withClone('full', url, call, async () => {
      const workExists = remote.has(work);
      await cache.fetchBranches(dir, url, workExists ? [base, work] : [base], call);
      const head = async (branch: string) =>
        (await local(dir, ['rev-parse', '--verify', `refs/remotes/origin/${branch}^{commit}`])).trim();
      return { baseSha: await head(base), seenWorkSha: workExists ? await head(work) : undefined };
    });

    const tree = await buildTree(dir, baseSha, input.files);
    const baseTree = (await local(dir, ['rev-parse', '--verify', `${baseSha}^{tree}`])).trim();
    if (tree === baseTree) {
      throw fatal(
        FatalFailure.BadInput,
        `nothing to commit: expected ${input.files.map((f) => f.path).join(', ')} to change ${base} (${baseSha}) of ${shown}, found the same content there`,
        { url: shown, baseBranch: base, baseSha },
      );
    }
    const changedFiles = (await local(dir, ['diff-tree', '-r', '-z', '--name-only', baseTree, tree]))
      .split('\0')
      .filter(Boolean)
      .sort(compare);
    const outcome = {
      baseSha,
      changedFiles,
      baseMoved: expectedBaseSha !== undefined && expectedBaseSha !== baseSha,
    };

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

    const commitSha = await commitTree(dir, input, baseSha, tree);
    const lease = `--force-with-lease=refs/heads/${work}:${seenWorkSha ?? ''}`;
    const run = await runner.run(
      ['push', '--porcelain', '--no-verify', lease, 'origin', `${commitSha}:refs/heads/${work}`],
      { ...call, gitDir: dir },
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
