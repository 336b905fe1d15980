/**
 * The config file's schema (see configFile.ts for parsing, errors with lines,
 * and how the worker's environment is filled from it). Pure.
 */
import picomatch from 'picomatch';
import { z } from 'zod';
import { patternProblem } from './shared/approvalRule.js';
import { TAG_PATTERN } from './shared/tags.js';
import { redactRepoUrl } from './lib/repoUrl.js';
import { DEFAULT_VARS_FILE } from './shared/messages.js';
import { noticeProcedures, noticeStates } from './shared/notices.js';
import { DURATIONS } from './lib/duration.js';
import { durationSchema } from './shared/bump.js';

const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;
const envName = z
  .string()
  .regex(ENV_NAME, { message: 'expected the NAME of an environment variable (A-Z, 0-9, _)' });
const httpUrl = z
  .string()
  .refine((v) => /^https?:\/\/[^\s]+$/.test(v), { message: 'expected an http(s) URL' });
const repoUrl = z
  .string()
  .refine((v) => /^(https?|ssh|git|file):\/\/[^\s]+$/.test(v) || /^[\w.-]+@[\w.-]+:[^\s]+$/.test(v), {
    message: 'expected a git URL (https://…, ssh://…, git@host:owner/repo)',
  });
const registryHost = z
  .string()
  .regex(/^[a-z0-9.-]+(:\d+)?$/, { message: 'expected a registry host such as ghcr.io' });

/** Whether an http(s) URL carries a user or password (`https://user:token@host/…`). */
function hasCredentials(url: string): boolean {
  try {
    const u = new URL(url);
    return u.username !== '' || u.password !== '';
  } catch {
    return false; // not a URL at all: httpUrl says so
  }
}

/**
 * An error text for a `promotion.approval` glob that picomatch cannot read or
 * that could match no image (tag) name — it would silently match nothing — or
 * undefined when it is one.
 */
export function globProblem(what: 'image' | 'tag', glob: string): string | undefined {
  const chars = what === 'image' ? /^[a-z0-9._/:*?!{},[\]-]+$/ : /^[A-Za-z0-9._*?!{},[\]-]+$/;
  const example = what === 'image' ? 'ghcr.io/acme/* or ghcr.io/**' : 'prod, prod-* or {prod,latest}';
  const allowed =
    what === 'image' ? 'lowercase letters, digits, . _ - / : and' : 'letters, digits, . _ - and';
  const expected = `expected ${what === 'image' ? 'an image' : 'a tag'} glob such as ${example} (${allowed} the glob characters * ? ! [ ] { } ,)`;
  if (!chars.test(glob)) return `${expected}, found ${JSON.stringify(glob)}`;
  const count = (c: string) => glob.split(c).length - 1;
  let broken = count('[') !== count(']') || count('{') !== count('}') ? 'an unclosed [ or {' : undefined;
  try {
    picomatch.makeRe(glob, { debug: true } as picomatch.PicomatchOptions);
  } catch (err) {
    broken ??=
      err instanceof Error ? err.message.replace(/^Invalid regular expression: .*: /, '') : 'an error';
  }
  return broken === undefined
    ? undefined
    : `${expected}, found ${JSON.stringify(glob)}, which matches nothing (${broken})`;
}

const approvalGlob = (what: 'image' | 'tag') =>
  z
    .string()
    .min(1)
    .superRefine((g, ctx) => {
      const problem = globProblem(what, g);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
    });

const tag = z.string().regex(TAG_PATTERN, { message: 'expected a tag of [A-Za-z0-9_][A-Za-z0-9._-]{0,127}' });

/** Keys that would hold a secret value: the file must name an environment variable instead. */
const logRequirement = z.enum(['required', 'optional']);

export const LITERAL_SECRET = /^(token|password|secret|auth|apiKey|privateKey)$/i;

/** Where notices go (see src/clients/notify/): a URL is named by its variable, or written for a webhook. */
const noticeTarget = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, {
      message: 'expected a target name of lowercase letters, digits, . _ -',
    }),
    kind: z.enum(['slack', 'webhook'], { message: 'expected slack or webhook' }),
    url: httpUrl.optional(),
    urlEnv: envName.optional(),
    tokenEnv: envName.optional(),
    procedures: z
      .array(z.enum(noticeProcedures, { message: `expected one of ${noticeProcedures.join(', ')}` }))
      .optional(),
    states: z
      .array(z.enum(noticeStates, { message: `expected one of ${noticeStates.join(', ')}` }))
      .optional(),
    timeout: durationSchema(DURATIONS.noticeTimeout).default('10s'),
    attempts: z
      .number()
      .int({ message: 'expected a whole number of attempts, 1 to 10' })
      .min(1, { message: 'expected 1 to 10 attempts' })
      .max(10, { message: 'expected 1 to 10 attempts' })
      .default(3),
  })
  .strict()
  .superRefine((t, ctx) => {
    // the paths point at a key the message is about; the parser adds what it found there
    if (t.kind === 'slack' && t.url !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['urlEnv'],
        message:
          "a slack target's URL is a credential: expected urlEnv (the variable holding it) instead of url",
      });
    else if ((t.url === undefined) === (t.urlEnv === undefined))
      ctx.addIssue({
        code: 'custom',
        path: ['urlEnv'],
        message: `expected exactly one of url, urlEnv${t.url === undefined ? '' : ' (url is set too)'}`,
      });
    if (t.kind === 'webhook' && t.url !== undefined && hasCredentials(t.url))
      ctx.addIssue({
        code: 'custom',
        path: ['url'],
        message: `expected a webhook URL without credentials: a token belongs in tokenEnv (the variable holding it), not in the file; found ${JSON.stringify(redactRepoUrl(t.url))}`,
      });
    if (t.kind === 'slack' && t.tokenEnv !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['tokenEnv'],
        message: 'expected tokenEnv on a webhook target only (a slack URL carries its own secret)',
      });
  });

const notifications = z
  .array(noticeTarget)
  .superRefine((targets, ctx) => {
    const first = new Map<string, number>();
    targets.forEach((t, i) => {
      const earlier = first.get(t.name);
      if (earlier === undefined) first.set(t.name, i);
      else
        ctx.addIssue({
          code: 'custom',
          path: [i, 'name'],
          message: `expected unique target names (notifications.${earlier} has this one too)`,
        });
    });
  })
  .default([]);

export const configSchema = z
  .object({
    targets: z
      .record(
        z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, {
          message: 'expected a target name of lowercase letters, digits, . _ -',
        }),
        z.object({ repo: repoUrl, varsFile: z.string().min(1).default(DEFAULT_VARS_FILE) }).strict(),
      )
      .default({}),
    registry: z
      .object({ mirrors: z.record(registryHost, httpUrl).default({}) })
      .strict()
      .default({ mirrors: {} }),
    credentials: z
      .object({
        github: z
          .object({ tokenEnv: envName.default('GITHUB_TOKEN'), apiUrl: httpUrl.optional() })
          .strict()
          .optional(),
        registries: z
          .record(registryHost, z.object({ usernameEnv: envName, passwordEnv: envName }).strict())
          .default({}),
        dockerConfig: z.string().min(1).optional(),
      })
      .strict()
      .default({ registries: {} }),
    approval: z
      .object({
        timeout: durationSchema(DURATIONS.approvalTimeout).optional(),
        branches: z
          .array(
            z
              .object({
                pattern: z.string().superRefine((p, ctx) => {
                  const problem = patternProblem(p);
                  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
                }),
                required: z.boolean(),
              })
              .strict(),
          )
          .default([]),
      })
      .strict()
      .default({ branches: [] }),
    /** who signs what: the worker verifies a promotion's or rollback's source under the first matching rule */
    signatures: z
      .array(
        z
          .object({
            images: z.string().min(1),
            /** a cosign public key file (cosign.pub) */
            key: z.string().min(1).optional(),
            /** key rules: must a transparency-log entry verify (default required; optional for a deployment without a log) */
            tlog: logRequirement.optional(),
            /** key rules with tlog required: the log's key, from a trusted_root.json or a PEM public key */
            trustedRoot: z.string().min(1).optional(),
            keyless: z
              .object({
                /** a sigstore trusted_root.json (the public-good one, or a private deployment's), or a PEM bundle of CAs */
                trustedRoot: z.string().min(1),
                identity: z.string().min(1).optional(),
                identityRegExp: z.string().min(1).optional(),
                issuer: z.string().min(1).optional(),
                issuerRegExp: z.string().min(1).optional(),
                tlog: logRequirement.optional(),
                sct: logRequirement.optional(),
                /** with a PEM bundle: the keys of the transparency logs, CT logs and the timestamp authorities' chains */
                tlogKeys: z.array(z.string().min(1)).optional(),
                ctlogKeys: z.array(z.string().min(1)).optional(),
                timestampAuthorities: z.array(z.string().min(1)).optional(),
              })
              .strict()
              .refine((k) => (k.identity === undefined) !== (k.identityRegExp === undefined), {
                message: 'expected exactly one of identity, identityRegExp',
              })
              .refine((k) => (k.issuer === undefined) !== (k.issuerRegExp === undefined), {
                message: 'expected exactly one of issuer, issuerRegExp',
              })
              .optional(),
          })
          .strict()
          .refine((r) => (r.key === undefined) !== (r.keyless === undefined), {
            message: 'expected exactly one of key (a cosign public key file) or keyless',
          })
          .refine((r) => r.keyless === undefined || (r.tlog === undefined && r.trustedRoot === undefined), {
            message: 'expected tlog and trustedRoot inside keyless for a keyless rule, found them beside it',
          })
          .refine((r) => r.key === undefined || r.tlog === 'optional' || r.trustedRoot !== undefined, {
            message:
              'expected a key rule to name the transparency log (trustedRoot: trusted_root.json or the log key) since its signatures must be logged, or to say tlog: optional (a deployment without a log)',
          }),
      )
      .default([]),
    promotion: z
      .object({
        /** the immutable tag a promotion creates; placeholders {tag} {date} {time} {revision:N} */
        stamp: z.string().min(1).default('{tag}-{date}-{revision:7}'),
        /** tags moved with a tag: {prod: [latest]} (a rollback of prod moves latest too) */
        aliases: z
          .record(z.string(), z.array(tag))
          .superRefine((aliases, ctx) => {
            for (const key of Object.keys(aliases))
              if (!TAG_PATTERN.test(key))
                ctx.addIssue({
                  code: 'custom',
                  path: [key],
                  message: `expected a tag of [A-Za-z0-9_][A-Za-z0-9._-]{0,127} as the key, found ${JSON.stringify(key)}`,
                });
          })
          .default({}),
        approvalTimeout: durationSchema(DURATIONS.approvalTimeout).optional(),
        /** the first rule whose image glob and tag glob match decides; unmatched promotions wait for approval */
        approval: z
          .array(
            z
              .object({
                images: approvalGlob('image').optional(),
                tags: approvalGlob('tag').optional(),
                required: z.boolean(),
              })
              .strict(),
          )
          .default([]),
      })
      .strict()
      .default({ stamp: '{tag}-{date}-{revision:7}', aliases: {}, approval: [] }),
    cleanup: z
      .object({ approveAbove: z.number().int().min(0).default(10) })
      .strict()
      .default({ approveAbove: 10 }),
    notifications,
  })
  .strict();
