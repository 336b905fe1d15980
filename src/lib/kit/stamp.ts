/**
 * Immutable stamp tags written by `promote` (`prod-20260301-abc1234`), read
 * back by `rollback`, and the audit tag a rollback leaves
 * (`prod-rollback-20260301-142501-from-abc1234`).
 *
 * A stamp names the commit the image was built from, and that commit comes
 * only from the image's `org.opencontainers.image.revision` label: never from
 * a digest (whose hex is no commit) nor from another tag's name. Dates and
 * times are UTC. Pure.
 */
import { fatal, FatalFailure } from '../../shared/failures.js';
import { TAG_PATTERN } from '../../shared/tags.js';

const REVISION_PATTERN = /^[a-f0-9]{7,40}$/;
const REVISION_LABEL = 'org.opencontainers.image.revision';
const PLACEHOLDER = /\{([^{}]*)\}/g;
const MIN_REVISION = 7;
const MAX_REVISION = 40;
const SAMPLE = {
  date: '20260301',
  time: '142501',
  revision: '0123456789abcdef0123456789abcdef01234567',
  tag: 'prod',
};

type Values = typeof SAMPLE;

/**
 * Why a stamp template is unusable, or undefined when it is fine. Known
 * placeholders: `{date}` (UTC YYYYMMDD), `{time}` (UTC HHMMSS), `{revision}`
 * and `{revision:N}` (N from 7 to 40), `{tag}` (the first target tag). The
 * template must name the revision, and with sample values give a valid tag.
 */
export function stampTemplateProblem(template: string): string | undefined {
  if (typeof template !== 'string' || template === '') return 'the template is empty';
  let hasRevision = false;
  for (const [, name = ''] of template.matchAll(PLACEHOLDER)) {
    const width = /^revision(?::(\d+))?$/.exec(name);
    if (width) {
      hasRevision = true;
      const n = width[1] === undefined ? MAX_REVISION : Number(width[1]);
      if (n < MIN_REVISION || n > MAX_REVISION)
        return `{${name}} asks for ${n} characters of the revision (expected ${MIN_REVISION} to ${MAX_REVISION})`;
    } else if (!['date', 'time', 'tag'].includes(name)) {
      return `unknown placeholder {${name}} (expected {date}, {time}, {revision}, {revision:N} or {tag})`;
    }
  }
  if (/[{}]/.test(template.replace(PLACEHOLDER, ''))) return 'a brace that opens or closes no placeholder';
  if (!hasRevision) return 'no {revision} or {revision:N}: a stamp must name the commit of the image';
  const sample = fill(template, SAMPLE);
  if (!TAG_PATTERN.test(sample))
    return `with sample values it gives ${JSON.stringify(sample)}, not a valid tag (letters, digits, '_', '.', '-', not starting with '.' or '-', at most 128)`;
  return undefined;
}

/** The template when it is usable (stampTemplateProblem); BadInput saying what was expected and found otherwise. */
export function assertStampTemplate(template: string): string {
  const problem = stampTemplateProblem(template);
  if (problem !== undefined)
    throw fatal(
      FatalFailure.BadInput,
      `expected a stamp template such as {tag}-{date}-{revision:7}, found ${JSON.stringify(template)}: ${problem}`,
      { template },
    );
  return template;
}

/** The stamp tag for an image: the template filled from its revision label, the time and the first target tag. */
export function renderStamp(
  template: string,
  input: { at: Date; revision: string | undefined; tag: string },
): string {
  assertStampTemplate(template);
  const revision = assertRevision(input.revision, 'the stamp tag');
  if (!TAG_PATTERN.test(input.tag))
    throw fatal(
      FatalFailure.BadInput,
      `expected a target tag for {tag}, found ${JSON.stringify(input.tag)}`,
      {
        tag: input.tag,
      },
    );
  const values = { ...utcParts(input.at), revision, tag: input.tag };
  const short = [...template.matchAll(/\{revision:(\d+)\}/g)].find(([, n]) => Number(n) > revision.length);
  if (short)
    throw fatal(
      FatalFailure.LabelMissing,
      `expected the ${REVISION_LABEL} label to hold at least ${short[1]} hex characters for ${short[0]}, found ${JSON.stringify(revision)} (${revision.length})`,
      { label: REVISION_LABEL, found: revision, template },
    );
  const stamp = fill(template, values);
  if (!TAG_PATTERN.test(stamp))
    throw fatal(
      FatalFailure.BadInput,
      `expected the stamp template ${JSON.stringify(template)} to give a valid tag, found ${JSON.stringify(stamp)}`,
      { template, stamp },
    );
  return stamp;
}

/**
 * `<prefix>-YYYYMMDD-<7..40 lowercase hex>` exactly, with a real calendar
 * date; anything else (the bare `prod`, the `prod-rollback-…` audit tags,
 * other prefixes) is undefined.
 */
export function parseStamp(tag: string, prefix: string): { date: string; revision: string } | undefined {
  if (!tag.startsWith(`${prefix}-`)) return undefined;
  const match = /^(\d{4})(\d{2})(\d{2})-([a-f0-9]{7,40})$/.exec(tag.slice(prefix.length + 1));
  if (!match) return undefined;
  const [, year, month, day, revision] = match as unknown as [string, string, string, string, string];
  const when = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  const real =
    when.getUTCFullYear() === Number(year) &&
    when.getUTCMonth() === Number(month) - 1 &&
    when.getUTCDate() === Number(day);
  return real ? { date: `${year}${month}${day}`, revision } : undefined;
}

/** `prod-rollback-20260301-142501-from-abc1234`: the audit tag for rolling back from the image of `fromRevision`. */
export function rollbackAuditTag(prefix: string, at: Date, fromRevision: string | undefined): string {
  const revision = assertRevision(fromRevision, 'the rollback audit tag (the image rolled back from)');
  const { date, time } = utcParts(at);
  const tag = `${prefix}-rollback-${date}-${time}-from-${revision.slice(0, MIN_REVISION)}`;
  if (!TAG_PATTERN.test(tag))
    throw fatal(
      FatalFailure.BadInput,
      `expected a tag prefix that gives a valid audit tag, found prefix ${JSON.stringify(prefix)} giving ${JSON.stringify(tag)}`,
      { prefix, tag },
    );
  return tag;
}

function assertRevision(revision: string | undefined, purpose: string): string {
  if (typeof revision === 'string' && REVISION_PATTERN.test(revision)) return revision;
  const found = revision === undefined ? 'no such label' : JSON.stringify(revision);
  throw fatal(
    FatalFailure.LabelMissing,
    `expected the image's ${REVISION_LABEL} label to hold a git commit sha (7 to 40 lowercase hex) for ${purpose}, found ${found}; the stamp comes from that label and is never derived from a digest or a tag listing`,
    { label: REVISION_LABEL, found: revision ?? null },
  );
}

/** `{date: 'YYYYMMDD', time: 'HHMMSS'}` in UTC. */
function utcParts(at: Date): { date: string; time: string } {
  if (!(at instanceof Date) || Number.isNaN(at.getTime()))
    throw fatal(FatalFailure.BadInput, `expected a valid time for a stamp, found ${String(at)}`);
  const iso = at.toISOString();
  const date = iso.slice(0, 10).replaceAll('-', '');
  if (date.length !== 8)
    throw fatal(FatalFailure.BadInput, `expected a time between years 0 and 9999, found ${iso}`);
  return { date, time: iso.slice(11, 19).replaceAll(':', '') };
}

function fill(template: string, values: Values): string {
  return template.replace(PLACEHOLDER, (_whole, name: string) => {
    if (name === 'date' || name === 'time' || name === 'tag') return values[name];
    const width = /^revision:(\d+)$/.exec(name)?.[1];
    return width === undefined ? values.revision : values.revision.slice(0, Number(width));
  });
}
