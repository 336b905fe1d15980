/** The sweep case's Markdown table (bench/sweep.ts), with Renovate's figures from issue 12 as reference text. */
import { fmt, round, summarize } from './measure.js';
import type { SweepBenchResult, SweepRunRecord } from './sweep.js';

/** Renovate 44.121.2 on Atmosphere's 8 real vars files, as the author measured it on their world. */
const RENOVATE = {
  cold: '831',
  warm: '298',
  wall: '68 (median of 9)',
  pins: '1,049',
  pairs: '152',
} as const;

export function sweepReport(s: SweepBenchResult, rttMs: number): string[] {
  const cold = s.runs.filter((r) => r.variant === 'cold');
  const warm = s.runs.filter((r) => r.variant === 'warm');
  const lines = [
    '',
    `## sweep (report mode) — ${s.branches.length} branches, RTT ${rttMs} ms, ${cold.length} round(s)`,
    '',
    'Median (min–max). Cold: a fresh worker, registry client and git work directory; warm: the same worker right after. ' +
      "Renovate's figures are reference text: measured by the issue's author with Renovate 44.121.2 on their own world " +
      '(8 real vars files, 146 pins behind), not by this bench.',
    '',
    '| metric | bumpflow cold | bumpflow warm | Renovate (issue) |',
    '|---|---:|---:|---:|',
  ];
  const row = (metric: string, v: (r: SweepRunRecord) => number, renovate: string, digits = 0): void => {
    const f = (rs: SweepRunRecord[]) => fmt(summarize(rs.map(v)), digits);
    lines.push(`| ${metric} | ${f(cold)} | ${f(warm)} | ${renovate} |`);
  };
  row('pin lines swept', (r) => r.pins, RENOVATE.pins);
  row('distinct image:tag pairs', (r) => r.pairs, RENOVATE.pairs);
  row('pins behind', (r) => r.behindPins, '146');
  row('wall time (s)', (r) => r.ms / 1000, RENOVATE.wall, 2);
  row(
    'registry requests (401s included)',
    (r) => r.registryRequests,
    `${RENOVATE.cold} cold, ${RENOVATE.warm} warm`,
  );
  row('… manifest HEAD by tag', (r) => r.byKind.manifestHeadTag, '');
  row('… manifest HEAD by digest', (r) => r.byKind.manifestHeadDigest, '');
  row('… manifest GET', (r) => r.byKind.manifestGet, '');
  row('… blob GET', (r) => r.byKind.blobGet, '');
  row('… 401 challenge', (r) => r.byKind.challenge, '');
  row('token requests', (r) => r.tokens, '');
  row('requests per distinct pair (registry + tokens)', (r) => r.perPair, '5.5 cold', 2);
  row('requests per distinct pair (no 401s, no tokens)', (r) => r.perPairNoAuth, '', 2);
  row('sweep history events', (r) => r.history.events, '–');
  row('sweep history KiB (protobuf)', (r) => r.history.bytes / 1024, '–', 1);
  const problems = s.runs.flatMap((r) => r.problems.map((p) => `${r.variant}: ${p}`));
  if (problems.length > 0) lines.push(`| PROBLEMS | ${problems.length} | see JSON | |`);
  lines.push(
    '',
    `Branches: ${s.branches.join(', ')} (synthetic, copied from stable-2025.1.yml with its tag renamed: ${s.synthetic.join(', ')}). ` +
      `Made behind: ${s.behind.join('; ')}. The registry holds a labelled OCI index (two platforms) for every pinned image:tag under ghcr.io/vexxhost/; ` +
      'tokens come from a token issuer beside it (not delayed by --rtt). World built in ' +
      `${round(s.buildMs / 1000, 1)} s (not in any run).`,
  );
  return lines;
}
