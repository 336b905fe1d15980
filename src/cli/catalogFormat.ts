/** Plain-text rendering of a catalog update for the terminal: the per-image table, old → new. Pure. */
import type { CatalogStatus } from '../shared/catalog.js';
import { table } from './format.js';

const short = (checksum: string | undefined): string =>
  checksum === undefined ? '-' : checksum.slice(0, checksum.indexOf(':') + 13);

export function formatCatalogStatus(id: string, s: CatalogStatus): string {
  const lines = [
    `catalog ${s.path} on ${s.branch} of ${s.repo} (${id}): ${s.state}${s.dryRun ? ' (dry run)' : ''}`,
  ];
  if (s.baseSha)
    lines.push(`read at ${s.baseSha.slice(0, 12)}${s.keep ? `; keeping the ${s.keep} newest entries` : ''}`);
  if (s.images.length > 0) {
    const rows = [['IMAGE', 'LINE', 'OLD', '', 'NEW', 'BUILD DATE']];
    for (const r of s.images) {
      const old = `${r.old.version} ${short(r.old.checksum)}`;
      if (r.change === 'update' && r.new)
        rows.push([
          r.image,
          String(r.line),
          old,
          '→',
          `${r.new.version} ${short(r.new.checksum)}`,
          r.new.buildDate,
        ]);
      else
        rows.push([
          r.image,
          String(r.line),
          old,
          '',
          r.change === 'checking' ? 'checking…' : 'unchanged',
          '',
        ]);
    }
    lines.push('', table(rows));
  }
  if (s.skipped.length > 0)
    lines.push('', `left alone: ${s.skipped.map((k) => `${k.image} (${k.why})`).join(', ')}`);
  if (s.workBranch) lines.push(`work branch: ${s.workBranch}`);
  if (s.prUrl) lines.push(`pull request: ${s.prUrl}`);
  if (s.approvedBy) lines.push(`approved by: ${s.approvedBy}`);
  if (s.rejectedBecause) lines.push(`not approved: ${s.rejectedBecause}`);
  if (s.step) lines.push(`step: ${s.step.name} (retries ${s.step.retries})`);
  if (s.error) lines.push(`error: ${s.error.type}: ${s.error.message}`);
  for (const n of s.notices) lines.push(`note: ${n}`);
  for (const r of s.refusals) lines.push(`refused: ${r}`);
  return lines.join('\n');
}

/** What to type next, for an update awaiting approval. */
export function approvalHint(id: string): string {
  return `approve: bumpflow approve ${id}\nreject:  bumpflow reject ${id} --reason "…"`;
}
