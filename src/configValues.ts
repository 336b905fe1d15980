/**
 * The checks of each kind of value a config file holds (URLs, paths, names,
 * globs, signers, templates), each the one check of its kind that the CLI's
 * flags use too, as schemas for configSchema.ts. Pure.
 */
import { z } from 'zod';
import { TAG_EXPECTED, TAG_PATTERN } from './shared/tags.js';
import { parseRepoUrl } from './lib/kit/repoUrl.js';
import { checkedString } from './shared/bump.js';
import { globProblem } from './lib/kit/glob.js';
import { httpUrlProblem, redactSecrets, type HttpUrlRules } from './lib/kit/httpUrl.js';
import { stampTemplateProblem } from './lib/kit/stamp.js';
import { BYTE_SIZE_FORMS, parseByteSize } from './lib/kit/byteSize.js';
import { partSizeProblem } from './lib/catalog/mirrorUpload.js';
import { keyPrefixProblem } from './lib/catalog/mirrorKey.js';

const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;
export const envName = z
  .string()
  .regex(ENV_NAME, { message: 'expected the NAME of an environment variable (A-Z, 0-9, _)' });
/** An http(s) URL key (lib/kit/httpUrl.ts: no credentials, never shown back). */
export const httpUrl = (rules: HttpUrlRules) => checkedString((v) => httpUrlProblem(v, rules));
/** A target's clone URL, read by the one repo URL parser the CLI uses (credentials refused, shown redacted). */
export const repoUrl = checkedString((v) => {
  try {
    parseRepoUrl(v);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
});
export const registryHost = z.string().regex(/^[a-z0-9.-]+(:\d+)?$/, {
  message: 'expected a registry host such as ghcr.io (lowercase, an optional :port)',
});
/** A file the worker reads (relative to the config file): not empty, no control character. */
export const filePath = checkedString((v) =>
  // eslint-disable-next-line no-control-regex
  v.trim() === '' || /[\u0000-\u001f\u007f]/.test(v)
    ? `expected a file path (relative to the config file), found ${JSON.stringify(v)}`
    : undefined,
);
/** An exact identity or issuer: a URL in it carries no credentials. */
export const signer = checkedString((v) =>
  v.trim() === ''
    ? `expected a signer identity or issuer, found ${JSON.stringify(v)}`
    : redactSecrets(v) !== v
      ? `expected a signer identity or issuer without credentials in it, found ${JSON.stringify(redactSecrets(v))}`
      : undefined,
);
/** A regular expression cosign-style matching uses (unanchored); one that does not compile is refused now. */
export const signerRegExp = checkedString((v) => {
  try {
    if (v === '') return 'expected a regular expression, found ""';
    new RegExp(v);
    return undefined;
  } catch (err) {
    return `expected a valid regular expression, found ${JSON.stringify(redactSecrets(v))} (${err instanceof Error ? err.message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '') : 'invalid'})`;
  }
});

export const approvalGlob = (what: 'image' | 'tag') => checkedString((g) => globProblem(what, g));

export const tag = z.string().regex(TAG_PATTERN, { message: `expected ${TAG_EXPECTED}` });

/** The stamp a promotion creates (lib/kit/stamp.ts's check, as `promote --stamp`). */
export const stampTemplate = checkedString((t) => {
  const problem = stampTemplateProblem(t);
  return problem === undefined
    ? undefined
    : `expected a stamp template such as {tag}-{date}-{revision:7}, found ${JSON.stringify(t)}: ${problem}`;
});

/** An access key id written where its variable's name goes: AWS's key ids, or a long run of capitals and digits. */
const LOOKS_LIKE_A_KEY = [
  /^A(KI|SI|GP|ID|RO|NP|NV|IP)A[A-Z0-9]{12,}$/,
  /^(?=[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z])[A-Z0-9]{16,}$/,
];

/**
 * The NAME of the variable holding a store credential (`what`: `the secret
 * access key`). Anything else is refused without being shown: a value that
 * is not a name, or one that looks like a key id, may be the credential itself.
 */
export const credentialEnvName = (what: string) =>
  z.unknown().transform((v, ctx) => {
    const expected = `expected the NAME of an environment variable (A-Z, 0-9, _) holding ${what}`;
    const hidden = (why: string) =>
      `${expected}, found "***" (not shown: ${why} ${what} itself; put it in the worker's environment and name that variable here)`;
    const problem =
      v === undefined
        ? `${expected}, found nothing`
        : typeof v !== 'string' || !ENV_NAME.test(v)
          ? hidden('it may be')
          : LOOKS_LIKE_A_KEY.some((r) => r.test(v))
            ? hidden('it looks like')
            : undefined;
    if (problem === undefined) return v as string;
    ctx.addIssue({ code: 'custom', message: problem });
    return z.NEVER;
  });

/** A bucket of the S3-compatible store: S3's naming rules (as MinIO enforces them). */
export const bucketName = checkedString((v) =>
  /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(v) && !v.includes('..') && !/^\d+\.\d+\.\d+\.\d+$/.test(v)
    ? undefined
    : `expected a bucket name of 3 to 63 lowercase letters, digits, . and - (starting and ending with a letter or digit), found ${JSON.stringify(v)}`,
);
/** The key prefix inside the bucket (lib/catalog/mirrorKey.ts's check); may be empty. */
export const keyPrefix = checkedString(keyPrefixProblem);
/** A signing region: `us-east-1`, `nbg1`, OpenStack's `RegionOne`. */
export const storeRegion = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
  message: 'expected a region name such as us-east-1 or RegionOne (letters, digits, . _ -)',
});
/** A multipart upload's part size: 5MiB to 5GiB (S3's limits). */
export const partSize = z
  .string({ message: `expected a part size of ${BYTE_SIZE_FORMS}, from 5MiB to 5GiB` })
  .superRefine((v, ctx) => {
    const bytes = parseByteSize(v);
    const problem = bytes === undefined ? undefined : partSizeProblem(bytes);
    if (bytes === undefined || problem !== undefined)
      ctx.addIssue({
        code: 'custom',
        message: `expected a part size of ${BYTE_SIZE_FORMS}, from 5MiB to 5GiB, found ${JSON.stringify(v)}${bytes === undefined ? '' : ` (${bytes} bytes)`}`,
      });
  });
