/** The sweep's UI details: where it is, its scope, the table of what is behind (and unpinned), the bumps and pin runs it started or skipped. Pure. */
import type { SweepStatus } from './sweepInput.js';

export function sweepDetails(s: SweepStatus): string {
  const head = [
    `**Sweep of ${s.targetRepo}** — ${s.state}${s.report ? ' (report only)' : ''}`,
    s.scope === undefined ? '' : `Scope: ${s.scope}`,
    s.branches.length > 0 ? `Branches: ${s.branches.join(', ')}` : '',
    s.pairCount > 0 ? `${s.pinCount} pins, ${s.pairCount} distinct image:tag pairs` : '',
    s.unpinned?.length
      ? `${s.unpinned.length} references pinned by tag only (not counted among the pins)`
      : '',
  ].filter(Boolean);
  const out = [head.join('\n\n')];
  if (s.markdown !== '') out.push(s.markdown);
  if (s.bumps.length > 0)
    out.push(
      [
        '**Bumps**',
        '',
        '| service | branches | bump | workflow |',
        '|---|---|---|---|',
        ...s.bumps.map(
          (b) =>
            `| ${b.service} | ${b.branches.join(', ')} | ${b.outcome}${b.reason ? `: ${b.reason}` : ''} | ${b.workflowId} |`,
        ),
      ].join('\n'),
    );
  if (s.pins?.length)
    out.push(
      [
        '**Pin runs**',
        '',
        '| branch | images | pin run | workflow |',
        '|---|---|---|---|',
        ...s.pins.map(
          (p) =>
            `| ${p.branch} | ${p.images.join(', ')} | ${p.outcome}${p.reason ? `: ${p.reason}` : ''} | ${p.workflowId} |`,
        ),
      ].join('\n'),
    );
  return out.join('\n\n');
}
