/**
 * Approval policy per branch pattern: which branches wait for a human. The
 * first rule whose pattern matches the branch decides; with no matching rule
 * a branch waits (approval is the safe default). Pure: runs in workflows.
 */
import type { ApprovalRule } from '../../shared/approvalRule.js';

export type { ApprovalRule };

/** Does `branch` match the glob `pattern`? `*` matches within one path segment, `**` across segments. */
export function branchMatches(pattern: string, branch: string): boolean {
  const source = pattern
    .split(/(\*\*|\*)/)
    .map((part) =>
      part === '**' ? '.*' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${source}$`).test(branch);
}

/** Whether `branch` needs an approval, and the rule that says so (undefined: the default). */
export function approvalFor(
  rules: readonly ApprovalRule[],
  branch: string,
): { required: boolean; rule?: ApprovalRule } {
  const rule = rules.find((r) => branchMatches(r.pattern, branch));
  return rule === undefined ? { required: true } : { required: rule.required, rule };
}
