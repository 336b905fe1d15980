/** The bump bench's result shape (written as JSON; bench/report.ts renders it). */
import type { ApprovalRecord } from './approver.js';
import type { MachineInfo } from './cpu.js';
import type { HistoryStats } from './measure.js';
import type { SweepBenchResult } from './sweep.js';
import type { DemoResult } from './demo.js';
import type { MirrorBenchResult } from './mirror.js';

/** `baseline`: bumpflow as built from another commit (`--compare <ref>`), in the same run */
export type Variant = 'bumpflow' | 'baseline' | 'sequential' | 'parallel';
export const VARIANTS: readonly Variant[] = ['bumpflow', 'sequential', 'parallel'];
export type Phase = 'cold' | 'warm';

/** CPU seconds of one run by process group (bench/cpu.ts; README "CPU seconds"). */
export interface CpuBreakdown {
  /** the Temporal dev server */
  temporal: number;
  /** the worker's own processes: node, the launcher helper, tsx's esbuild when from sources */
  worker: number;
  /** every git process the variant started (client side), timed by the shim */
  gitClient: number;
  /** bumpflow: the worker's ended children less gitClient (the shims' bash); scripts: not separable (in `spawned`) */
  shims: number;
  /** bumpflow: the CLI process(es); scripts: the script's processes (sh, skopeo, curl, coreutils, shims, git) */
  spawned: number;
  /** `git http-backend` and what it runs (upload-pack, receive-pack) */
  gitServer: number;
  /** the distribution registry */
  registry: number;
  /** the bench's own process (GitHub stand-in, registry front, approver) and the git HTTP front (node) */
  standIns: number;
  /** everything the variant made run: bumpflow counts Temporal and the worker, the scripts do not need them */
  total: number;
}

export interface RunRecord {
  variant: Variant;
  phase: Phase;
  /** 0 for the cold run, 1… for the warm rounds */
  round: number;
  /** wall time from the command's start to its end (every PR opened) */
  ms: number;
  registryRequests: number;
  gitHttpRequests: number;
  /** git processes the variant started (the counting shim's log) */
  gitProcesses: number;
  gitSubcommands: Record<string, number>;
  cpu: CpuBreakdown;
  /** empty when every branch has its pushed work branch with the new pin and one open PR */
  problems: string[];
  /** bumpflow only: the parent first, then one per branch */
  histories?: HistoryStats[];
  /** bumpflow with --approval signal: when each branch was seen awaiting approval and approved */
  approvals?: ApprovalRecord[];
}

export interface Memory {
  rssMiB: number;
  peakMiB: number;
}

/** One branch count at one RTT: a fresh worker, its cold run, then the warm rounds. */
export interface BlockResult {
  n: number;
  rttMs: number;
  branches: string[];
  synthetic: string[];
  rss: { idle: Memory; afterRounds: Memory };
  /** with --compare: the baseline's worker */
  baselineRss?: { idle: Memory; afterRounds: Memory };
  runs: RunRecord[];
}

export interface BenchResult {
  startedAt: string;
  durationS: number;
  machine: MachineInfo & { loadBefore: number[]; loadAfter: number[] };
  options: {
    branches: number[];
    warmRounds: number;
    rttMs: number[];
    approval: 'signal' | 'policy';
    approveWith: 'update' | 'cli';
  };
  runner: { worker: string; cli: string; root: string; node?: string };
  /** with --compare: the commit the baseline was built from */
  baseline?: { ref: string; commit: string };
  /** world build time per branch count (not in any run) */
  buildMs: Record<string, number>;
  blocks: BlockResult[];
  /** set when any workflow of the run has a WorkflowTaskFailed event (assertNoTaskFailures) */
  taskFailures?: string;
  demo?: DemoResult;
  sweep?: SweepBenchResult;
  mirror?: MirrorBenchResult;
}
