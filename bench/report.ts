/** The benchmark's result shape and its short Markdown report (medians, min–max, ratios). */
import { round, summarize, type HistoryStats, type Summary } from './measure.js';
import type { SweepBenchResult, SweepRunRecord } from './sweep.js';

export interface RunRecord {
  variant: 'bumpflow' | 'hand';
  /** wall time from start to the last PR opened (bumpflow: start of the workflow to its result) */
  ms: number;
  /** HTTP requests the registry front saw during the run */
  registryRequests: number;
  /** HTTP requests the git smart-HTTP server saw during the run */
  gitHttpRequests: number;
  /** git processes the variant started (the counting shim's log) */
  gitProcesses: number;
  /** the same by subcommand (the shim logs git's first argument) */
  gitSubcommands: Record<string, number>;
  /** empty when every branch has its pushed work branch with the new pin and one open PR */
  problems: string[];
  /** bumpflow only: the parent first, then one per branch */
  histories?: HistoryStats[];
}

export interface ConfigResult {
  branches: string[];
  /** branches with no fixture file, copied from the newest fixture with its tag renamed */
  synthetic: string[];
  buildMs: number;
  rss: { idle: { rssMiB: number; peakMiB: number }; afterBumps: { rssMiB: number; peakMiB: number } };
  runs: RunRecord[];
}

export interface BenchResult {
  startedAt: string;
  durationS: number;
  rttMs: number;
  rounds: number;
  machine: { cpus: number; node: string; platform: string };
  configs: ConfigResult[];
  /** the sweep case (bench/sweep.ts), when run */
  sweep?: SweepBenchResult;
}

function fmt(s: Summary, digits = 0): string {
  if (s.n === 0) return '–';
  const v = (x: number): string => String(round(x, digits));
  return s.n === 1 || v(s.min) === v(s.max) ? v(s.median) : `${v(s.median)} (${v(s.min)}–${v(s.max)})`;
}

function ratio(a: Summary, b: Summary): string {
  return b.median > 0 ? `${round(a.median / b.median, 2)}×` : '–';
}

function perBranch(
  runs: RunRecord[],
  key: 'registryRequests' | 'gitHttpRequests' | 'gitProcesses',
  n: number,
): Summary {
  return summarize(runs.map((r) => r[key] / n));
}

/** Renovate 44.121.2 on Atmosphere's 8 real vars files, as the author measured it on their world. */
const RENOVATE = {
  cold: '831',
  warm: '298',
  wall: '68 (median of 9)',
  pins: '1,049',
  pairs: '152',
} as const;

function sweepReport(s: SweepBenchResult, rttMs: number): string[] {
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

export function markdownReport(result: BenchResult): string {
  if (result.configs.length === 0 && result.sweep !== undefined)
    return `${sweepReport(result.sweep, result.rttMs).slice(1).join('\n')}\n`;
  const lines: string[] = [
    `## bumpflow vs hand script — RTT ${result.rttMs} ms, ${result.rounds} round(s)`,
    '',
    `${result.startedAt}, ${result.durationS} s, ${result.machine.cpus} CPUs, Node ${result.machine.node}. ` +
      `Median (min–max) over the rounds; ratio = bumpflow median / hand median. ` +
      `RTT is added once per HTTP request to the registry and to git (smart HTTP).`,
    '',
    '| branches | metric | bumpflow | hand script | ratio |',
    '|---:|---|---:|---:|---:|',
  ];
  for (const c of result.configs) {
    const n = c.branches.length;
    const a = c.runs.filter((r) => r.variant === 'bumpflow');
    const b = c.runs.filter((r) => r.variant === 'hand');
    const row = (metric: string, x: Summary, y: Summary, digits = 0): void => {
      lines.push(`| ${n} | ${metric} | ${fmt(x, digits)} | ${fmt(y, digits)} | ${ratio(x, y)} |`);
    };
    const wall = (rs: RunRecord[]): Summary => summarize(rs.map((r) => r.ms / 1000));
    row('wall time (s)', wall(a), wall(b), 2);
    row(
      'registry requests / branch',
      perBranch(a, 'registryRequests', n),
      perBranch(b, 'registryRequests', n),
      1,
    );
    row('git processes / branch', perBranch(a, 'gitProcesses', n), perBranch(b, 'gitProcesses', n), 1);
    row(
      'git HTTP requests / branch',
      perBranch(a, 'gitHttpRequests', n),
      perBranch(b, 'gitHttpRequests', n),
      1,
    );
    const parents = a.flatMap((r) => r.histories?.slice(0, 1) ?? []);
    const children = a.flatMap((r) => r.histories?.slice(1) ?? []);
    const hist = (metric: string, value: (h: HistoryStats) => number, digits: number): void => {
      const bump = fmt(summarize(parents.map(value)), digits);
      const branch = fmt(summarize(children.map(value)), digits);
      lines.push(`| ${n} | ${metric} | bump ${bump}; each branch ${branch} | – | |`);
    };
    hist('history events per workflow', (h) => h.events, 0);
    hist('history KiB per workflow (protobuf)', (h) => h.bytes / 1024, 1);
    lines.push(
      `| ${n} | worker RSS MiB: idle → after the bumps (peak) | ${c.rss.idle.rssMiB} → ${c.rss.afterBumps.rssMiB} (${c.rss.afterBumps.peakMiB}) | – | |`,
    );
    const problems = c.runs.flatMap((r) => r.problems.map((p) => `${r.variant}: ${p}`));
    if (problems.length > 0) lines.push(`| ${n} | PROBLEMS | ${problems.length} | see JSON | |`);
  }
  const synthetic = [...new Set(result.configs.flatMap((c) => c.synthetic))];
  lines.push('');
  if (synthetic.length > 0)
    lines.push(
      `Synthetic branches (no fixture file; copied from stable-2025.1.yml with its tag renamed): ${synthetic.join(', ')}.`,
    );
  lines.push(
    'Counts are per run divided by the branches. bumpflow: one workflow start to its result, approval by policy ' +
      '(every branch without a human); its worker keeps its git cache between rounds (round 1 is cold). ' +
      'Hand script: one fresh clone, then each branch in turn.',
  );
  if (result.sweep !== undefined) lines.push(...sweepReport(result.sweep, result.rttMs));
  return `${lines.join('\n')}\n`;
}
