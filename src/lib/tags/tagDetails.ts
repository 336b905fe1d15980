/**
 * What an operator reads of a tag procedure (the Temporal UI's current
 * details, the audit release's body) and of a repository's queue. Pure.
 */
import type { ParsedQueueRequest, QueueStatus, SignatureEvidenceInfo, TagStatus } from '../../shared/tags.js';
import { publicRepoUrl } from '../kit/repoUrl.js';
import { detailsTail } from '../kit/detailsTail.js';

const short = (d: string | undefined) => (d === undefined ? '—' : `\`${d.slice(0, 19)}\``);

/** `https://github.com/o/r/commit/<sha>` for an image's source and revision labels, when both are there. */
export function commitUrl(source: string | undefined, revision: string | undefined): string | undefined {
  if (source === undefined || revision === undefined || !/^[0-9a-f]{7,40}$/.test(revision)) return undefined;
  try {
    return `${publicRepoUrl(source)}/commit/${revision}`;
  } catch {
    return undefined;
  }
}

function planLines(s: TagStatus): string[] {
  const p = s.plan;
  if (p === undefined) return [];
  const rev = p.revision
    ? p.commitUrl
      ? `[\`${p.revision.slice(0, 12)}\`](${p.commitUrl})`
      : `\`${p.revision.slice(0, 12)}\``
    : '—';
  const lines = [
    '',
    `**Plan** → ${short(p.digest)} · revision ${rev}${p.stamp ? ` · stamp \`${p.stamp}\`` : ''}`,
    '',
  ];
  for (const t of p.tags)
    lines.push(
      `- \`${t.tag}\`: ${short(t.from)} → ${short(t.to)} (${t.change}${t.mode === 'create-only' ? ', create-only' : ''})`,
    );
  if (p.reason) lines.push('', `Why: ${p.reason}`);
  return lines;
}

function cleanupLines(s: TagStatus): string[] {
  const c = s.cleanup;
  if (c === undefined) return [];
  return [
    '',
    `**Clean-up**: delete ${c.delete.length}, keep ${c.keep.length}, ${c.ignored} not matching${c.movedSincePlan?.length ? `; ${c.movedSincePlan.length} moved since the plan: kept` : ''}`,
    '',
    ...c.delete.slice(0, 30).map((d) => `- delete \`${d.tag}\` (${d.age} old, from ${d.ageFrom})`),
    ...c.keep.slice(0, 30).map((k) => `- keep \`${k.tag}\`: ${k.why}${k.detail ? ` — ${k.detail}` : ''}`),
    ...(c.movedSincePlan ?? []).map(
      (m) => `- kept \`${m.tag}\`: moved since the plan (planned ${short(m.planned)}, now ${short(m.found)})`,
    ),
  ];
}

export function tagDetails(s: TagStatus): string {
  const lines = [`### ${s.procedure} ${s.image} — ${s.state.replace(/-/g, ' ')}`];
  if (s.source) lines.push('', `- **source** ${short(s.source.digest)} · ${s.source.platforms.join(', ')}`);
  if (s.evidence) lines.push(`- **signature** ${s.evidence.verifiedBy} (${s.evidence.source})`);
  lines.push(...planLines(s), ...cleanupLines(s));
  if (s.written.length)
    lines.push('', `**Written**: ${s.written.map((w) => `\`${w.tag}\` ${w.outcome}`).join(', ')}`);
  if (s.deleted.length) lines.push('', `**Deleted**: ${s.deleted.map((t) => `\`${t}\``).join(', ')}`);
  if (s.audit) lines.push('', `**Audit**: ${s.audit.url ?? `workflow memo (${s.audit.tag ?? ''})`}`);
  if (s.state === 'awaiting-approval')
    lines.push(
      '',
      'Approve: send the `approve` signal with `{}` (or `{"digest": "…"}`); reject: `reject` with `{"reason": "…"}`.',
    );
  lines.push(...detailsTail(s));
  return lines.join('\n');
}

/** The audit release's body: what moved where, the signature, who approved. */
export function promotionAuditBody(s: TagStatus): string {
  return [
    `${s.procedure} of \`${s.image}\` by bumpflow`,
    ...planLines(s),
    '',
    `Signature: ${s.evidence?.verifiedBy ?? 'not verified'} (${s.evidence?.signatureManifest ?? '—'})${signedWhen(s.evidence)}`,
    `Approved by: ${s.approvedBy ?? '—'}`,
  ].join('\n');
}

export function queueDetails(q: QueueStatus): string {
  const lines = [`### queue of ${q.image} — ${q.running ? 'busy' : 'idle'}`, ''];
  lines.push(
    q.running
      ? `- **running** ${q.running.procedure} \`${q.running.workflowId}\` since ${q.running.since}`
      : '- nothing running',
  );
  q.waiting.forEach((w, i) =>
    lines.push(
      `- **${i + 1}. waiting** ${w.procedure} \`${w.workflowId}\`${w.requestedBy ? ` (by ${w.requestedBy})` : ''}`,
    ),
  );
  if (q.recent.length)
    lines.push(
      '',
      '**Recent**',
      '',
      ...q.recent.map((r) => `- ${r.procedure} \`${r.workflowId}\`: ${r.state}`),
    );
  if (q.refusals.length)
    lines.push('', `Refused requests: ${q.refusals.length} (newest: ${q.refusals.at(-1)})`);
  return lines.join('\n');
}

/** The one line the UI shows for a queued procedure (its static summary). */
export function requestSummary(r: ParsedQueueRequest): string {
  const image = `${r.input.image.registry}/${r.input.image.repository}`;
  if (r.procedure === 'promote') return `promote ${image}:${r.input.from} → ${r.input.to.join(', ')}`;
  if (r.procedure === 'rollback')
    return `roll back ${image}:${[r.input.tag, ...r.input.aliases].join(', ')} to ${r.input.to ?? 'the previous stamp'}`;
  if (r.procedure === 'retag') return `retag ${image}:${r.input.srcBuildTag} → ${r.input.tag}`;
  return `clean up ${image}: ${r.input.patterns.join(', ')} older than ${r.input.olderThan}${r.input.dryRun ? ' (dry run)' : ''}`;
}

/** `, signed <time> (transparency-log)` when the evidence has a verified signing time. */
function signedWhen(e: SignatureEvidenceInfo | undefined): string {
  if (e?.signedAt === undefined) return '';
  return `, signed ${e.signedAt} (${e.timeSource ?? 'verified time'})`;
}
