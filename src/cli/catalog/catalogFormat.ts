/** Plain-text rendering of a catalog update for the terminal: the per-image table, old → new. Pure. */
import type { CatalogImageRow, CatalogStatus } from '../../shared/catalog.js';
import type { ProcedureStatusFields, PullRequestFields } from '../../shared/procedure.js';
import { table } from '../kit/format.js';

const short = (checksum: string | undefined): string =>
  checksum === undefined ? '-' : checksum.slice(0, checksum.indexOf(':') + 13);

/** One row of the table: the image, its line, old → new (or why nothing changes). */
function imageCells(r: CatalogImageRow): string[] {
  const old = `${r.old.version} ${short(r.old.checksum)}`;
  if (r.change === 'update' && r.new)
    return [r.image, String(r.line), old, '→', `${r.new.version} ${short(r.new.checksum)}`, r.new.buildDate];
  return [r.image, String(r.line), old, '', r.change === 'checking' ? 'checking…' : 'unchanged', ''];
}

/**
 * The status as text. In a run of several catalogs (rows with `file`) the table gains a FILE
 * column first, its rows in the order given (grouped by file), and each image left alone is
 * named `file: image`; a one-file run's text is as it always was.
 */
export function formatCatalogStatus(id: string, s: CatalogStatus): string {
  const lines = [
    `catalog ${s.path} on ${s.branch} of ${s.repo} (${id}): ${s.state}${s.dryRun ? ' (dry run)' : ''}`,
  ];
  if (s.baseSha)
    lines.push(`read at ${s.baseSha.slice(0, 12)}${s.keep ? `; keeping the ${s.keep} newest entries` : ''}`);
  // a folder's run names the catalogs it found (a run of files named has them in its first line)
  if (s.files !== undefined && s.files.length > 0 && s.files.join(', ') !== s.path)
    lines.push(`catalogs: ${s.files.join(', ')}`);
  if (s.images.length > 0) {
    const byFile = s.images.some((r) => r.file !== undefined);
    const rows = [[...(byFile ? ['FILE'] : []), 'IMAGE', 'LINE', 'OLD', '', 'NEW', 'BUILD DATE']];
    for (const r of s.images) rows.push([...(byFile ? [r.file ?? '-'] : []), ...imageCells(r)]);
    lines.push('', table(rows));
  }
  if (s.skipped.length > 0)
    lines.push(
      '',
      `left alone: ${s.skipped.map((k) => `${k.file === undefined ? '' : `${k.file}: `}${k.image} (${k.why})`).join(', ')}`,
    );
  lines.push(...prProcedureTail(s));
  return lines.join('\n');
}

/** The end of a PR-proposing procedure's status as text (catalog update, pin run): its PR, decision, step, error, notes. */
export function prProcedureTail(s: ProcedureStatusFields & PullRequestFields): string[] {
  const lines: string[] = [];
  if (s.workBranch) lines.push(`work branch: ${s.workBranch}`);
  if (s.prUrl) lines.push(`pull request: ${s.prUrl}`);
  if (s.approvedBy) lines.push(`approved by: ${s.approvedBy}`);
  if (s.rejectedBecause) lines.push(`not approved: ${s.rejectedBecause}`);
  if (s.step) lines.push(`step: ${s.step.name} (retries ${s.step.retries})`);
  if (s.error) lines.push(`error: ${s.error.type}: ${s.error.message}`);
  for (const n of s.notices) lines.push(`note: ${n}`);
  for (const r of s.refusals) lines.push(`refused: ${r}`);
  return lines;
}

/** What to type next, for an update awaiting approval. */
export function approvalHint(id: string): string {
  return `approve: bumpflow approve ${id}\nreject:  bumpflow reject ${id} --reason "…"`;
}
