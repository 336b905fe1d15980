/** Activities that read and write the target and source repos through git. Idempotent: a retried push finds its commit. */
import { log } from '@temporalio/activity';
import { fatal, FatalFailure } from '../../shared/failures.js';
import { indexVarsFile } from '../../lib/kit/varsFile.js';
import { commonDigest, selectService } from '../../lib/bump/serviceSelection.js';
import { replaceDigest } from '../../lib/kit/digestEdit.js';
import { chooseBranches } from '../../lib/kit/branchChoice.js';
import { assertValidRefName } from '../../lib/kit/branches.js';
import type { ActivityDeps } from './deps.js';
import type { PinsOnBranch, PushBumpInput, PushBumpResult } from './types.js';

export function gitActivities(deps: ActivityDeps) {
  const { git } = deps;

  async function readPinsAt(repoUrl: string, sha: string, branch: string, varsFile: string, service: string) {
    const text = await git.readFile(repoUrl, { commit: sha }, varsFile);
    if (text === undefined) {
      throw fatal(
        FatalFailure.MalformedVarsFile,
        `expected ${varsFile} on ${branch} of ${repoUrl} (at ${sha.slice(0, 12)}), found no such file`,
      );
    }
    const selection = selectService(indexVarsFile(text, `${branch}:${varsFile}`), service);
    const { tag, digest } = commonDigest(selection, branch);
    return { text, selection, tag, digest };
  }

  /** readPinsAt at `head`, the branch's head; MissingBranch when the branch is not there. */
  async function readPinsOnHead(
    repoUrl: string,
    head: string | undefined,
    branch: string,
    varsFile: string,
    service: string,
  ) {
    if (head === undefined)
      throw fatal(FatalFailure.MissingBranch, `expected branch ${branch} on ${repoUrl}, found none`);
    return { baseSha: head, ...(await readPinsAt(repoUrl, head, branch, varsFile, service)) };
  }

  return {
    async listBranches(input: {
      repoUrl: string;
      requested?: string[] | undefined;
    }): Promise<{ branches: string[]; heads: Record<string, string> }> {
      const heads = await git.lsRemoteHeads(input.repoUrl);
      const branches = chooseBranches([...heads.keys()], input.requested, input.repoUrl);
      return { branches, heads: Object.fromEntries(branches.map((b) => [b, heads.get(b) ?? ''])) };
    },

    async readPins(input: {
      repoUrl: string;
      branch: string;
      varsFile: string;
      service: string;
    }): Promise<PinsOnBranch> {
      const head = await git.branchHead(input.repoUrl, input.branch);
      const { baseSha, selection, tag, digest } = await readPinsOnHead(
        input.repoUrl,
        head,
        input.branch,
        input.varsFile,
        input.service,
      );
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

    async sourceHead(input: { sourceRepo: string; branch: string }): Promise<string> {
      const head = await git.branchHead(input.sourceRepo, input.branch);
      if (head === undefined) {
        throw fatal(
          FatalFailure.MissingBranch,
          `expected branch ${input.branch} in the source repo ${input.sourceRepo}, found none`,
        );
      }
      return head;
    },

    /**
     * Creates (or finds, on a retry) the bump branch: the vars file with every
     * pin of the image moved to the new digest, and the release note. Safe to
     * retry: the same inputs build the same commit, and a branch that already
     * holds it is left as it is.
     */
    async pushBump(input: PushBumpInput): Promise<PushBumpResult> {
      assertValidRefName(input.baseBranch, 'branch');
      // one listing of base and work, handed on to the push (which then lists nothing itself)
      const heads = await git.lsRemoteHeads(input.repoUrl, [
        `refs/heads/${input.baseBranch}`,
        `refs/heads/${input.workBranch}`,
      ]);
      const { baseSha, text, selection, digest } = await readPinsOnHead(
        input.repoUrl,
        heads.get(input.baseBranch),
        input.baseBranch,
        input.varsFile,
        input.image,
      );
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
        remoteHeads: { baseSha, workSha: heads.get(input.workBranch) },
        files: [
          { path: input.varsFile, content: edited.text },
          { path: input.note.file, content: input.note.content },
        ],
        message: input.message,
        author: deps.author,
        date: input.date,
      });
      log.info('bump branch ready', {
        branch: input.workBranch,
        commit: result.commitSha,
        pushed: result.pushed,
      });
      return {
        alreadyCurrent: false,
        commitSha: result.commitSha,
        baseSha: result.baseSha,
        pushed: result.pushed,
        changedKeys,
      };
    },
  };
}
