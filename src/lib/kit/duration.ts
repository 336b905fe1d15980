/**
 * Durations an operator types (`--older-than 24h`, `1d12h`, `1.5h`) and the
 * short form shown back in plans (`2d 1h`), plus the one reading of an
 * image's `created` time that clean-up and rollback share. Ages are plain
 * millisecond differences: never a calendar field such as Python's
 * `timedelta.seconds`, which wraps every day and made a 49 h old tag 1 h old.
 * Pure.
 */
import { fatal, FatalFailure } from '../../shared/failures.js';

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const;
type Unit = keyof typeof UNIT_MS;
const UNITS: readonly Unit[] = ['d', 'h', 'm', 's', 'ms'];
const PART = /(\d+(?:\.\d+)?)\s*(ms|[dhms])/y;
const FORMS = 'numbers with units d, h, m, s, ms, largest first (such as 90s, 30m, 24h, 7d, 1d12h or 1.5h)';

/** What a duration may be: its name in messages and its bounds (milliseconds, inclusive). */
export interface DurationBounds {
  /** `an approval timeout`, `--every`: what the message says was expected */
  what?: string;
  min?: number;
  max?: number;
}

/** The bounds of every duration an operator or a config file gives, one place for all of them. */
export const DURATIONS = {
  /** how long a plan or a branch waits for a human (`--approval-timeout`, approval.timeout) */
  approvalTimeout: { what: 'an approval timeout', min: UNIT_MS.s, max: 366 * UNIT_MS.d },
  /** a schedule's interval (`schedule create --every`) */
  every: { what: 'a schedule interval', min: UNIT_MS.m, max: 366 * UNIT_MS.d },
  /** the age a clean-up deletes from (`--older-than`) */
  olderThan: { what: 'an age', min: UNIT_MS.s, max: 3660 * UNIT_MS.d },
  /** an activity retry's initial and maximum interval */
  retryInterval: { what: 'a retry interval', min: UNIT_MS.ms, max: UNIT_MS.d },
  /** how long a notice target is given to answer (notifications[].timeout) */
  noticeTimeout: { what: 'a notice timeout', min: UNIT_MS.ms, max: 10 * UNIT_MS.m },
} as const satisfies Record<string, DurationBounds>;

/** What a duration of these bounds must look like, for messages and `--help`. */
export function expectedDuration(bounds: DurationBounds = {}): string {
  const range =
    bounds.min !== undefined && bounds.max !== undefined
      ? ` from ${shownBound(bounds.min)} to ${shownBound(bounds.max)}`
      : '';
  return `expected ${bounds.what === undefined ? '' : `${bounds.what} as `}a positive duration${range} of ${FORMS}`;
}

function shownBound(ms: number): string {
  return ms < UNIT_MS.s ? `${ms}ms` : formatDuration(ms);
}

/**
 * `90s`, `30m`, `24h`, `7d`, `1d12h`, `1d 12h`, `1.5h`, `200ms` → milliseconds:
 * the one reading of a duration, for every flag, schema and config key.
 * BadInput (saying what was expected and what was found) for anything else,
 * 0 included, and for a value outside `bounds`.
 */
export function parseDuration(text: string, bounds: DurationBounds = {}): number {
  const bad = (why: string) =>
    fatal(FatalFailure.BadInput, `${expectedDuration(bounds)}, found ${JSON.stringify(text)}${why}`, {
      input: text,
    });
  if (typeof text !== 'string') throw bad('');
  const input = text.trim();
  if (input === '') throw bad(' (empty)');
  let total = 0;
  let at = 0;
  let lastUnit = -1;
  while (at < input.length) {
    PART.lastIndex = at;
    const match = PART.exec(input);
    if (!match) throw bad(` (cannot read ${JSON.stringify(input.slice(at))})`);
    const unit = match[2] as Unit;
    const rank = UNITS.indexOf(unit);
    if (rank <= lastUnit) throw bad(` (unit ${unit} out of order or repeated)`);
    lastUnit = rank;
    total += Number(match[1]) * UNIT_MS[unit];
    at = PART.lastIndex;
    while (input[at] === ' ') at += 1;
  }
  const ms = Math.round(total);
  if (!(ms > 0)) throw bad(' (a duration must be longer than zero)');
  if (!Number.isSafeInteger(ms)) throw bad(' (too long)');
  if (bounds.min !== undefined && ms < bounds.min) throw bad(` (shorter than ${shownBound(bounds.min)})`);
  if (bounds.max !== undefined && ms > bounds.max) throw bad(` (longer than ${shownBound(bounds.max)})`);
  return ms;
}

/** parseDuration's message when `text` is not a duration within `bounds`, else undefined. */
export function durationProblem(text: string, bounds: DurationBounds = {}): string | undefined {
  try {
    parseDuration(text, bounds);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/**
 * The largest unit and the next one, truncated, zeros dropped: 49 h → `2d 1h`,
 * 23 h → `23h`, 90 s → `1m 30s`, 1 d 5 m → `1d`; under a second → `0s`; a
 * negative value gets a `-`. parseDuration reads it back.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 0) return `-${formatDuration(-ms)}`;
  let rest = Math.floor(ms);
  const parts: string[] = [];
  for (const unit of UNITS.filter((u) => u !== 'ms')) {
    const count = Math.floor(rest / UNIT_MS[unit]);
    rest -= count * UNIT_MS[unit];
    if (count > 0 || parts.length > 0) parts.push(`${count}${unit}`);
  }
  const shown = parts.slice(0, 2).filter((part) => !part.startsWith('0'));
  return shown.length === 0 ? '0s' : shown.join(' ');
}

/**
 * An image config's `created` time as epoch milliseconds, or undefined when it
 * tells nothing: missing, unparseable, or the Unix epoch (and anything before
 * it) that reproducible builds write (`SOURCE_DATE_EPOCH=0`).
 */
export function imageCreatedMs(created: string | undefined): number | undefined {
  const ms = parseTime(created);
  return ms === undefined || ms <= 0 ? undefined : ms;
}

/** An ISO 8601 time (with a zone) as epoch milliseconds, or undefined. */
export function parseTime(value: string | undefined): number | undefined {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return undefined;
  if (!/(?:Z|[+-]\d{2}:?\d{2})$/i.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
