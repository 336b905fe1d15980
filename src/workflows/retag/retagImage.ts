/**
 * retagImage: one entry of a retag from a manifest, run by the image
 * repository's queue (one mutation of a repository at a time).
 *   0 approved  the retag run it names (`notify`) planned exactly this entry and
 *             got it approved, and the target is no tag under promotion policy
 *             (checkRetagWrite; else UnapprovedWrite, nothing read or written)
 *   1 check   the source tag still at the planned digest (else DigestMismatch,
 *             ManifestUnknown when gone); the target absent (or, for an approved
 *             repush, at the planned old digest), else TagExists; already at the
 *             digest: nothing to write (an earlier attempt wrote it)
 *   2 write   create-only, or a move for a repush; the registry client verifies
 *   3 verify  the target resolved again: it must be the digest
 *   4 tell    the retagManifest workflow (`notify`) the outcome, also a failure's
 * Its result is {state, digest, written}; a typed failure fails it, after telling.
 */
import { ApplicationFailure, getExternalWorkflowHandle, workflowInfo } from '@temporalio/workflow';
import { FatalFailure } from '../../shared/failures.js';
import type { RetagEntryDone } from '../../shared/retag.js';
import { retagEntryDoneSignal } from '../../shared/tagMessages.js';
import { retagImageInputSchema, type RetagImageRequest, type TagResult } from '../../shared/tags.js';
import { binder, errorInfo, onPatch, parseInput, Patches } from '../kit/index.js';
import { createTagContext } from '../tags/tagContext.js';
import { endWith } from '../tags/endWith.js';
import { OUTCOME_OF_FAILURE } from './entryReports.js';

export async function retagImage(raw: RetagImageRequest): Promise<TagResult> {
  const input = parseInput(
    retagImageInputSchema,
    raw,
    'a retag entry {image, srcBuildTag, tag, digest, notify, …}',
  );
  // a run started before the check writes as it did (its history has no check)
  const checked = onPatch(Patches.retagApproval);
  const ctx = createTagContext('retag', input);
  const checkRetagWrite = binder(input.retry)(
    'checkRetagWrite',
    'forge',
    (i) => `check that ${i.plannedBy} planned and got approved ${i.tag} → ${i.digest.slice(0, 19)}`,
  );
  const { shown } = ctx;
  const mode = input.from === undefined ? ('create-only' as const) : ('move' as const);
  let told = true;
  const tell = async (done: Omit<RetagEntryDone, 'workflowId' | 'index'>) => {
    if (!told)
      return void ctx.status.notices.push(`${input.notify} not told: it did not plan and approve this write`);
    const word: RetagEntryDone = { workflowId: workflowInfo().workflowId, index: input.entry.index, ...done };
    try {
      await getExternalWorkflowHandle(input.notify).signal(retagEntryDoneSignal, word);
    } catch (err) {
      ctx.status.notices.push(`could not tell ${input.notify}: ${errorInfo(err).message}`);
    }
  };
  let result: TagResult;
  try {
    result = await endWith(ctx, async () => {
      ctx.status.plan = {
        image: shown,
        digest: input.digest,
        tags: [
          {
            tag: input.tag,
            from: input.from,
            to: input.digest,
            mode,
            change: input.from ? 'move' : 'create',
          },
        ],
      };
      ctx.enter('resolving');
      if (checked) {
        const verdict = await ctx.step(`check the approval of ${input.tag} by ${input.notify}`, () =>
          checkRetagWrite({
            workflowId: workflowInfo().workflowId,
            plannedBy: input.notify,
            image: input.image,
            index: input.entry.index,
            srcBuildTag: input.srcBuildTag,
            tag: input.tag,
            digest: input.digest,
            from: input.from,
          }),
        );
        // only the run that planned this write under this id hears how it ended
        told = verdict.planned;
        if (verdict.refusals.length > 0)
          throw ApplicationFailure.nonRetryable(
            `${verdict.refusals.join('; ')}: nothing written`,
            FatalFailure.UnapprovedWrite,
          );
        ctx.status.approvedBy = verdict.approvedBy;
      }
      const now = await ctx.step(`read ${input.srcBuildTag} and ${input.tag} of ${shown}`, () =>
        ctx.acts.readTags({ ...input.image, tags: [input.srcBuildTag, input.tag] }),
      );
      const source = now[input.srcBuildTag] ?? null;
      const target = now[input.tag] ?? null;
      const where = `images[${input.entry.index}] (line ${input.entry.line}, ${input.entry.name})`;
      if (source === null)
        throw ApplicationFailure.nonRetryable(
          `${where}: expected the source ${shown}:${input.srcBuildTag} at ${input.digest} as planned, found no such tag`,
          FatalFailure.ManifestUnknown,
        );
      if (source !== input.digest)
        throw ApplicationFailure.nonRetryable(
          `${where}: expected the source ${shown}:${input.srcBuildTag} at ${input.digest} as planned, found it at ${source} (it moved since the plan was approved)`,
          FatalFailure.DigestMismatch,
        );
      if (target === input.digest) {
        ctx.status.written.push({ tag: input.tag, digest: input.digest, outcome: 'unchanged' });
        return ctx.finish('done');
      }
      if (target !== (input.from ?? null))
        throw ApplicationFailure.nonRetryable(
          `${where}: expected ${shown}:${input.tag} ${input.from ? `at ${input.from} (the approved repush)` : 'to be absent (create-only)'}, found it at ${target ?? 'no digest'}`,
          FatalFailure.TagExists,
        );
      ctx.enter('writing');
      const written = await ctx.step(`${mode === 'move' ? 'move' : 'create'} ${shown}:${input.tag}`, () =>
        ctx.acts.writeTag({ ...input.image, tag: input.tag, digest: input.digest, mode }),
      );
      ctx.status.written.push({ tag: written.tag, digest: written.digest, outcome: written.outcome });
      ctx.enter('checking');
      const after = await ctx.step(`check ${shown}:${input.tag}`, () =>
        ctx.acts.readTags({ ...input.image, tags: [input.tag] }),
      );
      if (after[input.tag] !== input.digest)
        throw ApplicationFailure.nonRetryable(
          `expected ${shown}:${input.tag} to resolve to ${input.digest} after writing, found ${after[input.tag] ?? 'no such tag'} (another writer?)`,
          FatalFailure.DigestMismatch,
        );
      return ctx.finish('done');
    });
  } catch (err) {
    const error = errorInfo(err);
    await tell({ outcome: OUTCOME_OF_FAILURE[error.type] ?? 'failed', error });
    throw err;
  }
  const write = result.written.at(-1)?.outcome as RetagEntryDone['write'];
  await tell({ outcome: input.from === undefined ? 'copied' : 'repushed', digest: input.digest, write });
  return result;
}
