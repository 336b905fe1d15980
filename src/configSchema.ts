/**
 * The config file's schema (see configFile.ts for parsing, errors with lines,
 * and how the worker's environment is filled from it). Pure.
 */
import { z } from 'zod';
import { patternProblem } from './shared/approvalRule.js';
import { TAG_EXPECTED, TAG_PATTERN } from './shared/tags.js';
import { DEFAULT_VARS_FILE } from './shared/messages.js';
import { noticeProcedures, noticeStates } from './shared/notices.js';
import { DURATIONS } from './lib/kit/duration.js';
import { checkedString, durationSchema } from './shared/bump.js';
import { repoPathProblem } from './lib/kit/repoPath.js';
import { registryMirrors } from './configMirrors.js';
import { imageScopeProblem } from './lib/sweep/scope.js';
import {
  approvalGlob,
  bucketName,
  credentialEnvName,
  envName,
  filePath,
  httpUrl,
  keyPrefix,
  partSize,
  registryHost,
  repoUrl,
  signer,
  signerRegExp,
  stampTemplate,
  storeRegion,
  tag,
} from './configValues.js';

/** Keys that would hold a secret value: the file must name an environment variable instead. */
const logRequirement = z.enum(['required', 'optional']);

export const LITERAL_SECRET =
  /^(token|password|secret|auth|apiKey|privateKey|accessKey|accessKeyId|secretKey|secretAccessKey)$/i;
/** The key and an example variable a refused literal secret names instead (default: `<key>Env: GITHUB_TOKEN`). */
export const SECRET_NAMED_BY: Readonly<Record<string, string>> = {
  accesskey: 'accessKeyIdEnv: MINIO_ACCESS_KEY',
  accesskeyid: 'accessKeyIdEnv: MINIO_ACCESS_KEY',
  secretkey: 'secretAccessKeyEnv: MINIO_SECRET_KEY',
  secretaccesskey: 'secretAccessKeyEnv: MINIO_SECRET_KEY',
};

/** The catalog's image mirror (an S3-compatible store): where each new image's file is uploaded. */
const catalogMirror = z
  .object({
    /** the S3 API (MinIO, Swift's S3 API) */
    endpoint: httpUrl({
      what: 'an S3 endpoint URL',
      credentialsGo: 'the keys belong in accessKeyIdEnv and secretAccessKeyEnv (the variables holding them)',
    }),
    bucket: bucketName,
    /** the key prefix inside the bucket; may be empty */
    prefix: keyPrefix.default(''),
    /** what each catalog's mirror_url starts with (update.py's MIRROR_BASE_URL) */
    baseUrl: httpUrl({
      what: 'a mirror base URL',
      credentialsGo: "the store's keys belong in accessKeyIdEnv and secretAccessKeyEnv",
    }),
    region: storeRegion.optional(),
    accessKeyIdEnv: credentialEnvName('the access key id'),
    secretAccessKeyEnv: credentialEnvName('the secret access key'),
    /** bytes per part of the multipart upload (default 64MiB) */
    partSize: partSize.optional(),
  })
  .strict();

/** Where notices go (see src/clients/notify/): a URL is named by its variable, or written for a webhook. */
const noticeTarget = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, {
      message: 'expected a target name of lowercase letters, digits, . _ -',
    }),
    kind: z.enum(['slack', 'webhook'], { message: 'expected slack or webhook' }),
    url: httpUrl({
      what: 'a webhook URL',
      credentialsGo: 'a token belongs in tokenEnv (the variable holding it), not in the file',
      query: true,
    }).optional(),
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
        z
          .object({
            repo: repoUrl,
            varsFile: checkedString(repoPathProblem).default(DEFAULT_VARS_FILE),
            /** the images the sweep and its schedules look at (globs over registry/repository); none: every image */
            images: z.array(checkedString(imageScopeProblem)).min(1).max(50).optional(),
          })
          .strict(),
      )
      .default({}),
    registry: z
      .object({
        /** registry host → a mirror URL, or its endpoints in order (configMirrors.ts) */
        mirrors: registryMirrors,
      })
      .strict()
      .default({ mirrors: {} }),
    credentials: z
      .object({
        github: z
          .object({
            tokenEnv: envName.default('GITHUB_TOKEN'),
            apiUrl: httpUrl({
              what: 'a GitHub API URL',
              credentialsGo: 'the token belongs in the variable tokenEnv names',
            }).optional(),
          })
          .strict()
          .optional(),
        registries: z
          .record(registryHost, z.object({ usernameEnv: envName, passwordEnv: envName }).strict())
          .default({}),
        dockerConfig: filePath.optional(),
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
            images: approvalGlob('image'),
            /** a cosign public key file (cosign.pub) */
            key: filePath.optional(),
            /** key rules: must a transparency-log entry verify (default required; optional for a deployment without a log) */
            tlog: logRequirement.optional(),
            /** key rules with tlog required: the log's key, from a trusted_root.json or a PEM public key */
            trustedRoot: filePath.optional(),
            keyless: z
              .object({
                /** a sigstore trusted_root.json (the public-good one, or a private deployment's), or a PEM bundle of CAs */
                trustedRoot: filePath,
                identity: signer.optional(),
                identityRegExp: signerRegExp.optional(),
                issuer: signer.optional(),
                issuerRegExp: signerRegExp.optional(),
                tlog: logRequirement.optional(),
                sct: logRequirement.optional(),
                /** with a PEM bundle: the keys of the transparency logs, CT logs and the timestamp authorities' chains */
                tlogKeys: z.array(filePath).optional(),
                ctlogKeys: z.array(filePath).optional(),
                timestampAuthorities: z.array(filePath).optional(),
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
        stamp: stampTemplate.default('{tag}-{date}-{revision:7}'),
        /** tags moved with a tag: {prod: [latest]} (a rollback of prod moves latest too) */
        aliases: z
          .record(z.string(), z.array(tag))
          .superRefine((aliases, ctx) => {
            for (const key of Object.keys(aliases))
              if (!TAG_PATTERN.test(key))
                ctx.addIssue({
                  code: 'custom',
                  path: [key],
                  message: `expected ${TAG_EXPECTED} as the key, found ${JSON.stringify(key)}`,
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
      .object({ approveAbove: z.number().int().min(0).max(100_000).default(10) })
      .strict()
      .default({ approveAbove: 10 }),
    notifications,
    catalog: z.object({ mirror: catalogMirror.optional() }).strict().default({}),
  })
  .strict();
