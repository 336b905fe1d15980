/**
 * Search attributes (Keyword) every procedure sets, so an operator can list
 * "everything awaiting approval" or "everything touching this image
 * repository" in the UI or with `bumpflow list`. Procedure-neutral keys first;
 * the Bump* keys stay for the bump procedure's existing filters.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** `bump`, later `promote`, `rollback`, `cleanup`, … */
export const Procedure = defineSearchAttributeKey('Procedure', SearchAttributeType.KEYWORD);
/** the image repository the procedure works on, normalised: `ghcr.io/vexxhost/magnum` */
export const ImageRepo = defineSearchAttributeKey('ImageRepo', SearchAttributeType.KEYWORD);
/** what the procedure changes, normalised: a target repo's identity (`github.com/vexxhost/atmosphere`) */
export const Target = defineSearchAttributeKey('Target', SearchAttributeType.KEYWORD);
/** the workflow's state: `awaiting-approval`, `blocked`, `running`, `pr-opened`, … */
export const State = defineSearchAttributeKey('State', SearchAttributeType.KEYWORD);

export const BumpService = defineSearchAttributeKey('BumpService', SearchAttributeType.KEYWORD);
export const BumpBranch = defineSearchAttributeKey('BumpBranch', SearchAttributeType.KEYWORD);
export const BumpState = defineSearchAttributeKey('BumpState', SearchAttributeType.KEYWORD);

export const searchAttributeKeys = [
  Procedure,
  ImageRepo,
  Target,
  State,
  BumpService,
  BumpBranch,
  BumpState,
] as const;
