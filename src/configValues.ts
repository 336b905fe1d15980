/**
 * The checks of each kind of value a config file holds (URLs, paths, names,
 * globs, signers, templates), each the one check of its kind that the CLI's
 * flags use too, as schemas for configSchema.ts. Pure.
 */
import { z } from 'zod';
import { TAG_EXPECTED, TAG_PATTERN } from './shared/tags.js';
import { parseRepoUrl } from './lib/repoUrl.js';
import { checkedString } from './shared/bump.js';
import { globProblem } from './lib/glob.js';
import { httpUrlProblem, redactSecrets, type HttpUrlRules } from './lib/httpUrl.js';
import { stampTemplateProblem } from './lib/stamp.js';

const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;
export const envName = z
  .string()
  .regex(ENV_NAME, { message: 'expected the NAME of an environment variable (A-Z, 0-9, _)' });
/** An http(s) URL key (lib/httpUrl.ts: no credentials, never shown back). */
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

/** The stamp a promotion creates (lib/stamp.ts's check, as `promote --stamp`). */
export const stampTemplate = checkedString((t) => {
  const problem = stampTemplateProblem(t);
  return problem === undefined
    ? undefined
    : `expected a stamp template such as {tag}-{date}-{revision:7}, found ${JSON.stringify(t)}: ${problem}`;
});
