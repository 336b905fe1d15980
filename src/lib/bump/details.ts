/**
 * Markdown an operator reads in the Temporal UI (current details) and in PR
 * bodies' summary: which branch, which digests, which source SHAs, what will
 * change. Pure.
 */
import type { BranchStatus, BumpStatus, StepInfo } from '../../shared/bump.js';
import { publicRepoUrl } from '../kit/repoUrl.js';

function short(value: string | undefined, length = 19): string {
  if (value === undefined) return '—';
  return value.startsWith('sha256:') ? value.slice(0, 7 + length - 7) : value.slice(0, 12);
}

/**
 * A child's current details: narrow enough for the UI's details panel (lists, short digests),
 * so the operator sees branch, old and new digest, source SHAs and what will change at a glance.
 */
export function branchDetails(s: BranchStatus, sourceRepo?: string, varsFile?: string): string {
  const repo = sourceRepo === undefined ? undefined : publicRepoUrl(sourceRepo);
  const commit = (sha: string | undefined) =>
    sha === undefined
      ? '—'
      : repo
        ? `[\`${sha.slice(0, 12)}\`](${repo}/commit/${sha})`
        : `\`${sha.slice(0, 12)}\``;
  const digest = (d: string | undefined) => (d === undefined ? '—' : `\`${short(d, 23)}\``);
  const lines = [
    `### ${s.branch} — ${s.state.replace(/-/g, ' ')}`,
    '',
    `- **old** ${digest(s.oldDigest)} · source ${commit(s.oldRevision)}`,
    `- **new** ${digest(s.newDigest)} · source ${commit(s.newRevision)}${s.sourceBranch ? ` (\`${s.sourceBranch}\`)` : ''}`,
  ];
  if (s.plan) {
    const keys = s.keys ?? s.plan.changes.map((c) => c.split(':')[0]);
    lines.push(
      '',
      `**Will change** ${keys.length} pin${keys.length === 1 ? '' : 's'} of \`${s.image ?? '—'}:${s.tag}\`${varsFile ? ` in \`${varsFile}\`` : ''}, digest only:`,
      '',
      ...keys.map((k) => `- \`${k}\``),
      '',
      `**PR** ${s.plan.title}`,
      '',
      `from branch \`${s.plan.workBranch}\` into \`${s.branch}\``,
    );
  }
  if (s.validation.length > 0) lines.push('', '**Validated**', '', ...s.validation.map((v) => `- ${v}`));
  if (s.state === 'awaiting-approval') {
    lines.push(
      '',
      '**To approve**: More Actions → Send a Signal, name `approve`, input `{}`; to bind the approval to this digest:',
      '',
      '```',
      `{"digest": "${s.newDigest ?? ''}"}`,
      '```',
      '',
      'To refuse: signal `reject` with `{"reason": "…"}`.',
    );
  }
  lines.push(...stepLines(s.state, s.step));
  if (s.lastError) lines.push('', `**Last error** (${s.lastError.type}): ${s.lastError.message}`);
  if (s.state === 'blocked')
    lines.push(
      '',
      'Send the signal `retry` with `{}` to try again, or `reject` with `{"reason": "…"}` to give up.',
    );
  if (s.prUrl) lines.push('', `**Pull request** ${s.prUrl}`);
  if (s.notices.length > 0) lines.push('', ...s.notices.map((n) => `- notice: ${n}`));
  if (s.refusals.length > 0) lines.push('', ...s.refusals.map((r) => `- refused: ${r}`));
  return lines.join('\n');
}

export function bumpDetails(s: BumpStatus): string {
  const lines = [
    `### bump ${s.service} — ${s.state.replace(/-/g, ' ')}`,
    '',
    `- target \`${s.targetRepo}\``,
    `- image \`${s.image ?? '—'}\`, source ${s.sourceRepo ?? '—'}`,
  ];
  if (s.note) lines.push(`- release note \`${s.note.file}\` (${s.note.section})`);
  if (s.branches.length > 0) {
    lines.push(
      '',
      '**Branches** (as last reported to this bump; each branch workflow shows its live state)',
      '',
    );
    for (const b of s.branches) {
      const outcome = b.prUrl ?? (b.lastError ? `${b.lastError.type}` : '');
      lines.push(
        `- \`${b.branch}\` ${b.state.replace(/-/g, ' ')}: \`${short(b.oldDigest)}\` → \`${short(b.newDigest)}\`${outcome ? ` ${outcome}` : ''}`,
      );
    }
  }
  if (s.branches.some((b) => b.state === 'awaiting-approval')) {
    lines.push(
      '',
      '**To approve every waiting branch**: More Actions → Send a Signal, name `approve`, input `{}` (or `{"branch": "stable/2025.1"}` for one).',
    );
  }
  lines.push(...stepLines(s.state, s.step));
  if (s.error)
    lines.push(
      '',
      `**${s.state === 'failed' ? 'Error' : 'Last error'}** (${s.error.type}): ${s.error.message}`,
    );
  if (s.state === 'blocked')
    lines.push(
      '',
      'Send the signal `retry` with `{}` to try again, or `reject` with `{"reason": "…"}` to give up.',
    );
  if (s.refusals.length > 0) lines.push('', ...s.refusals.map((r) => `- refused: ${r}`));
  return lines.join('\n');
}

/** What a blocked or retrying workflow is on. */
function stepLines(state: string, step: StepInfo | undefined): string[] {
  if (step === undefined) return [];
  if (state === 'blocked')
    return [
      '',
      `**Blocked on** ${step.name}${step.retries > 0 ? ` (after ${step.retries} retr${step.retries === 1 ? 'y' : 'ies'})` : ''}`,
    ];
  if (state === 'retrying') return ['', `**Retrying** ${step.name} (retry ${step.retries})`];
  return [];
}
