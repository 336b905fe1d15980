/**
 * What an operator reads of a pin run: the UI's current details (one row per
 * image:tag pinned by tag only: its keys, the digest to write, what was
 * checked, or why it is left alone), the work branch, and the commit message
 * and pull request text. Deterministic, no I/O.
 */
import { branchTag } from '../../lib/kit/branches.js';
import { detailsTail } from '../../lib/kit/detailsTail.js';
import type { PinRow, PinStatus } from '../../shared/pin.js';

/** `pin-digests-2025.1`: one work branch (and PR) per target branch, as a bump has one per service and branch. */
export function pinWorkBranch(branch: string): string {
  return `pin-digests-${branchTag(branch)}`;
}

export const pinnedRows = (s: Pick<PinStatus, 'rows'>): PinRow[] =>
  s.rows.filter((r) => r.state === 'verified');
const refusedRows = (s: Pick<PinStatus, 'rows'>): PinRow[] => s.rows.filter((r) => r.state === 'refused');

const keysOf = (r: PinRow) => r.keys.map((k, i) => `${k} (line ${r.lines[i] ?? '?'})`).join(', ');

export function pinDetails(s: PinStatus): string {
  const lines = [
    `**pin** \`${s.varsFile}\` on \`${s.branch}\` of ${s.repo}: **${s.state}**`,
    ...(s.scope === undefined ? [] : [`Scope: ${s.scope}`]),
    '',
    '| image | keys | digest | checked |',
    '|---|---|---|---|',
    ...s.rows.map(
      (r) =>
        `| ${r.id} | ${keysOf(r)} | ${r.digest === undefined ? (r.state === 'refused' ? 'left alone' : 'resolving…') : `\`${r.digest}\``} | ${r.refusal ? `refused: ${r.refusal.type}: ${r.refusal.message}` : r.checks.join('; ')} |`,
    ),
  ];
  if (s.workBranch) lines.push('', `Work branch: \`${s.workBranch}\``);
  if (s.prUrl) lines.push(`Pull request: ${s.prUrl}`);
  if (s.approvedBy) lines.push(`Approved by: ${s.approvedBy}`);
  if (s.rejectedBecause) lines.push(`Not approved: ${s.rejectedBecause}`);
  lines.push(...detailsTail(s));
  return lines.join('\n');
}

export function pullRequestTitle(s: PinStatus): string {
  const rows = pinnedRows(s);
  const what = rows.length === 1 ? rows[0]!.id : `${rows.length} images`;
  return `chore: pin ${what} by digest on ${s.branch}`;
}

function entryLines(r: PinRow): string[] {
  return [`- ${r.id}@${r.digest!}`, `  ${r.keys.join(', ')}`, ...r.checks.map((c) => `  ${c}`)];
}

export function commitMessage(s: PinStatus): string {
  return [
    pullRequestTitle(s),
    '',
    `Each tag's digest now, read from its registry and verified (the manifest's bytes hash to it), written after the tag where the reference stands:`,
    '',
    ...pinnedRows(s).flatMap(entryLines),
    '',
  ].join('\n');
}

export function pullRequestBody(s: PinStatus, workflowId: string): string {
  const refused = refusedRows(s);
  return [
    `References of \`${s.varsFile}\` on \`${s.branch}\` pinned by tag only, pinned by digest: each tag's digest now, verified as a bump verifies a new digest. Nothing else in the file changes.`,
    '',
    '| image | keys | digest | checked |',
    '| --- | --- | --- | --- |',
    ...pinnedRows(s).map(
      (r) => `| ${r.id} | ${r.keys.join(', ')} | \`${r.digest!}\` | ${r.checks.join('; ')} |`,
    ),
    '',
    ...(refused.length > 0
      ? [
          `Left alone: ${refused.map((r) => `${r.id} (${r.refusal?.type ?? 'refused'}: ${r.refusal?.message ?? ''})`).join('; ')}.`,
          '',
        ]
      : []),
    `Read at \`${s.baseSha ?? '?'}\`${s.scope === undefined ? '' : ` (scope: ${s.scope})`}; approved by ${s.approvedBy ?? 'unknown'} in Temporal workflow \`${workflowId}\`.`,
    '',
  ].join('\n');
}
