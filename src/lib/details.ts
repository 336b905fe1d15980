/**
 * Markdown an operator reads in the Temporal UI (current details) and in PR
 * bodies' summary: which branch, which digests, which source SHAs, what will
 * change. Pure.
 */
import type { BranchStatus, BumpStatus } from '../shared/messages.js';

function short(value: string | undefined, length = 19): string {
  if (value === undefined) return '—';
  return value.startsWith('sha256:') ? value.slice(0, 7 + length - 7) : value.slice(0, 12);
}

export function branchDetails(s: BranchStatus, sourceRepo?: string): string {
  const commit = (sha: string | undefined) =>
    sha === undefined ? '—' : sourceRepo ? `[${sha.slice(0, 12)}](${sourceRepo.replace(/\.git$/, '')}/commit/${sha})` : sha.slice(0, 12);
  const lines = [
    `### ${s.branch}: **${s.state}**`,
    '',
    `| | old | new |`,
    `|---|---|---|`,
    `| digest | \`${s.oldDigest ?? '—'}\` | \`${s.newDigest ?? '—'}\` |`,
    `| source | ${commit(s.oldRevision)} | ${commit(s.newRevision)} |`,
    '',
    `image \`${s.image ?? '—'}:${s.tag}\`, source branch \`${s.sourceBranch ?? '—'}\``,
  ];
  if (s.plan) {
    lines.push('', `**PR:** ${s.plan.title}`, `**branch:** \`${s.plan.workBranch}\``, '', '**changes:**', ...s.plan.changes.map((c) => `- \`${c}\``));
  }
  if (s.validation.length > 0) lines.push('', '**validated:**', ...s.validation.map((v) => `- ${v}`));
  if (s.state === 'awaiting-approval') {
    lines.push('', `To approve, send the signal \`approve\` with \`{"digest": "${s.newDigest ?? ''}"}\`; to refuse, \`reject\` with \`{"reason": "…"}\`.`);
  }
  if (s.lastError) lines.push('', `**last error** (${s.lastError.type}): ${s.lastError.message}`);
  if (s.state === 'blocked') lines.push('', 'Send the signal `retry` with `{}` to try again, or `reject` to give up.');
  if (s.prUrl) lines.push('', `**pull request:** ${s.prUrl}`);
  for (const n of s.notices) lines.push(`- notice: ${n}`);
  for (const r of s.refusals) lines.push(`- refused: ${r}`);
  return lines.join('\n');
}

export function bumpDetails(s: BumpStatus): string {
  const lines = [
    `## bump ${s.service} in ${s.targetRepo}: **${s.state}**`,
    '',
    `image \`${s.image ?? '—'}\`, source ${s.sourceRepo ?? '—'}`,
    s.note ? `release note \`${s.note.file}\` (${s.note.section})` : '',
    '',
    '| branch | state | old digest | new digest | PR |',
    '|---|---|---|---|---|',
    ...s.branches.map(
      (b) => `| ${b.branch} | ${b.state} | \`${short(b.oldDigest)}\` | \`${short(b.newDigest)}\` | ${b.prUrl ?? (b.lastError ? `${b.lastError.type}` : '')} |`,
    ),
  ];
  if (s.error) lines.push('', `**error** (${s.error.type}): ${s.error.message}`);
  return lines.join('\n');
}
