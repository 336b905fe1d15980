/**
 * What an operator reads of a catalog update: the UI's current details (the
 * per-image table, old → new), and the commit message and pull request text.
 * Deterministic, no I/O.
 */
import type { CatalogImageRow, CatalogStatus } from '../../shared/catalog.js';

const short = (checksum: string) => checksum.slice(0, checksum.indexOf(':') + 13);

/** `etc/images/ubuntu.yml: ` before an image of a run of several files; nothing in a one-file run. */
const fileOf = (r: { file?: string | undefined }) => (r.file === undefined ? '' : `${r.file}: `);
/** A first column of files, in a run of several. */
const cells = (s: Pick<CatalogStatus, 'files'>, file: string | undefined, rest: string) =>
  s.files === undefined ? `| ${rest}` : `| ${file ?? ''} | ${rest}`;

export function updatedRows(s: Pick<CatalogStatus, 'images'>): CatalogImageRow[] {
  return s.images.filter((r) => r.change === 'update');
}

/** One line of the table: `Ubuntu 24.04 (line 250): 20260108 sha256:00786c0936a7 → 20260115 sha256:…`. */
export function rowLine(r: CatalogImageRow): string {
  const old = `${r.old.version} ${short(r.old.checksum)}`;
  if (r.new === undefined || r.change === 'checking')
    return `${fileOf(r)}${r.image} (line ${r.line}): ${old} → checking…`;
  if (r.change === 'unchanged') return `${fileOf(r)}${r.image} (line ${r.line}): ${old}, unchanged`;
  return `${fileOf(r)}${r.image} (line ${r.line}): ${old} → ${r.new.version} ${short(r.new.checksum)}`;
}

export function catalogDetails(s: CatalogStatus): string {
  const lines = [
    `**${s.procedure}** \`${s.path}\` on \`${s.branch}\` of ${s.repo}: **${s.state}**${s.dryRun ? ' (dry run)' : ''}`,
    '',
    cells(s, 'file', 'image | line | old version | old checksum | new version | new checksum | build date |'),
    cells(s, '---', '--- | --- | --- | --- | --- | --- | --- |'),
    ...s.images.map((r) => {
      const n = r.change === 'update' ? r.new : undefined;
      const state = r.change === 'unchanged' ? 'unchanged' : r.change === 'checking' ? 'checking…' : '';
      return (
        cells(s, r.file, '') +
        `${r.image} | ${r.line} | ${r.old.version} | \`${short(r.old.checksum)}\` | ${n?.version ?? state} | ${n ? `\`${short(n.checksum)}\`` : ''} | ${n?.buildDate ?? ''} |`
      );
    }),
  ];
  if (s.skipped.length > 0)
    lines.push('', `Left alone: ${s.skipped.map((k) => `${fileOf(k)}${k.image} (${k.why})`).join(', ')}`);
  if (s.workBranch) lines.push('', `Work branch: \`${s.workBranch}\``);
  if (s.prUrl) lines.push(`Pull request: ${s.prUrl}`);
  if (s.approvedBy) lines.push(`Approved by: ${s.approvedBy}`);
  if (s.rejectedBecause) lines.push(`Rejected: ${s.rejectedBecause}`);
  if (s.step) lines.push('', `Step: ${s.step.name} (retries: ${s.step.retries})`);
  if (s.error) lines.push('', `Error: ${s.error.type}: ${s.error.message}`);
  if (s.notices.length > 0) lines.push('', ...s.notices.map((n) => `- ${n}`));
  if (s.refusals.length > 0) lines.push('', 'Refused:', ...s.refusals.map((r) => `- ${r}`));
  return lines.join('\n');
}

export function pullRequestTitle(s: CatalogStatus): string {
  const rows = updatedRows(s);
  if (rows.length === 1)
    return `Update ${rows[0]!.image} to ${rows[0]!.new!.version} in ${rows[0]!.file ?? s.path}`;
  const files = [...new Set(rows.map((r) => r.file ?? s.path))];
  return `Update ${rows.length} images in ${files.length === 1 ? files[0] : `${files.length} catalogs`}`;
}

function entryLines(r: CatalogImageRow): string[] {
  const n = r.new!;
  return [
    `- ${fileOf(r)}${r.image}: ${r.old.version} → ${n.version} (built ${n.buildDate})`,
    `  ${n.checksum}`,
    `  ${n.url}`,
    ...(n.mirrorUrl ? [`  mirror: ${n.mirrorUrl}`] : []),
  ];
}

export function commitMessage(s: CatalogStatus): string {
  return [
    pullRequestTitle(s),
    '',
    `The newest dated builds on the distributions' mirrors, checksums from their checksum files:`,
    '',
    ...updatedRows(s).flatMap(entryLines),
    '',
  ].join('\n');
}

/** The objects streamed to the mirror, for the PR: key, size and checksum of each. */
function mirroredLines(s: CatalogStatus): string[] {
  if (s.mirrored === undefined || s.mirrored.length === 0) return [];
  return [
    'Mirrored (streamed from each url, the checksum verified while streaming):',
    '',
    '| image | object | size (bytes) | checksum | |',
    '| --- | --- | ---: | --- | --- |',
    ...s.mirrored.map(
      (m) =>
        `| ${fileOf(m)}${m.image} | \`${m.key}\` | ${m.size} | \`${m.checksum}\` | ${m.uploaded ? 'uploaded' : 'already there'} |`,
    ),
    '',
  ];
}

export function pullRequestBody(s: CatalogStatus, workflowId: string): string {
  const rows = updatedRows(s);
  return [
    `New versions for ${rows.length} image(s) of \`${s.path}\`${s.files === undefined ? '' : ` (${s.files.length} catalogs read)`}, read from the distributions' mirrors` +
      (s.keep === undefined
        ? ' (the version entry replaced in place, as update.py does).'
        : ` (the ${s.keep} newest entries kept).`),
    '',
    cells(s, 'file', 'image | old | new | build date | checksum |'),
    cells(s, '---', '--- | --- | --- | --- | --- |'),
    ...rows.map(
      (r) =>
        cells(s, r.file, '') +
        `${r.image} | ${r.old.version} | ${r.new!.version} | ${r.new!.buildDate} | \`${r.new!.checksum}\` |`,
    ),
    '',
    ...mirroredLines(s),
    ...(s.skipped.length > 0
      ? [`Left alone: ${s.skipped.map((k) => `${fileOf(k)}${k.image} (${k.why})`).join(', ')}.`, '']
      : []),
    `Checked against \`${s.baseSha ?? '?'}\`; approved by ${s.approvedBy ?? 'unknown'} in Temporal workflow \`${workflowId}\`.`,
    '',
  ].join('\n');
}
