/** Plain-text rendering of the tag procedures (promote, rollback, clean-up, tags) for the terminal. Pure. */
import type { CleanupPlanInfo, TagResult, TagStatus } from '../../shared/messages.js';
import type { InspectResult } from '../../workflows/tags/inspectTags.js';
import { table } from '../kit/format.js';

const short = (d: string | undefined): string => (d === undefined ? '-' : d.slice(0, 19));

/** Where a request waits in its repository's queue, before its workflow exists. */
export interface QueuedView {
  workflowId: string;
  state: 'queued';
  queueId: string;
  /** 1 = next */
  position: number;
  /** the procedure the queue runs now */
  behind?: string | undefined;
  procedure: string;
  requestedAt: string;
}

export function formatQueued(q: QueuedView): string {
  return `${q.procedure} ${q.workflowId}: queued: position ${q.position} in ${q.queueId}, behind ${q.behind ?? 'nothing (starting)'}`;
}

function planLines(p: NonNullable<TagStatus['plan']>): string[] {
  const rows = [['TAG', 'OLD', '', 'NEW', 'CHANGE']];
  for (const t of p.tags)
    rows.push([
      t.tag,
      short(t.from),
      '→',
      short(t.to),
      `${t.change}${t.mode === 'create-only' ? ' (create-only)' : ''}`,
    ]);
  return [
    `plan: ${p.digest}${p.revision ? ` (revision ${p.revision.slice(0, 12)})` : ''}`,
    ...(p.stamp ? [`stamp: ${p.stamp}`] : []),
    ...(p.reason ? [`why: ${p.reason}`] : []),
    '',
    table(rows),
  ];
}

export function formatCleanupPlan(c: CleanupPlanInfo): string {
  const rows = [['ACTION', 'TAG', 'DIGEST', 'WHY']];
  for (const d of c.delete) rows.push(['delete', d.tag, short(d.digest), `${d.age} old (from ${d.ageFrom})`]);
  for (const k of c.keep)
    rows.push(['keep', k.tag, short(k.digest), `${k.why}${k.detail ? `: ${k.detail}` : ''}`]);
  for (const m of c.movedSincePlan ?? [])
    rows.push(['kept', m.tag, short(m.found), `moved since the plan: kept (planned ${short(m.planned)})`]);
  const moved = c.movedSincePlan?.length ? `, ${c.movedSincePlan.length} moved since the plan: kept` : '';
  const head = `clean-up: delete ${c.delete.length}, keep ${c.keep.length}, ${c.ignored} not matching${moved}`;
  return rows.length === 1 ? head : `${head}\n\n${table(rows)}`;
}

export function formatTagStatus(id: string, s: TagStatus): string {
  const lines = [`${s.procedure} ${s.image} (${id}): ${s.state}`];
  if (s.source) lines.push(`source: ${s.source.digest} (${s.source.platforms.join(', ')})`);
  if (s.evidence) {
    const when = s.evidence.signedAt ? `, signed ${s.evidence.signedAt} (${s.evidence.timeSource})` : '';
    lines.push(`signature: verified by ${s.evidence.verifiedBy} (${s.evidence.source}${when})`);
  }
  if (s.plan) lines.push(...planLines(s.plan));
  if (s.cleanup) lines.push('', formatCleanupPlan(s.cleanup));
  if (s.written.length)
    lines.push('', `written: ${s.written.map((w) => `${w.tag} ${w.outcome}`).join(', ')}`);
  if (s.deleted.length) lines.push(`deleted: ${s.deleted.join(', ')}`);
  if (s.approvedBy) lines.push(`approved by: ${s.approvedBy}`);
  if (s.rejectedBecause) lines.push(`rejected: ${s.rejectedBecause}`);
  if (s.audit) lines.push(`audit: ${s.audit.url ?? `workflow memo (${s.audit.tag ?? '-'})`}`);
  if (s.state === 'blocked' && s.step)
    lines.push('', `blocked on ${s.step.name}: ${s.error?.message ?? ''}`, `  then: bumpflow retry ${id}`);
  else if (s.error) lines.push('', `error ${s.error.type}: ${s.error.message}`);
  if (s.state === 'awaiting-approval')
    lines.push(
      '',
      `approve: bumpflow approve ${id}${s.plan ? ` --digest ${s.plan.digest}` : ''}`,
      `reject:  bumpflow reject ${id} --reason "…"`,
    );
  for (const n of s.notices) lines.push(`note: ${n}`);
  if (s.refusals.length) lines.push(`refused messages: ${s.refusals.length} (newest: ${s.refusals.at(-1)})`);
  return lines.join('\n');
}

export function formatTagResult(id: string, r: TagResult): string {
  const lines = [`${r.procedure} ${r.image} (${id}) ended: ${r.state}`];
  if (r.reason) lines.push(`reason: ${r.reason}`);
  if (r.evidence) lines.push(`signature: verified by ${r.evidence.verifiedBy}`);
  if (r.plan) lines.push(...planLines(r.plan));
  if (r.cleanup) lines.push('', formatCleanupPlan(r.cleanup));
  if (r.written.length)
    lines.push('', `written: ${r.written.map((w) => `${w.tag} ${w.outcome}`).join(', ')}`);
  if (r.deleted.length) lines.push(`deleted: ${r.deleted.join(', ')}`);
  if (r.audit) lines.push(`audit: ${r.audit.url ?? `workflow memo (${r.audit.tag ?? '-'})`}`);
  if (r.error) lines.push(`error ${r.error.type}: ${r.error.message}`);
  return lines.join('\n');
}

/** What `promote`, `rollback` and `cleanup` print once the request is queued. */
export function formatRequested(p: {
  procedure: string;
  workflowId: string;
  queueId: string;
  url: string;
}): string {
  return [
    `requested ${p.procedure} ${p.workflowId}`,
    `queue: ${p.queueId} (one tag mutation of the repository at a time)`,
    `watch and approve in the Temporal UI: ${p.url}`,
    `or here: bumpflow status ${p.workflowId}; bumpflow approve ${p.workflowId}${p.procedure === 'cleanup' ? '' : ' [--digest sha256:…]'}; bumpflow reject ${p.workflowId} --reason "…"`,
  ].join('\n');
}

export interface ListedTagProcedure {
  workflowId: string;
  procedure: string;
  image?: string | undefined;
  /** the State search attribute, or `queued` for a request still waiting in its queue */
  state?: string | undefined;
  /** Temporal's execution status, or QUEUED */
  status: string;
  started: string;
  url: string;
}

export function formatTagList(rows: readonly ListedTagProcedure[]): string {
  if (rows.length === 0) return 'no tag procedures match';
  const body = rows.map((r) => [
    r.workflowId,
    r.procedure,
    r.image ?? '-',
    r.status === 'RUNNING' || r.status === 'QUEUED'
      ? (r.state ?? '-')
      : `${r.state ?? '-'} (${r.status.toLowerCase()})`,
    r.started.replace('T', ' ').slice(0, 19),
    r.url,
  ]);
  return table([['ID', 'PROCEDURE', 'IMAGE', 'STATE', 'STARTED', 'UI'], ...body]);
}

export function formatInspection(r: InspectResult): string {
  if (r.tags.length === 0) return `${r.image}: no tags`;
  const rows = [['TAG', 'DIGEST', 'CREATED', 'STAMP', 'SIGNATURE']];
  for (const t of r.tags)
    rows.push([
      t.tag,
      short(t.digest),
      t.created ?? '-',
      t.stamp ? `${t.stamp.date} ${t.stamp.revision.slice(0, 12)}` : '-',
      t.signature,
    ]);
  return `${r.image}: ${r.tags.length} tags, ${new Set(r.tags.map((t) => t.digest)).size} digests\n\n${table(rows)}`;
}
