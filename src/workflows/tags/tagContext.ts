/**
 * What every tag procedure (promote, rollback, clean-up, one retag entry) is
 * built on: the kit's procedure (status and reporter, the approval gate, the
 * blockable step with its `retry` signal, the `status` query) with the tag
 * procedures' checks of a decision, their activities and their result. A
 * procedure is then only its numbered steps.
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { ImageRepo, Procedure, State, Target } from '../../shared/searchAttributes.js';
import { tagGate, tagStatusQuery } from '../../shared/tagMessages.js';
import type { ImageName, TagProcedure, TagResult, TagState, TagStatus } from '../../shared/tags.js';
import type { RetryPolicyInput } from '../../shared/bump.js';
import { tagDetails } from '../../lib/tags/tagDetails.js';
import {
  createProcedure,
  tagActivitiesFor,
  type Blocker,
  type Gate,
  type TagActivities,
} from '../kit/index.js';

export interface TagContext {
  image: ImageName;
  /** `registry/repository` */
  shown: string;
  status: TagStatus;
  acts: TagActivities;
  gate: Gate;
  step: Blocker['step'];
  enter(state: TagState): void;
  report(): void;
  /** the final status as the result; the last report */
  finish(state: TagState, extra?: Partial<TagResult>): TagResult;
  /** waits for the notices told (the kit's notifier) */
  settleNotices(): Promise<void>;
}

/** The name of the audit step (see auditChange.ts): a blocked audit can still be rejected. */
export const AUDIT_STEP = 'record the audit release';

/** From `writing` on, a plan is being carried out: too late to reject it. */
const DECIDED: readonly TagState[] = ['writing', 'checking', 'auditing', 'deleting', 'cleaning-up'];

function searchAttributes(procedure: TagProcedure, shown: string, s: TagStatus): SearchAttributeUpdatePair[] {
  return [
    { key: Procedure, value: procedure },
    { key: ImageRepo, value: shown },
    { key: Target, value: shown },
    { key: State, value: s.state },
  ];
}

export function createTagContext(
  procedure: TagProcedure,
  input: { image: ImageName; retry: RetryPolicyInput },
): TagContext {
  const shown = `${input.image.registry}/${input.image.repository}`;
  const status: TagStatus = {
    procedure,
    image: shown,
    state: 'resolving',
    written: [],
    deleted: [],
    notices: [],
    refusals: [],
  };
  const proc = createProcedure({
    status,
    details: tagDetails,
    searchAttributes: (s) => searchAttributes(procedure, shown, s),
    gate: tagGate,
    statusQuery: tagStatusQuery,
    the: `the ${procedure}`,
    noBranch: `a ${procedure} of image tags has no branches: drop "branch"`,
    noNote: `a ${procedure} of image tags has no release note: drop "note"`,
    decided: DECIDED,
    approvalProblem: (p) => {
      const planned = status.plan?.digest;
      if (p.digest !== undefined && procedure !== 'cleanup' && p.digest !== planned)
        return `the approval names ${p.digest} but the planned digest is ${planned ?? 'not known yet'}`;
      return undefined;
    },
    rejectionProblem: () => {
      const auditing = status.step?.name.startsWith(AUDIT_STEP) ?? false;
      if ((status.written.length > 0 || status.deleted.length > 0) && !auditing)
        return `the ${procedure} has already changed tags (${[...status.written.map((w) => w.tag), ...status.deleted].join(', ')}): retry to finish it, a rejection now would leave it half done`;
      return undefined;
    },
    notify: {
      procedure,
      subject: (s) =>
        s.plan === undefined || s.plan.tags.length === 0
          ? shown
          : `${shown}: ${s.plan.tags.map((t) => t.tag).join(', ')} → ${s.plan.digest.slice(0, 19)}`,
    },
    result: (state: TagState, extra: Partial<TagResult>): TagResult => ({
      procedure,
      image: shown,
      state,
      digest: status.plan?.digest,
      plan: status.plan,
      cleanup: status.cleanup,
      written: status.written,
      deleted: status.deleted,
      evidence: status.evidence,
      audit: status.audit,
      ...extra,
    }),
  });

  proc.refuseOtherSignals();
  return { image: input.image, shown, status, acts: tagActivitiesFor(input.retry), ...proc };
}
