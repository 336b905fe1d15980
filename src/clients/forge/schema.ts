/**
 * The parts of GitHub's REST answers bumpflow reads (zod), and parsing at the
 * boundary. Anything else GitHub sends is ignored.
 */
import { z } from 'zod';
import { fatal, FatalFailure } from '../../shared/failures.js';
import type { Context } from './client.js';
import { quote } from './quote.js';

export const PullRequestSimple = z.object({
  number: z.number().int().positive(),
  html_url: z.string().min(1),
  state: z.enum(['open', 'closed']),
  head: z.object({ label: z.string(), ref: z.string(), sha: z.string() }),
  base: z.object({ ref: z.string() }),
});
export type PullRequestSimple = z.infer<typeof PullRequestSimple>;

export const PullRequestFull = PullRequestSimple.extend({
  merged: z.boolean(),
  merge_commit_sha: z.string().nullable(),
});

export const Release = z.object({ tag_name: z.string(), body: z.string().nullable().optional() });

/** A release as created (201 of POST …/releases) or found by tag: what an audit entry points at. */
export const ReleaseRef = z.object({
  id: z.number().int().positive(),
  html_url: z.string().min(1),
  tag_name: z.string().min(1),
});
export type ReleaseRef = z.infer<typeof ReleaseRef>;

/** GET /repos/{owner}/{repo}; `permissions` is there only for an authenticated request. */
export const Repository = z.object({
  full_name: z.string().regex(/^[^/\s]+\/[^/\s]+$/),
  default_branch: z.string().min(1),
  private: z.boolean(),
  permissions: z
    .object({
      admin: z.boolean().optional(),
      maintain: z.boolean().optional(),
      push: z.boolean().optional(),
      triage: z.boolean().optional(),
      pull: z.boolean().optional(),
    })
    .optional(),
});
export type Repository = z.infer<typeof Repository>;

export const ErrorBody = z.object({
  message: z.string().optional(),
  documentation_url: z.string().optional(),
  errors: z
    .array(
      z.union([
        z.string(),
        z
          .object({
            resource: z.string().optional(),
            field: z.string().optional(),
            code: z.string().optional(),
            message: z.string().optional(),
          })
          .loose(),
      ]),
    )
    .optional(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** `schema` parsed from `data`, or the first mismatch as a one-line reason. */
export function tryParse<T>(
  schema: z.ZodType<T>,
  data: unknown,
): { ok: true; value: T } | { ok: false; reason: string } {
  const parsed = schema.safeParse(data);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  return {
    ok: false,
    reason: issue === undefined ? '' : ` (${issue.path.join('.') || 'body'}: ${issue.message})`,
  };
}

/** `schema` parsed from `data`; BadInput naming the API root and quoting the body otherwise. */
export function parseBody<T>(schema: z.ZodType<T>, data: unknown, what: string, ctx: Context): T {
  const parsed = tryParse(schema, data);
  if (parsed.ok) return parsed.value;
  throw fatal(
    FatalFailure.BadInput,
    ctx.redact(
      `expected ${what} from the GitHub API at ${ctx.where}, found a body of another shape${parsed.reason}: ${quote(data)}; is GITHUB_API_URL a GitHub REST API root?`,
    ),
  );
}
