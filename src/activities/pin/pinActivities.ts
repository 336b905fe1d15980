/**
 * Activities of the pin run (`pinDigests`): read a branch's references
 * pinned by tag only (in the run's scope) at its head, and push the work
 * branch that pins them. The registry reads (the tag's digest, the image's
 * labels, the source branch's HEAD) are the bump's own activities
 * (resolveDigest, inspectImage, sourceHead): a pin is verified as a bump's
 * new digest is. Idempotent: reads change nothing; the push builds the same
 * commit from the same inputs, and the git client finds it already there.
 */
import { log } from '@temporalio/activity';
import { fatal, FatalFailure } from '../../shared/failures.js';
import type { UnpinnedImage } from '../../shared/pin.js';
import { collectImageTags } from '../../lib/sweep/index.js';
import { addDigests, type DigestAddition } from '../../lib/kit/digestEdit.js';
import { indexVarsFile } from '../../lib/kit/varsFile.js';
import { imageName } from '../../lib/kit/imageRef.js';
import { assertValidRefName } from '../../lib/kit/branches.js';
import type { ActivityDeps } from '../kit/deps.js';
import { baseAndWorkHeads } from '../kit/workHeads.js';

export interface ReadUnpinnedInput {
  repoUrl: string;
  branch: string;
  varsFile: string;
  images?: string[] | undefined;
  imagePrefixes?: string[] | undefined;
}

export interface PushPinsInput {
  repoUrl: string;
  baseBranch: string;
  workBranch: string;
  varsFile: string;
  /** the approved digests: each written after every reference of its image:tag still pinned by tag only */
  additions: DigestAddition[];
  message: string;
  /** ISO time fixed by the workflow, so a retried push builds the identical commit */
  date: string;
}

export interface PushPinsResult {
  /** every reference was pinned (or changed) on the base meanwhile: nothing pushed */
  alreadyPinned: boolean;
  baseSha: string;
  commitSha?: string | undefined;
  pushed: boolean;
  /** the `<image>:<tag>` of additions no longer pinned by tag only on the base: left out */
  leftOut: string[];
}

export function pinActivities(deps: ActivityDeps) {
  const { git } = deps;

  async function varsFileAt(repoUrl: string, branch: string, sha: string, varsFile: string): Promise<string> {
    const text = await git.readFile(repoUrl, { commit: sha }, varsFile);
    if (text === undefined)
      throw fatal(
        FatalFailure.MalformedVarsFile,
        `expected ${varsFile} on ${branch} of ${repoUrl} (at ${sha.slice(0, 12)}), found no such file`,
      );
    return text;
  }

  return {
    /** The image:tag pairs the branch names by tag only, in scope, each with its keys: at the branch head. */
    async readUnpinned(input: ReadUnpinnedInput): Promise<{ baseSha: string; images: UnpinnedImage[] }> {
      assertValidRefName(input.branch, 'branch');
      const baseSha = await git.branchHead(input.repoUrl, input.branch);
      if (baseSha === undefined)
        throw fatal(
          FatalFailure.MissingBranch,
          `expected branch ${input.branch} on ${input.repoUrl}, found none`,
        );
      const text = await varsFileAt(input.repoUrl, input.branch, baseSha, input.varsFile);
      const { unpinned } = collectImageTags(
        [{ branch: input.branch, text, path: `${input.branch}:${input.varsFile}` }],
        {
          images: input.images,
          imagePrefixes: input.imagePrefixes,
        },
      );
      const byId = new Map<string, UnpinnedImage>();
      for (const r of unpinned) {
        const slash = r.image.indexOf('/');
        const row = byId.get(r.id) ?? {
          id: r.id,
          image: r.image,
          registry: r.image.slice(0, slash),
          repository: r.image.slice(slash + 1),
          tag: r.tag,
          keys: [],
          lines: [],
        };
        row.keys.push(r.key);
        row.lines.push(r.line);
        byId.set(r.id, row);
      }
      return { baseSha, images: [...byId.values()] };
    },

    /**
     * The work branch: the base's vars file with each approved digest added
     * after its image:tag where it stands (addDigests: every other byte kept),
     * one signed-off commit. Read at the base's head now: a reference pinned
     * or changed there meanwhile is left out (named in `leftOut`).
     */
    async pushPins(input: PushPinsInput): Promise<PushPinsResult> {
      const { baseSha, workSha } = await baseAndWorkHeads(git, input);
      const path = `${input.baseBranch}:${input.varsFile}`;
      const text = await varsFileAt(input.repoUrl, input.baseBranch, baseSha, input.varsFile);
      const tagOnly = indexVarsFile(text, path).tagOnly;
      const still = (a: DigestAddition) =>
        tagOnly.some((t) => imageName(t.ref) === a.image && t.ref.tag === a.tag);
      const additions = input.additions.filter(still);
      const leftOut = input.additions.filter((a) => !still(a)).map((a) => `${a.image}:${a.tag}`);
      if (additions.length === 0) return { alreadyPinned: true, baseSha, pushed: false, leftOut };
      const edited = addDigests(text, additions, path);
      const result = await git.pushBranch({
        url: input.repoUrl,
        baseBranch: input.baseBranch,
        workBranch: input.workBranch,
        remoteHeads: { baseSha, workSha },
        files: [{ path: input.varsFile, content: edited.text }],
        message: input.message,
        author: deps.author,
        date: input.date,
      });
      log.info('pin branch ready', {
        branch: input.workBranch,
        commit: result.commitSha,
        pushed: result.pushed,
      });
      return { alreadyPinned: false, baseSha, commitSha: result.commitSha, pushed: result.pushed, leftOut };
    },
  };
}
