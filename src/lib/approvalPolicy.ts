/**
 * Approval policy per branch pattern: which branches wait for a human. The
 * first rule whose pattern matches the branch decides; with no matching rule
 * a branch waits (approval is the safe default). Pure: runs in workflows.
 */

export interface ApprovalRule {
  /** a branch glob: `*` matches within one path segment, `**` across segments, e.g. `stable/*` */
  pattern: string;
  required: boolean;
}

const PATTERN = /^[A-Za-z0-9._/*-]+$/;

/** An error text for a pattern that is not a branch glob, or undefined when it is one. */
export function patternProblem(pattern: string): string | undefined {
  if (!PATTERN.test(pattern)) return `expected a branch pattern of letters, digits, . _ - / and *, found ${JSON.stringify(pattern)}`;
  if (/\*{3,}/.test(pattern) || pattern.startsWith('/') || pattern.endsWith('/') || pattern.includes('//')) {
    return `expected a branch pattern such as main, stable/* or stable/**, found ${JSON.stringify(pattern)}`;
  }
  return undefined;
}

/** Does `branch` match the glob `pattern`? */
export function branchMatches(pattern: string, branch: string): boolean {
  const source = pattern
    .split(/(\*\*|\*)/)
    .map((part) => (part === '**' ? '.*' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`).test(branch);
}

/** Whether `branch` needs an approval, and the rule that says so (undefined: the default). */
export function approvalFor(rules: readonly ApprovalRule[], branch: string): { required: boolean; rule?: ApprovalRule } {
  const rule = rules.find((r) => branchMatches(r.pattern, branch));
  return rule === undefined ? { required: true } : { required: rule.required, rule };
}
