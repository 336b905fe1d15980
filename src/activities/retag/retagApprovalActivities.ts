/**
 * Activity: the check a retag entry (retagImage) makes before it writes, so
 * that whatever a person types into the repository's queue, or starts, writes
 * only what a reviewed plan covers:
 *   1 the target is not under promotion policy (prod, its aliases, their
 *     stamps and audit tags): those only promote and rollback write
 *   2 `plannedBy` (the request's `notify`) is a running retagManifest run,
 *     whose plan was approved, that asked for this write under this id, and
 *     whose plan holds exactly this entry: image, source tag and digest,
 *     target tag, and the digest a repush moves it from
 * The run is asked, never the request: describe and its `status` query, with
 * the worker's own Temporal client (the activity context's). It answers with
 * the refusals (the workflow fails UnapprovedWrite with them) and whether the
 * run planned this write (then it is told of the refusal); an outage is retried.
 */
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import { retagStatusQuery, TagWorkflowType } from '../../shared/tagMessages.js';
import type { ImageName } from '../../shared/tags.js';
import { DEFAULT_PROMOTION_POLICY, promotionPolicyOf } from '../../lib/kit/promotionPolicy.js';
import type { ActivityDeps } from '../kit/deps.js';

export interface RetagWriteCheck {
  /** the retagImage run about to write */
  workflowId: string;
  /** the retagManifest run the request names as having planned it */
  plannedBy: string;
  image: ImageName;
  index: number;
  srcBuildTag: string;
  tag: string;
  digest: string;
  from?: string | undefined;
}

/**
 * The check's answer. `planned`: `plannedBy` planned exactly this write under
 * this id and got it approved (then it is told how the entry ends, a refusal
 * too); `refusals`: why nothing may be written, none when the write may go on.
 */
export interface RetagWriteVerdict {
  planned: boolean;
  approvedBy?: string | undefined;
  refusals: string[];
}

export function retagApprovalActivities(deps: ActivityDeps) {
  const policy = deps.promotion ?? DEFAULT_PROMOTION_POLICY;

  /** Why `plannedBy` is not the run that planned and got approved this write, or undefined when it is. */
  async function notPlanned(input: RetagWriteCheck): Promise<{ found?: string; approvedBy?: string }> {
    const handle = Context.current().client.workflow.getHandle(input.plannedBy);
    let described;
    try {
      described = await handle.describe();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return { found: 'no such workflow' };
      throw err;
    }
    if (described.type !== TagWorkflowType.retagManifest)
      return { found: `a ${described.type} workflow, not a ${TagWorkflowType.retagManifest}` };
    if (described.status.name !== 'RUNNING')
      return { found: `the run ${described.status.name.toLowerCase()}, waiting for no write` };
    const status = await handle.query(retagStatusQuery);
    if (status.approvedBy === undefined || status.state !== 'writing')
      return { found: `its plan not approved (it is ${status.state})` };
    if (!status.pending.includes(input.workflowId))
      return { found: `it asked for no write under ${input.workflowId}` };
    const step = status.plan?.steps.find((s) => s.entry.index === input.index);
    if (step === undefined) return { found: `no images[${input.index}] in its plan` };
    const from = step.action === 'repush' ? step.targetDigest : undefined;
    const same =
      step.write !== undefined &&
      step.entry.registry === input.image.registry &&
      step.entry.repository === input.image.repository &&
      step.entry.srcBuildTag === input.srcBuildTag &&
      step.entry.tag === input.tag &&
      step.sourceDigest === input.digest &&
      from === input.from;
    if (!same)
      return {
        found: `its plan's images[${input.index}] is ${step.action} ${step.entry.image}:${step.entry.srcBuildTag} → ${step.entry.tag} at ${step.sourceDigest ?? 'no digest'}${from === undefined ? '' : ` from ${from}`}`,
      };
    return { approvedBy: status.approvedBy };
  }

  return {
    async checkRetagWrite(input: RetagWriteCheck): Promise<RetagWriteVerdict> {
      const target = `${input.image.registry}/${input.image.repository}:${input.tag}`;
      const refusals: string[] = [];
      const protectedBy = promotionPolicyOf(input.tag, policy);
      if (protectedBy !== undefined)
        refusals.push(
          `expected a retag to write a tag outside promotion policy, found ${target}: ${protectedBy}; only promote (a signed image, after approval) and rollback write it`,
        );
      const run = await notPlanned(input);
      if (run.found !== undefined)
        refusals.push(
          `expected ${input.plannedBy} to be the retag run that planned and got approved the write of ${target} → ${input.digest} under ${input.workflowId}, found ${run.found}`,
        );
      return { planned: run.found === undefined, approvedBy: run.approvedBy, refusals };
    },
  };
}
