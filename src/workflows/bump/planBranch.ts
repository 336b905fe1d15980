/**
 * Steps a–f of a branch: read the pins at origin/<branch>, resolve the tag's
 * digest (equal: nothing to do), check the new image's labels, that its
 * revision is the source branch's HEAD (else the tag is stale), the stated
 * reason, and write the exact plan an operator approves.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import { FatalFailure } from '../../shared/failures.js';
import { formatImageRef } from '../../lib/kit/imageRef.js';
import { sourceBranchForVersion, workBranchName } from '../../lib/kit/branches.js';
import { commitMessage, prBody, prTitle, type PlanText } from '../../lib/bump/pullRequest.js';
import { isFatal, pure, settleLanes, sideBySide, type Step } from '../kit/index.js';
import { enter, type BranchContext } from './branchContext.js';

/** Resolves, validates and plans; false when the branch already pins the tag's digest. */
export async function planBranch(ctx: BranchContext): Promise<boolean> {
  const { input, acts, status, image } = ctx;
  status.validation = [];
  status.plan = undefined;
  enter(ctx, 'resolving');

  const readPins = (step: Step = ctx.step) =>
    step(`read the pins on ${input.branch}`, () =>
      acts.readPins({
        repoUrl: input.targetRepo,
        branch: input.branch,
        varsFile: input.varsFile,
        service: image,
      }),
    );
  const samePin = (pins: { tag: string }) => {
    if (pins.tag !== input.tag) {
      throw ApplicationFailure.nonRetryable(
        `expected ${image} pinned with tag ${input.tag} on ${input.branch}, found tag ${pins.tag}: never bump a branch to another branch's image`,
        FatalFailure.LabelMismatch,
      );
    }
  };
  const resolve = (step: Step = ctx.step) =>
    step(`resolve ${image}:${input.tag}`, () => acts.resolveDigest({ ...input.image, tag: input.tag }));
  let pins: Awaited<ReturnType<typeof readPins>>;
  let newDigest: string;
  if (ctx.lean) {
    // independent reads side by side: the pins from git, the tag's digest from the registry
    [pins, newDigest] = ctx.lanes
      ? await settleLanes(ctx.step, [readPins, resolve] as const)
      : await sideBySide(ctx.settle, [readPins(), resolve()]);
    samePin(pins);
  } else {
    pins = await readPins();
    samePin(pins);
    newDigest = await resolve();
  }
  status.keys = pins.keys;
  status.baseSha = pins.baseSha;
  status.oldDigest = pins.digest;
  status.newDigest = newDigest;
  if (newDigest === pins.digest) return false;

  const readNew = (step: Step = ctx.step) =>
    step(`read the labels of ${image}@${newDigest.slice(0, 19)}`, () =>
      acts.inspectImage({
        ...input.image,
        digest: newDigest,
        expectedVersion: input.tag,
        expectedSource: input.sourceRepo,
      }),
    );
  const readOld = () =>
    acts.inspectImage({ ...input.image, digest: pins.digest, expectedVersion: input.tag });
  // the new image's version label must be the tag (inspectImage checks it): its source branch follows from the tag
  const sourceBranch = sourceBranchForVersion(input.tag);
  const readHead = (step: Step = ctx.step) =>
    step(`HEAD of ${sourceBranch} in the source repo`, () =>
      acts.sourceHead({ sourceRepo: input.sourceRepo, branch: sourceBranch }),
    );
  // The old revision is for the reader's links only: an image gone from the registry must not stop the bump.
  let newFacts: Awaited<ReturnType<typeof readNew>>;
  let oldFacts: { revision: string } | undefined;
  let head: string | undefined;
  if (ctx.lean) {
    // all at once, the old image never blocking; main's was read by the parent already
    const known = input.knownImage?.digest === pins.digest ? input.knownImage : undefined;
    const old = async (): Promise<{ revision: string } | undefined> =>
      known ?? readOld().catch((): undefined => undefined);
    [newFacts, oldFacts, head] = ctx.lanes
      ? await settleLanes(ctx.step, [readNew, old, readHead] as const)
      : await sideBySide(ctx.settle, [readNew(), old(), readHead()]);
  } else {
    newFacts = await readNew();
    oldFacts = await ctx
      .step(`read the labels of ${image}@${pins.digest.slice(0, 19)}`, readOld)
      .catch((err: unknown) => {
        if (isFatal(err)) return undefined;
        throw err;
      });
  }
  status.oldRevision = oldFacts?.revision;
  status.newRevision = newFacts.revision;
  status.validation.push(
    `org.opencontainers.image.version of the new image is ${newFacts.version}, the tag pinned on ${input.branch}`,
  );
  status.sourceBranch = sourceBranch;
  head ??= await readHead();
  if (head !== newFacts.revision) {
    throw ApplicationFailure.nonRetryable(
      `expected the image's revision ${newFacts.revision.slice(0, 12)} to be the HEAD of ${sourceBranch} in ${input.sourceRepo}, found HEAD at ${head.slice(0, 12)}: the tag ${input.tag} is stale (a newer commit is not published yet)`,
      FatalFailure.StaleTag,
      { revision: newFacts.revision, head },
    );
  }
  status.validation.push(
    `the image's revision ${head.slice(0, 12)} is the HEAD of ${sourceBranch} in the source repo`,
  );
  const reason = ctx.reason;
  if (reason !== undefined) {
    const evidence = await ctx.step('check the stated reason', () =>
      acts.validateReason({ sourceRepo: input.sourceRepo, revision: newFacts.revision, reason }),
    );
    status.validation.push(...evidence);
  }

  const text: PlanText = {
    service: input.service,
    branch: input.branch,
    image,
    tag: input.tag,
    oldDigest: pins.digest,
    newDigest,
    oldRevision: status.oldRevision,
    newRevision: newFacts.revision,
    sourceRepoUrl: input.sourceRepo,
    reason,
    validation: status.validation,
    changedKeys: pins.keys,
    noteFile: ctx.note().file,
  };
  const ref = (digest: string) => formatImageRef({ ...input.image, tag: input.tag, digest });
  status.plan = {
    title: pure(() => prTitle(text)),
    body: pure(() => prBody(text)),
    commitMessage: pure(() => commitMessage(text)),
    workBranch: pure(() => workBranchName(input.service, input.tag)),
    changes: pins.keys.map((key) => `${key}: ${ref(pins.digest)} → ${ref(newDigest)}`),
  };
  return true;
}
