/**
 * The bump bench's Markdown: wall times and ratios (cold and warm apart, per
 * RTT), 8 ÷ 1 branches, CPU seconds by process group, the work each run did,
 * bumpflow's histories, worker RSS and approvals; the demo and the sweep
 * when run. Cold is one value per block; warm is median (min–max) of N.
 */
import { fmt, round, summarize, type Summary } from './measure.js';
import { sweepReport } from './sweepReport.js';
import { mirrorReport } from './mirror.js';
import type { BenchResult, BlockResult, CpuBreakdown, Phase, RunRecord, Variant } from './types.js';

const NAMES: Record<Variant, string> = {
  bumpflow: 'bumpflow',
  baseline: 'bumpflow before',
  parallel: 'parallel script',
  sequential: 'sequential script',
};
/** The variants of a result, in column order: the baseline (--compare) beside bumpflow when there is one. */
let ORDER: Variant[] = ['bumpflow', 'parallel', 'sequential'];
const hasBaseline = (): boolean => ORDER.includes('baseline');

const runsOf = (b: BlockResult, v: Variant, p: Phase): RunRecord[] =>
  b.runs.filter((r) => r.variant === v && r.phase === p);
const stat = (runs: RunRecord[], f: (r: RunRecord) => number): Summary => summarize(runs.map(f));
const secs = (r: RunRecord): number => r.ms / 1000;
const ratio = (a: Summary, b: Summary): string => (b.median > 0 ? `${round(a.median / b.median, 2)}×` : '–');

function wallTable(result: BenchResult): string[] {
  const lines = [
    '### Wall time (s), from the command’s start to every PR opened',
    '',
    `| branches | RTT | phase | ${ORDER.map((v) => NAMES[v]).join(' | ')} | bumpflow ÷ parallel | bumpflow ÷ sequential |${hasBaseline() ? ' bumpflow ÷ before |' : ''}`,
    `|---:|---:|---|${ORDER.map(() => '---:').join('|')}|---:|---:|${hasBaseline() ? '---:|' : ''}`,
  ];
  for (const b of result.blocks)
    for (const p of ['cold', 'warm'] as const) {
      const s = (v: Variant): Summary => stat(runsOf(b, v, p), secs);
      const a = s('bumpflow');
      lines.push(
        `| ${b.n} | ${b.rttMs} ms | ${p} | ${ORDER.map((v) => fmt(s(v), 2)).join(' | ')} | ${ratio(a, s('parallel'))} | ${ratio(a, s('sequential'))} |` +
          (hasBaseline() ? ` ${ratio(a, s('baseline'))} |` : ''),
      );
    }
  return lines;
}

function scalingTable(result: BenchResult): string[] {
  const ns = [...new Set(result.blocks.map((b) => b.n))].sort((x, y) => x - y);
  if (ns.length < 2) return [];
  const [lo, hi] = [ns[0]!, ns[ns.length - 1]!];
  const lines = [
    '',
    `### ${hi} ÷ ${lo} branches (wall time, medians)`,
    '',
    `| RTT | phase | ${ORDER.map((v) => NAMES[v]).join(' | ')} |`,
    `|---:|---|${ORDER.map(() => '---:').join('|')}|`,
  ];
  for (const rtt of result.options.rttMs) {
    const at = (n: number) => result.blocks.find((b) => b.n === n && b.rttMs === rtt);
    const [bl, bh] = [at(lo), at(hi)];
    if (bl === undefined || bh === undefined) continue;
    for (const p of ['cold', 'warm'] as const) {
      const cells = ORDER.map((v) => ratio(stat(runsOf(bh, v, p), secs), stat(runsOf(bl, v, p), secs)));
      lines.push(`| ${rtt} ms | ${p} | ${cells.join(' | ')} |`);
    }
  }
  return lines;
}

const CPU_ROWS: Array<[keyof CpuBreakdown, string]> = [
  ['temporal', 'Temporal dev server'],
  ['worker', 'worker (node, launcher helper)'],
  ['gitClient', 'git, client side (every git process, shim-timed)'],
  ['shims', 'git shims’ bash (measurement; scripts: in the next row)'],
  ['spawned', 'bumpflow: the CLI process(es) · scripts: all their processes'],
  ['gitServer', 'git, server side (http-backend, upload-/receive-pack)'],
  ['registry', 'registry (distribution)'],
  ['standIns', 'bench process (GitHub stand-in, registry front, approver) + git HTTP front'],
  ['total', '**total**'],
];

function cpuTables(result: BenchResult): string[] {
  const lines = [
    '',
    '### CPU seconds per bump (all branches), by process group',
    '',
    'Cold: the one value; warm: the median. Scripts: their git is inside “all their processes” and shown apart on the git row; ' +
      'they use no Temporal server or worker (those rows are 0 for them). Method: bench/README.md, “CPU seconds”.',
  ];
  for (const b of result.blocks) {
    const cols = ORDER.flatMap((v) => (['cold', 'warm'] as const).map((p) => ({ v, p })));
    lines.push(
      '',
      `${b.n} branch(es), RTT ${b.rttMs} ms:`,
      '',
      `| group | ${cols.map((c) => `${NAMES[c.v]} ${c.p}`).join(' | ')} |`,
      `|---|${cols.map(() => '---:').join('|')}|`,
    );
    for (const [key, label] of CPU_ROWS)
      lines.push(
        `| ${label} | ${cols.map((c) => String(round(stat(runsOf(b, c.v, c.p), (r) => r.cpu[key]).median, 2))).join(' | ')} |`,
      );
  }
  return lines;
}

function workTable(result: BenchResult): string[] {
  const lines = [
    '',
    '### Work per run, per branch (cold; warm median)',
    '',
    `| branches | RTT | metric | ${ORDER.map((v) => NAMES[v]).join(' | ')} |`,
    `|---:|---:|---|${ORDER.map(() => '---:').join('|')}|`,
  ];
  const metrics: Array<[string, (r: RunRecord) => number]> = [
    ['registry requests / branch', (r) => r.registryRequests],
    ['git processes / branch', (r) => r.gitProcesses],
    ['git HTTP requests / branch', (r) => r.gitHttpRequests],
  ];
  for (const b of result.blocks)
    for (const [name, f] of metrics) {
      const cell = (v: Variant): string =>
        (['cold', 'warm'] as const)
          .map((p) =>
            fmt(
              stat(runsOf(b, v, p), (r) => f(r) / b.n),
              1,
            ),
          )
          .join('; ');
      lines.push(`| ${b.n} | ${b.rttMs} ms | ${name} | ${ORDER.map(cell).join(' | ')} |`);
    }
  return lines;
}

function bumpflowTable(result: BenchResult): string[] {
  const lines = [
    '',
    '### bumpflow: histories, worker memory, approvals',
    '',
    '| branches | RTT | variant | history events: bump; each branch | KiB (protobuf): bump; each branch | worker RSS MiB idle → after the rounds (peak) | approval: seen → answered, ms (median) |',
    '|---:|---:|---|---|---|---|---|',
  ];
  for (const b of result.blocks)
    for (const v of ORDER.filter((x) => x === 'bumpflow' || x === 'baseline')) lines.push(bumpflowRow(b, v));
  return lines;
}

function bumpflowRow(b: BlockResult, v: Variant): string {
  const rss = v === 'baseline' ? b.baselineRss! : b.rss;
  const runs = b.runs.filter((r) => r.variant === v);
  const parents = runs.flatMap((r) => r.histories?.slice(0, 1) ?? []);
  const children = runs.flatMap((r) => r.histories?.slice(1) ?? []);
  const h = (f: (x: { events: number; bytes: number }) => number, d: number): string =>
    `${fmt(summarize(parents.map(f)), d)}; ${fmt(summarize(children.map(f)), d)}`;
  const approvals = runs.flatMap((r) => r.approvals ?? []);
  const wait =
    approvals.length === 0
      ? 'by policy'
      : `${round(summarize(approvals.map((a) => a.seenMs)).median, 0)} → ${round(summarize(approvals.map((a) => a.approvedMs)).median, 0)}`;
  return (
    `| ${b.n} | ${b.rttMs} ms | ${NAMES[v]} | ${h((x) => x.events, 0)} | ${h((x) => x.bytes / 1024, 1)} | ` +
    `${rss.idle.rssMiB} → ${rss.afterRounds.rssMiB} (${rss.afterRounds.peakMiB}) | ${wait} |`
  );
}

function demoTable(result: BenchResult): string[] {
  const d = result.demo;
  if (d === undefined) return [];
  const lines = [
    '## The demo, timed from the command’s start',
    '',
    `\`npm run demo -- --auto-approve\` in a built snapshot of the worktree (\`npm run build\` there took ${round(d.buildMs / 1000, 1)} s). ` +
      'Median (min–max) over the rounds, seconds.',
    '',
    '| way | to every branch awaiting approval | the demo’s own figure (from its main) | to its exit (bump done, stopped) |',
    '|---|---:|---:|---:|',
  ];
  for (const [variant, name] of [
    ['tsx', 'from tsx (workflow code bundled at start)'],
    ['built', 'after npm run build (prebuilt bundle)'],
  ] as const) {
    const runs = d.runs.filter((r) => r.variant === variant);
    const s = (f: (r: (typeof runs)[number]) => number | undefined): string =>
      fmt(summarize(runs.flatMap((r) => (f(r) === undefined ? [] : [f(r)! / 1000]))), 2);
    lines.push(`| ${name} | ${s((r) => r.awaitingMs)} | ${s((r) => r.reportedMs)} | ${s((r) => r.exitMs)} |`);
  }
  const ready = d.runs.map((r) => `${r.variant}: ${r.readyAt ?? '–'}`);
  lines.push('', `Ready at (the demo's parts, side by side from its start): ${ready.join('; ')}.`);
  return lines;
}

const m0 = (result: BenchResult): string => result.machine.node;

function header(result: BenchResult): string[] {
  const m = result.machine;
  return [
    `Run ${result.startedAt}, ${result.durationS} s. Machine: ${m.cpuModel}, ${m.cores} cores, ${m.ramGiB} GiB RAM, ` +
      `Node ${m.node}, ${m.platform}. Load average (1, 5, 15 min) before ${m.loadBefore.join(', ')}, after ${m.loadAfter.join(', ')}.`,
  ];
}

export function markdownReport(result: BenchResult): string {
  ORDER = result.blocks.some((b) => b.runs.some((r) => r.variant === 'baseline'))
    ? ['bumpflow', 'baseline', 'parallel', 'sequential']
    : ['bumpflow', 'parallel', 'sequential'];
  if (result.demo !== undefined) return `${[...demoTable(result), '', ...header(result)].join('\n')}\n`;
  if (result.mirror !== undefined)
    return `${[...mirrorReport(result.mirror), '', ...header(result)].join('\n')}\n`;
  if (result.sweep !== undefined)
    return `${[...sweepReport(result.sweep, result.options.rttMs[0] ?? 0).slice(1), '', ...header(result)].join('\n')}\n`;
  const o = result.options;
  const problems = result.blocks.flatMap((b) =>
    b.runs.flatMap((r) =>
      r.problems.map((p) => `${b.n}/${b.rttMs} ms ${r.variant} ${r.phase} ${r.round}: ${p}`),
    ),
  );
  if (result.taskFailures !== undefined) problems.push(result.taskFailures);
  const synthetic = [...new Set(result.blocks.flatMap((b) => b.synthetic))];
  return `${[
    `## bumpflow vs hand scripts — ${o.approval === 'signal' ? `approval by a person (${o.approveWith === 'cli' ? 'bumpflow approve --branch, one process per branch, one after the other' : 'the approveBranch update per branch'}, as soon as it waits)` : 'approval by policy (no human)'}`,
    '',
    ...header(result),
    `Worker: ${result.runner.worker}; CLI: ${result.runner.cli} (${result.runner.root}); Node ${result.runner.node ?? m0(result)}.` +
      (result.baseline
        ? ` “bumpflow before”: the same, built from ${result.baseline.ref} (${result.baseline.commit.slice(0, 12)}), its own worker and task queue, in the same rounds.`
        : '') +
      ` One cold run per block (a fresh worker, ` +
      `the scripts in empty directories), then ${o.warmRounds} warm round(s). Every run bumps a new digest (a new source commit, ` +
      'a new image) onto target branches that moved since the last run. RTT: added once per HTTP request to the registry and to git.' +
      (synthetic.length > 0
        ? ` Synthetic branches (copied from stable-2025.1.yml, tag renamed): ${synthetic.join(', ')}.`
        : ''),
    '',
    ...wallTable(result),
    ...scalingTable(result),
    ...cpuTables(result),
    ...workTable(result),
    ...bumpflowTable(result),
    ...(problems.length > 0
      ? ['', `### PROBLEMS (${problems.length})`, '', ...problems.map((p) => `- ${p}`)]
      : []),
  ].join('\n')}\n`;
}
