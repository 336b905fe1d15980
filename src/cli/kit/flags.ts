/**
 * The parsers of every option and argument a person types: each value is
 * checked as commander reads it, by the one check of its kind (the duration
 * parser, the repo URL and image name parsers, the branch, tag, path and id
 * checks), before anything reaches a server. A refusal is exit 2 saying
 * `<flag>: expected …, found …`, with any credential in it redacted.
 */
import { redactSecrets } from '../../lib/kit/httpUrl.js';
import { parseDuration, type DurationBounds } from '../../lib/kit/duration.js';
import { CliError, usage } from './exitCodes.js';
import type { CliContext } from './context.js';
import { workflowIdProblem } from '../../shared/ids.js';

/** The refusal of `flag`'s value: `<flag>: <what the check said>`, credentials redacted. */
export function refusal(flag: string, err: unknown, within?: string): CliError {
  const message = err instanceof Error ? err.message : String(err);
  const said = err instanceof CliError && message.startsWith(`${flag}: `) ? message : `${flag}: ${message}`;
  return usage(redactSecrets(`${said}${within === undefined ? '' : ` (in ${JSON.stringify(within)})`}`));
}

/** A parser that runs `check` on the value (it throws to refuse it) and keeps the value as typed. */
export function checked(flag: string, check: (raw: string) => unknown): (raw: string) => string {
  return (raw) => {
    try {
      check(raw);
    } catch (err) {
      throw refusal(flag, err);
    }
    return raw;
  };
}

/** `a,b` → `[a, b]`; a comma inside braces is a glob's (`{prod,latest}-*`), not a separator. */
function splitItems(raw: string): string[] {
  const items = [''];
  let depth = 0;
  for (const c of raw) {
    if (c === ',' && depth === 0) items.push('');
    else items[items.length - 1] += c;
    if (c === '{') depth += 1;
    else if (c === '}') depth = Math.max(0, depth - 1);
  }
  return items;
}

/**
 * A repeatable, comma-separated option (`--branch a,b --branch c` → `[a, b, c]`),
 * each item checked; an empty item (`--branch ''`, `a,,b`) is checked too, so refused.
 */
export function checkedList(
  flag: string,
  check: (raw: string) => unknown,
): (raw: string, previous?: string[]) => string[] {
  return (raw, previous = []) => {
    const items = splitItems(raw).map((v) => v.replace(/^ +| +$/g, '')); // spaces after commas, nothing else
    for (const item of items) {
      try {
        check(item);
      } catch (err) {
        throw refusal(flag, err, item === raw ? undefined : raw);
      }
    }
    return [...previous, ...items];
  };
}

/** A duration within `bounds`, read by the one duration parser; kept as typed. */
export function durationFlag(flag: string, bounds: DurationBounds): (raw: string) => string {
  return checked(flag, (raw) => parseDuration(raw, bounds));
}

/** A whole number from `min` to `max` (digits only: no sign, exponent or fraction). */
export function wholeNumber(flag: string, min: number, max: number): (raw: string) => number {
  return (raw) => {
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < min || n > max)
      throw usage(`${flag}: expected a whole number from ${min} to ${max}, found ${JSON.stringify(raw)}`);
    return n;
  };
}

/** A number of seconds from `min` to `max` (digits, optionally a decimal fraction). */
export function seconds(flag: string, min: number, max: number): (raw: string) => number {
  return (raw) => {
    const n = Number(raw);
    if (!/^\d+(?:\.\d+)?$/.test(raw) || n < min || n > max)
      throw usage(
        `${flag}: expected a number of seconds from ${min} to ${max}, found ${JSON.stringify(raw)}`,
      );
    return n;
  };
}

/** One of `values`. */
export function oneOf(flag: string, values: readonly string[]): (raw: string) => string {
  return (raw) => {
    if (!values.includes(raw))
      throw usage(`${flag}: expected one of ${values.join(', ')}, found ${JSON.stringify(raw)}`);
    return raw;
  };
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

/**
 * Text a person writes (a name, a reason): not blank, no tab or control
 * character (a newline only where `lines`), at most `max` characters.
 */
export function text(flag: string, what: string, max: number, lines = false): (raw: string) => string {
  return (raw) => {
    const expected = `expected ${what} (not blank, no tab or control character${lines ? '' : ' or line break'}, at most ${max} characters)`;
    const why =
      raw.trim() === ''
        ? 'blank'
        : CONTROL.test(raw) || (!lines && raw.includes('\n'))
          ? 'a tab or control character'
          : raw.length > max
            ? `${raw.length} characters`
            : undefined;
    if (why !== undefined) throw usage(`${flag}: ${expected}, found ${JSON.stringify(raw)} (${why})`);
    return raw;
  };
}

/** `parse(raw)`, a refusal naming `flag` when it throws: for a value that came from the environment or a file. */
export function parsedAs<T>(flag: string, parse: (raw: string) => T, raw: string): T {
  try {
    return parse(raw);
  } catch (err) {
    throw refusal(flag, err);
  }
}

/** A request a workflow's schema refused: exit 2 naming each field, what was expected and found. */
export function schemaRefusal(
  what: string,
  issues: readonly { path: PropertyKey[]; message: string }[],
): CliError {
  return usage(
    redactSecrets(
      `expected ${what}: ${issues.map((i) => `${i.path.map(String).join('.') || 'input'}: ${i.message}`).join('; ')}`,
    ),
  );
}

/** The config file's target `name` (its repo and vars file); exit 2 naming the known ones otherwise. */
export function targetOf(
  ctx: CliContext,
  name: string,
  flag = '--target',
): { repo: string; varsFile?: string; images?: string[] | undefined } {
  const cfg = ctx.config();
  // own keys only: `--target constructor` names no target
  const target = cfg !== undefined && Object.hasOwn(cfg.targets, name) ? cfg.targets[name] : undefined;
  if (target === undefined) {
    const known = Object.keys(cfg?.targets ?? {});
    throw usage(
      `${flag}: expected a target named in the config file (known: ${known.join(', ') || (cfg ? 'none' : 'no config file given (--config)')}), found ${JSON.stringify(name)}`,
    );
  }
  return target;
}

/** The `<id>` of status, approve, reject, retry: a workflow id bumpflow made. */
export const workflowIdArgument = checked('<id>', (id) => {
  const problem = workflowIdProblem(id);
  if (problem !== undefined) throw usage(problem);
});

/** Options given that `what` has no use for: exit 2 naming the first one, what was expected and found. */
export function notFor(what: string, given: Record<string, string | string[] | undefined>): void {
  const found = Object.entries(given).filter(([, v]) => v !== undefined);
  if (found.length === 0) return;
  throw usage(
    `${found[0]![0]}: expected no ${Object.keys(given).join(' or ')} for ${what}, found ${found.map(([k, v]) => `${k} ${JSON.stringify(v)}`).join(' and ')}`,
  );
}
