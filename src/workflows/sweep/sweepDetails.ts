/** The sweep's UI details: where it is, the table of what is behind, the bumps it started or skipped. Pure. */
import type { SweepStatus } from './sweepInput.js';

export function sweepDetails(s: SweepStatus): string {
  const head = [
    `**Sweep of ${s.targetRepo}** — ${s.state}${s.report ? ' (report only)' : ''}`,
    s.branches.length > 0 ? `Branches: ${s.branches.join(', ')}` : '',
    s.pairCount > 0 ? `${s.pinCount} pins, ${s.pairCount} distinct image:tag pairs` : '',
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
  return out.join('\n\n');
}
