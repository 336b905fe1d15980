/**
 * What `bumpflow retag` and `status <retag id>` print: the manifest, the plan
 * table, the outcomes, the next command. Within TEXT_WIDTH columns (what
 * happens under its row, long names and details wrapped), or everything on
 * one line per entry with `wide`.
 */
import { renderRetagPlan } from '../../lib/retag/retagPlan.js';
import { renderTable } from '../../lib/kit/table.js';
import { shortDigest as short, TEXT_WIDTH, wrapLine } from '../../lib/kit/textTable.js';
import type { RetagResult, RetagStatus } from '../../shared/retag.js';

export interface RetagTextOptions {
  /** everything in full, however wide */
  wide?: boolean | undefined;
}

const widthOf = (o: RetagTextOptions) => (o.wide ? undefined : TEXT_WIDTH);
/** A line of prose, wrapped to the width (never a command: those stay whole, to copy). */
const fit = (o: RetagTextOptions, line: string) => {
  const width = widthOf(o);
  return width === undefined ? [line] : wrapLine(line, width);
};

/** Fitted, an entry's error goes under its row; its write (created, moved, unchanged) stays a column. */
const OUTCOME_FITS = [
  { column: 5, fit: 'below', label: 'error' },
  { column: 1, fit: 'wrap', rank: 0, min: 24 },
] as const;

function header(id: string, s: RetagStatus | RetagResult, o: RetagTextOptions): string[] {
  const at = s.commit === undefined ? s.ref : `${s.commit.slice(0, 12)} (${s.ref})`;
  return [`${id}: ${s.state}`, ...fit(o, `manifest ${s.path} at ${at} of ${s.repoUrl}`)];
}

function outcomes(s: RetagStatus | RetagResult, o: RetagTextOptions): string[] {
  if (s.entries.length === 0) return [];
  const width = widthOf(o);
  const error = (e: (typeof s.entries)[number]) =>
    e.error === undefined ? '' : `${e.error.type}: ${e.error.message}`;
  const rows = s.entries.map((e) => [
    e.outcome,
    `${e.image}:${e.tag}`,
    `${e.line}`,
    short(e.digest),
    ...(width === undefined
      ? [e.error === undefined ? (e.write ?? '') : error(e)]
      : [e.write ?? '', error(e)]),
  ]);
  if (width === undefined)
    return ['', ...renderTable(['outcome', 'target', 'line', 'digest', 'detail'], rows, 'text')];
  const head = ['outcome', 'target', 'line', 'digest', 'write', 'error'];
  return ['', ...renderTable(head, rows, 'text', { width, fits: OUTCOME_FITS })];
}

/** The status while it runs: the plan (once known), what is done, how to go on. */
export function formatRetagStatus(id: string, s: RetagStatus, o: RetagTextOptions = {}): string {
  const lines = header(id, s, o);
  if (s.plan !== undefined) lines.push('', renderRetagPlan(s.plan, 'text', { width: widthOf(o) }));
  lines.push(...outcomes(s, o));
  if (s.pending.length > 0)
    lines.push('', `waiting for ${s.pending.length} write(s) in the repositories' queues`);
  if (s.state === 'awaiting-approval')
    lines.push('', `approve: bumpflow approve ${id}`, `reject:  bumpflow reject ${id} --reason "…"`);
  if (s.state === 'blocked' && s.step)
    lines.push(
      '',
      ...fit(o, `blocked on ${s.step.name}: ${s.error?.message ?? ''}`),
      `retry: bumpflow retry ${id}`,
    );
  if (s.error !== undefined && s.state === 'failed')
    lines.push('', ...fit(o, `failed: ${s.error.type}: ${s.error.message}`));
  for (const n of s.notices.slice(-5)) lines.push(...fit(o, `note: ${n}`));
  if (s.refusals.length > 0)
    lines.push(...fit(o, `refused messages: ${s.refusals.length} (newest: ${s.refusals.at(-1)})`));
  return lines.join('\n');
}

/** The result: every entry's outcome. */
export function formatRetagResult(id: string, r: RetagResult, o: RetagTextOptions = {}): string {
  const lines = header(id, r, o);
  if (r.state === 'dry-run' && r.plan !== undefined)
    lines.push('', renderRetagPlan(r.plan, 'text', { width: widthOf(o) }), '', 'dry run: nothing written');
  lines.push(...outcomes(r, o));
  if (r.reason !== undefined) lines.push('', ...fit(o, `reason: ${r.reason}`));
  if (r.error !== undefined) lines.push('', ...fit(o, `failed: ${r.error.type}: ${r.error.message}`));
  return lines.join('\n');
}
