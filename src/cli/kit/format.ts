/** Plain-text rendering for the terminal. Pure. */
import type { BumpResult, BumpStatus } from '../../shared/messages.js';

function shortDigest(d: string | undefined): string {
  return d === undefined ? '-' : d.replace(/^sha256:/, '').slice(0, 12);
}

export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function formatStatus(id: string, s: BumpStatus): string {
  const head = [
    `bump ${s.service} in ${s.targetRepo} (${id}): ${s.state}`,
    `image ${s.image ?? '-'}   source ${s.sourceRepo ?? '-'}`,
    s.note ? `release note ${s.note.file}` : '',
  ].filter(Boolean);
  const rows = [['BRANCH', 'STATE', 'OLD', 'NEW', 'PR / ERROR']];
  for (const b of s.branches) {
    rows.push([
      b.branch,
      b.state,
      shortDigest(b.oldDigest),
      shortDigest(b.newDigest),
      b.prUrl ?? (b.lastError ? `${b.lastError.type}: ${b.lastError.message}` : ''),
    ]);
  }
  const lines = [...head, '', table(rows)];
  if (s.error) lines.push('', `error ${s.error.type}: ${s.error.message}`);
  return lines.join('\n');
}

export function formatResult(r: BumpResult): string {
  const rows = [['BRANCH', 'OUTCOME', 'DETAIL']];
  for (const b of r.branches) {
    rows.push([
      b.branch,
      b.outcome,
      b.prUrl ?? (b.error ? `${b.error.type}: ${b.error.message}` : (b.reason ?? '')),
    ]);
  }
  return [
    `bump ${r.service} (${r.image}) in ${r.targetRepo}; release note ${r.noteFile}`,
    '',
    table(rows),
  ].join('\n');
}

export interface ListedBump {
  workflowId: string;
  service?: string | undefined;
  branch?: string | undefined;
  state?: string | undefined;
  /** Temporal's execution status: RUNNING, COMPLETED, FAILED, … */
  status: string;
  started: string;
  url: string;
}

export function formatList(rows: readonly ListedBump[]): string {
  if (rows.length === 0) return 'no bumps match';
  const withBranch = rows.some((r) => r.branch !== undefined);
  const head = ['ID', 'SERVICE', ...(withBranch ? ['BRANCH'] : []), 'STATE', 'STARTED', 'UI'];
  const body = rows.map((r) => [
    r.workflowId,
    r.service ?? '-',
    ...(withBranch ? [r.branch ?? '-'] : []),
    r.status === 'RUNNING' ? (r.state ?? '-') : `${r.state ?? '-'} (${r.status.toLowerCase()})`,
    r.started.replace('T', ' ').slice(0, 19),
    r.url,
  ]);
  return table([head, ...body]);
}
