/**
 * The payloads a person can type (Temporal UI, `temporal workflow signal`,
 * the CLI) and their strict schemas: one JSON object each, no unknown keys.
 * Every handler parses its input with `parsePayload` before acting on it. Pure.
 */
import { z } from 'zod';
import { noteTextProblem } from '../lib/bump/releaseNote.js';

export const digestSchema = z
  .string()
  .regex(/^sha256:[a-f0-9]{64}$/, { message: 'expected a digest sha256:<64 lower-case hex>' });
/**
 * Who approves, as they say it: a user name or an e-mail address. It is shown
 * as `approved by …` (status, UI, CLI), so no control character, terminal
 * escape or markup, and nothing that reads as the policy's own words.
 */
const approverSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} ._@+'-]*$/u, {
    message: "expected a name (letters, digits, spaces, . _ @ + - ') such as ops or jane@example.com",
  });
/** Characters that do not belong in text shown to an operator: controls (but line breaks), bidi overrides. */
const UNSHOWABLE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/;
const branchSchema = z
  .string()
  .min(1)
  .max(200)
  .refine((text) => !UNSHOWABLE.test(text), { message: 'expected a branch name, found a control character' });
/** A reason a person typed: one to 2000 printable characters, line breaks allowed. */
const reasonSchema = z
  .string()
  .trim()
  .min(1)
  .max(2000)
  .refine((text) => !UNSHOWABLE.test(text), {
    message: 'expected text of printable characters (line breaks allowed), found a control character',
  });

export const approvePayloadSchema = z.lazy(() =>
  z.strictObject({
    /** the branch (or its tag) this approval is for; sent to the parent it picks one child */
    branch: branchSchema.optional(),
    /** bind the approval to this digest; refused if it is not the planned one */
    digest: digestSchema.optional(),
    approver: approverSchema.optional(),
    /** replacement release-note text (the section stays) */
    note: z
      .string()
      .max(10_000)
      .superRefine((text, refinement) => {
        // an empty note means none (the handlers say so); anything else must render
        const problem = text.trim() === '' ? undefined : noteTextProblem(text);
        if (problem !== undefined) refinement.addIssue({ code: 'custom', message: problem });
      })
      .optional(),
  }),
);
export type ApprovePayload = z.infer<typeof approvePayloadSchema>;

export const rejectPayloadSchema = z.lazy(() =>
  z.strictObject({
    branch: branchSchema.optional(),
    reason: reasonSchema,
    approver: approverSchema.optional(),
  }),
);
export type RejectPayload = z.infer<typeof rejectPayloadSchema>;

export const retryPayloadSchema = z.lazy(() => z.strictObject({ branch: branchSchema.optional() }));
export type RetryPayload = z.infer<typeof retryPayloadSchema>;

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

/** The keys a strict object schema knows, for messages such as "expected {branch?, digest?}". */
function shapeOf(schema: z.ZodType): string {
  // the schemas are built on first use (z.lazy: not at every workflow's start): their object is inside
  const built = schema instanceof z.ZodLazy ? (schema.unwrap() as z.ZodType) : schema;
  const shape = (built as unknown as { shape?: Record<string, z.ZodType> }).shape;
  if (shape === undefined) return 'a JSON object';
  const keys = Object.entries(shape).map(([k, v]) => (v.safeParse(undefined).success ? `${k}?` : k));
  return `one JSON object {${keys.join(', ')}}`;
}

/** Keys and values that look like credentials: never echoed into a status, a refusal or the UI. */
const SECRET_KEY = /token|password|passwd|secret|credential|private.?key|api.?key|authorization/i;
const SECRET_VALUE = /^(?:gh[pousr]_|github_pat_|glpat-|xox[abpr]-|AKIA)[A-Za-z0-9_-]{8,}/;
const URL_USERINFO = /(\/\/)[^/@\s]*@/g;

function hidden(key: string, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (SECRET_KEY.test(key) || SECRET_VALUE.test(value)) return '***';
  return value.replace(URL_USERINFO, '$1***@');
}

function shown(raw: unknown): string {
  if (raw === undefined) return 'no payload';
  let text: string;
  try {
    text = JSON.stringify(raw, hidden) ?? String(raw);
  } catch {
    text = String(raw);
  }
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}

/**
 * Parses a payload a person may have typed. Never throws: a refusal says what
 * was expected and what was found, so a handler can record it and go on.
 */
export function parsePayload<T>(schema: z.ZodType<T>, raw: unknown, what: string): Parsed<T> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  const expected = shapeOf(schema);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, problem: `${what} refused: expected ${expected}, found ${shown(raw)}` };
  }
  const issues = parsed.error.issues.map((i) => {
    if (i.code === 'unrecognized_keys')
      return `unknown key${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    return `${i.path.join('.') || '(payload)'}: ${i.message}`;
  });
  return {
    ok: false,
    problem: `${what} refused: expected ${expected}; ${issues.join('; ')}; found ${shown(raw)}`,
  };
}
