/**
 * Step 4 of a retag: every approved write (copy, repush) goes through the
 * one-mutation-per-repository rule, as a `retag` request to its image
 * repository's queue (an activity sends them by signal-with-start: a workflow
 * cannot), each under an id fixed here. The queue runs each as a retagImage
 * child, which checks the source again, writes, verifies, and signals this
 * workflow its outcome; waiting for those signals is workflow code, so a
 * request queued behind a promotion's approval costs no running activity.
 */
import { condition, workflowInfo } from '@temporalio/workflow';
import type { RetagPlan, RetagStep } from '../../lib/retag/retagPlan.js';
import { tagWorkflowId } from '../../shared/ids.js';
import type { RetagImageRequest } from '../../shared/tags.js';
import { childOutcome } from './outcomes.js';
import type { RetagContext } from './retagContext.js';

/** `retag-image/<registry>/<repository>/<start time>-<entry><run>`: a tag procedure id, unique per run and entry. */
function childId(step: RetagStep, startedAt: Date): string {
  const run = workflowInfo()
    .runId.replace(/[^a-z0-9]/g, '')
    .slice(0, 8);
  return tagWorkflowId('retag-image', step.entry, startedAt, `e${step.entry.index}${run}`);
}

export async function writeEntries(ctx: RetagContext, plan: RetagPlan, startedAt: Date): Promise<void> {
  const writes = plan.steps.filter((s) => s.write !== undefined && s.sourceDigest !== undefined);
  const requests = writes.map((s) => {
    const input: RetagImageRequest = {
      image: { registry: s.entry.registry, repository: s.entry.repository },
      entry: { index: s.entry.index, line: s.entry.line, name: s.entry.name },
      srcBuildTag: s.entry.srcBuildTag,
      tag: s.entry.tag,
      digest: s.sourceDigest!,
      ...(s.action === 'repush' && s.targetDigest !== undefined ? { from: s.targetDigest } : {}),
      notify: workflowInfo().workflowId,
      retry: ctx.input.retry,
      ...(ctx.input.requestedBy === undefined ? {} : { requestedBy: ctx.input.requestedBy }),
    };
    return { step: s, workflowId: childId(s, startedAt), input };
  });
  const since = new Date().toISOString();
  for (const r of requests)
    ctx.asked.set(r.workflowId, {
      index: r.input.entry.index,
      tag: r.input.tag,
      digest: r.input.digest,
      from: r.input.from,
      since,
    });
  ctx.enter('writing');
  ctx.status.pending = requests.map((r) => r.workflowId);
  await ctx.step(`ask the queues for ${requests.length} write(s)`, () =>
    ctx.acts.requestRetagImages({
      requests: requests.map((r) => ({ workflowId: r.workflowId, input: r.input })),
    }),
  );
  ctx.report();
  const settled = new Set<string>();
  while (settled.size < requests.length) {
    await condition(() => requests.some((r) => !settled.has(r.workflowId) && ctx.done.has(r.workflowId)));
    for (const r of requests) {
      const done = ctx.done.get(r.workflowId);
      if (done === undefined || settled.has(r.workflowId)) continue;
      settled.add(r.workflowId);
      ctx.status.entries.push(childOutcome(r.step, done));
    }
    ctx.status.pending = requests.filter((r) => !settled.has(r.workflowId)).map((r) => r.workflowId);
    ctx.status.entries.sort((a, b) => a.index - b.index);
    ctx.report();
  }
}
