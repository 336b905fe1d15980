/**
 * Durations an operator types (`--older-than 24h`, `1d12h`, `1.5h`) and the
 * short form shown back in plans (`2d 1h`), plus the one reading of an
 * image's `created` time that clean-up and rollback share. Ages are plain
 * millisecond differences: never a calendar field such as Python's
 * `timedelta.seconds`, which wraps every day and made a 49 h old tag 1 h old.
 * Pure.
 */
import { fatal, FatalFailure } from '../shared/failures.js';

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000 } as const;
type Unit = keyof typeof UNIT_MS;
const UNITS: readonly Unit[] = ['d', 'h', 'm', 's'];
const PART = /(\d+(?:\.\d+)?)\s*([dhms])/y;
const EXPECTED =
  'expected a positive duration of numbers with units d, h, m, s, largest first (such as 90s, 30m, 24h, 7d, 1d12h or 1.5h)';

/** `90s`, `30m`, `24h`, `7d`, `1d12h`, `1d 12h`, `1.5h` → milliseconds. BadInput for anything else, 0 included. */
export function parseDuration(text: string): number {
  const bad = (why: string) =>
    fatal(FatalFailure.BadInput, `${EXPECTED}, found ${JSON.stringify(text)}${why}`, { input: text });
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
  return ms;
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
  for (const unit of UNITS) {
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
