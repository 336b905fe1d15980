/** The benchmark's result shape and its short Markdown report (medians, min–max, ratios). */
import { round, summarize, type HistoryStats, type Summary } from './measure.js';

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

export function markdownReport(result: BenchResult): string {
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
  return `${lines.join('\n')}\n`;
}
