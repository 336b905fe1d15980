/** What `bumpflow retag` and `status <retag id>` print: the manifest, the plan table, the outcomes, the next command. */
import { renderRetagPlan } from '../lib/retagPlan.js';
import { renderTable } from '../lib/sweep/table.js';
import type { RetagResult, RetagStatus } from '../shared/retag.js';

const short = (d: string | undefined) => (d === undefined ? '—' : `${d.slice(0, 19)}…`);

function header(id: string, s: RetagStatus | RetagResult): string[] {
  const at = s.commit === undefined ? s.ref : `${s.commit.slice(0, 12)} (${s.ref})`;
  return [`${id}: ${s.state}`, `manifest ${s.path} at ${at} of ${s.repoUrl}`];
}

function outcomes(s: RetagStatus | RetagResult): string[] {
  if (s.entries.length === 0) return [];
  const rows = s.entries.map((e) => [
    e.outcome,
    `${e.image}:${e.tag}`,
    `${e.line}`,
    short(e.digest),
    e.error === undefined ? (e.write ?? '') : `${e.error.type}: ${e.error.message}`,
  ]);
  return ['', ...renderTable(['outcome', 'target', 'line', 'digest', 'detail'], rows, 'text')];
}

/** The status while it runs: the plan (once known), what is done, how to go on. */
export function formatRetagStatus(id: string, s: RetagStatus): string {
  const lines = header(id, s);
  if (s.plan !== undefined) lines.push('', renderRetagPlan(s.plan, 'text'));
  lines.push(...outcomes(s));
  if (s.pending.length > 0)
    lines.push('', `waiting for ${s.pending.length} write(s) in the repositories' queues`);
  if (s.state === 'awaiting-approval')
    lines.push('', `approve: bumpflow approve ${id}`, `reject:  bumpflow reject ${id} --reason "…"`);
  if (s.state === 'blocked' && s.step)
    lines.push('', `blocked on ${s.step.name}: ${s.error?.message ?? ''}`, `retry: bumpflow retry ${id}`);
  if (s.error !== undefined && s.state === 'failed')
    lines.push('', `failed: ${s.error.type}: ${s.error.message}`);
  for (const n of s.notices.slice(-5)) lines.push(`note: ${n}`);
  if (s.refusals.length > 0)
    lines.push(`refused messages: ${s.refusals.length} (newest: ${s.refusals.at(-1)})`);
  return lines.join('\n');
}

/** The result: every entry's outcome. */
export function formatRetagResult(id: string, r: RetagResult): string {
  const lines = header(id, r);
  if (r.state === 'dry-run' && r.plan !== undefined)
    lines.push('', renderRetagPlan(r.plan, 'text'), '', 'dry run: nothing written');
  lines.push(...outcomes(r));
  if (r.reason !== undefined) lines.push('', `reason: ${r.reason}`);
  if (r.error !== undefined) lines.push('', `failed: ${r.error.type}: ${r.error.message}`);
  return lines.join('\n');
}
