/**
 * What an operator reads of a retag in the Temporal UI (current details): the
 * manifest and its commit, the state, the plan table, the entries done, and how
 * to approve. Pure: no Temporal, no I/O.
 */
import { renderRetagPlan } from '../../lib/retag/retagPlan.js';
import { detailsTail } from '../../lib/kit/detailsTail.js';
import type { RetagStatus } from '../../shared/retag.js';

export function retagDetails(s: RetagStatus): string {
  const at = s.commit === undefined ? s.ref : `\`${s.commit.slice(0, 12)}\` (${s.ref})`;
  const lines = [`### retag ${s.path} at ${at} — ${s.state.replace(/-/g, ' ')}`, '', `from ${s.repoUrl}`];
  if (s.plan !== undefined) lines.push('', renderRetagPlan(s.plan, 'markdown'));
  if (s.entries.length > 0) {
    const written = s.entries.filter((e) => e.outcome === 'copied' || e.outcome === 'repushed');
    lines.push(
      '',
      `**Done**: ${s.entries.length} of ${s.plan?.steps.length ?? s.entries.length} entries, ${written.length} written`,
    );
    for (const e of s.entries.filter((x) => x.error !== undefined).slice(0, 20))
      lines.push(`- \`${e.image}:${e.tag}\` ${e.outcome}: ${e.error?.type} — ${e.error?.message}`);
  }
  if (s.pending.length > 0)
    lines.push('', `Waiting for ${s.pending.length} write(s) in the repositories' queues`);
  if (s.state === 'awaiting-approval')
    lines.push('', 'Approve: send the `approve` signal with `{}`; reject: `reject` with `{"reason": "…"}`.');
  lines.push(...detailsTail(s));
  return lines.join('\n');
}
