/**
 * Activity: the worker's own approval rule for a tag plan (issue 20, item 1).
 * A request to the repository's queue is typed by people too, and a promotion
 * can be started by hand, so the approval a request carries (`approval`,
 * `approveAbove`) is only ever a wish for more: the worker's config file
 * decides, under `promotion.approval` (the first rule whose image and tag
 * globs match; none: approval required, as the CLI reads it) and
 * `cleanup.approveAbove`. A worker without a config file asks for approval of
 * every plan. A local activity: it reads settings the worker loaded at start.
 */
import { tagApproval, type TagApprovalRule } from '../../configFile.js';
import type { ActivityDeps } from '../kit/deps.js';

export interface TagApprovalQuery {
  /** `registry/repository`, as the config's `images` globs read it */
  image: string;
  /** the tags the plan moves (promote's `to`, rollback's tag and aliases); none for a clean-up */
  tags: string[];
}

export interface WorkerTagApproval {
  /** the worker's rules ask a human for this plan */
  required: boolean;
  /** what decided: the rule `images:tags`, or why none did */
  rule: string;
  /** a clean-up deleting more tags than this waits for a human */
  approveAbove: number;
}

/** The worker's approval settings (its config file's), as activities read them. */
export interface TagApprovalSettings {
  rules: readonly TagApprovalRule[];
  approveAbove: number;
}

export function tagApprovalActivities(deps: Pick<ActivityDeps, 'tagApproval'>) {
  const settings = deps.tagApproval;
  return {
    async workerTagApproval(input: TagApprovalQuery): Promise<WorkerTagApproval> {
      if (settings === undefined)
        return { required: true, rule: 'no config file at the worker', approveAbove: 0 };
      const decided = tagApproval({ promotion: { approval: settings.rules } }, input.image, input.tags);
      return {
        required: decided.required,
        rule: decided.pattern ?? 'no promotion.approval rule matches',
        approveAbove: settings.approveAbove,
      };
    },
  };
}
