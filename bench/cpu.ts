/**
 * CPU seconds by process group, from /proc: `utime + stime` of a live process
 * (its own CPU) and `cutime + cstime` (the CPU of its children that ended and
 * were waited for, their own children included), in clock ticks. A run's CPU
 * is the difference of two samples, one just before the measured command
 * starts, one just after it ends. Short-lived git processes are counted by the
 * git shim instead (bench/measure.ts: bash's `time`, getrusage of each git).
 * See bench/README.md, "CPU seconds".
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { round } from './measure.js';

const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export interface ProcStat {
  pid: number;
  ppid: number;
  comm: string;
  /** utime + stime, seconds */
  self: number;
  /** cutime + cstime, seconds: children that ended and were waited for */
  children: number;
  /** start time in ticks since boot: with the pid, identifies the process */
  start: number;
}

export function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const close = text.lastIndexOf(')');
  const comm = text.slice(text.indexOf('(') + 1, close);
  // the fields after the command name, numbered from 3 (state) as in proc(5)
  const f = text
    .slice(close + 2)
    .split(' ')
    .map((x, i) => (i === 0 ? 0 : Number(x)));
  const field = (n: number): number => f[n - 3] ?? 0;
  return {
    pid,
    ppid: field(4),
    comm,
    self: (field(14) + field(15)) / TICKS_PER_SECOND,
    children: (field(16) + field(17)) / TICKS_PER_SECOND,
    start: field(22),
  };
}

/** Every live process. */
export function allStats(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(Number(name));
    if (s !== undefined) out.push(s);
  }
  return out;
}

/** `root` and every live descendant of it. */
export function treeOf(root: number, all: readonly ProcStat[] = allStats()): ProcStat[] {
  const byParent = new Map<number, ProcStat[]>();
  for (const s of all) byParent.set(s.ppid, [...(byParent.get(s.ppid) ?? []), s]);
  const out: ProcStat[] = [];
  const self = all.find((s) => s.pid === root);
  if (self === undefined) return out;
  const queue = [self];
  while (queue.length > 0) {
    const s = queue.shift()!;
    out.push(s);
    queue.push(...(byParent.get(s.pid) ?? []));
  }
  return out;
}

/** The first child of `parent` whose command line contains `needle`. */
export function childWith(parent: number, needle: string): number | undefined {
  for (const s of allStats()) {
    if (s.ppid !== parent) continue;
    try {
      if (readFileSync(`/proc/${s.pid}/cmdline`, 'utf8').split('\0').join(' ').includes(needle)) return s.pid;
    } catch {
      // it ended meanwhile
    }
  }
  return undefined;
}

/**
 * How a group's CPU is read:
 * - `tree`: the own CPU of the process and of every live descendant, each by its own
 *   difference (a process that ended within the run is not counted here);
 * - `all`: the same plus the children that ended (cutime + cstime) of each of them;
 * - `children`: only the ended children of the process (cutime + cstime);
 * - `self`: only the process's own CPU.
 */
export type GroupMode = 'tree' | 'all' | 'children' | 'self';
export interface GroupSpec {
  pid: number;
  mode: GroupMode;
}
export type CpuSample = Record<string, Map<string, ProcStat>>;

export function sampleGroups(groups: Record<string, GroupSpec | undefined>): CpuSample {
  const all = allStats();
  const out: CpuSample = {};
  for (const [name, spec] of Object.entries(groups)) {
    if (spec === undefined) continue;
    const procs =
      spec.mode === 'children' || spec.mode === 'self'
        ? all.filter((s) => s.pid === spec.pid)
        : treeOf(spec.pid, all);
    out[name] = new Map(procs.map((s) => [`${s.pid}@${s.start}`, s]));
  }
  return out;
}

function groupValue(mode: GroupMode, s: ProcStat): number {
  return mode === 'tree' || mode === 'self' ? s.self : mode === 'children' ? s.children : s.self + s.children;
}

/** Seconds of CPU each group used between two samples. */
export function cpuBetween(
  groups: Record<string, GroupSpec | undefined>,
  before: CpuSample,
  after: CpuSample,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, spec] of Object.entries(groups)) {
    if (spec === undefined) continue;
    let sum = 0;
    for (const [key, s] of after[name] ?? new Map<string, ProcStat>()) {
      const b = before[name]?.get(key);
      sum += groupValue(spec.mode, s) - (b === undefined ? 0 : groupValue(spec.mode, b));
    }
    // `all`: a process that ended is in its parent's cutime now, its whole CPU; take off what it had before
    if (spec.mode === 'all')
      for (const [key, b] of before[name] ?? new Map<string, ProcStat>())
        if (!after[name]?.has(key)) sum -= groupValue('all', b);
    out[name] = round(sum, 3);
  }
  return out;
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  ramGiB: number;
  node: string;
  platform: string;
  /** 1, 5 and 15 minute load averages */
  load: number[];
}

export function machineInfo(): MachineInfo {
  return {
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.cpus().length,
    ramGiB: round(os.totalmem() / 1024 ** 3, 1),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    load: os.loadavg().map((x) => round(x, 2)),
  };
}
