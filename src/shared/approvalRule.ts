/**
 * What a branch (or tag) pattern of an approval policy is: a contract of the
 * workflow input, so it lives here beside the input schema. Pure.
 */
import { z } from 'zod';

const PATTERN = /^[A-Za-z0-9._/*-]+$/;

/** An error text for a pattern that is not a branch glob, or undefined when it is one. */
export function patternProblem(pattern: string): string | undefined {
  if (!PATTERN.test(pattern))
    return `expected a branch pattern of letters, digits, . _ - / and *, found ${JSON.stringify(pattern)}`;
  if (
    /\*{3,}/.test(pattern) ||
    pattern.startsWith('/') ||
    pattern.endsWith('/') ||
    pattern.includes('//') ||
    pattern.includes('..') // no branch name holds one (git check-ref-format)
  ) {
    return `expected a branch pattern such as main, stable/* or stable/**, found ${JSON.stringify(pattern)}`;
  }
  return undefined;
}

export const approvalRuleSchema = z.lazy(() =>
  z.strictObject({
    /** a branch glob: `*` matches within one path segment, `**` across segments, e.g. `stable/*` */
    pattern: z
      .string()
      .min(1)
      .max(200)
      .refine((p) => patternProblem(p) === undefined, {
        message: 'expected a branch pattern such as main or stable/*',
      }),
    required: z.boolean(),
  }),
);
export type ApprovalRule = z.infer<typeof approvalRuleSchema>;
