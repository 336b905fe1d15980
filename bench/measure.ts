/**
 * What the benchmark counts: git processes (a counting `git` shim first on a
 * process's PATH: it appends one line per call to its log, then execs the real
 * git), history events and bytes per workflow (the protobuf encoding of
 * `client.workflow.fetchHistory`, as the server stores and sends it), the
 * worker's resident memory (VmRSS / VmHWM from /proc), and the statistics.
 */
import { execFileSync } from 'node:child_process';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';

export interface GitShim {
  /** put this directory first on PATH */
  binDir: string;
  /** git processes started through the shim so far */
  count(): Promise<number>;
  /** the subcommands started so far, in order */
  calls(): Promise<string[]>;
}

/** A `git` in `dir` that logs its first argument to `dir/git.log` and execs the real git. */
export async function createGitShim(dir: string): Promise<GitShim> {
  const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  if (realGit === '' || realGit.startsWith(dir))
    throw new Error(`bench: expected the real git on PATH outside ${dir}, found ${JSON.stringify(realGit)}`);
  const log = path.join(dir, 'git.log');
  await writeFile(log, '');
  const shim = path.join(dir, 'git');
  await writeFile(shim, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${log}'\nexec '${realGit}' "$@"\n`);
  await chmod(shim, 0o755);
  const calls = async (): Promise<string[]> => (await readFile(log, 'utf8')).split('\n').filter(Boolean);
  return { binDir: dir, calls, count: async () => (await calls()).length };
}

export interface HistoryStats {
  workflowId: string;
  events: number;
  /** protobuf-encoded History message */
  bytes: number;
}

const History = proto.temporal.api.history.v1.History;

/** Events and protobuf bytes of the latest run of each workflow. */
export async function historyStats(client: Client, workflowIds: readonly string[]): Promise<HistoryStats[]> {
  const out: HistoryStats[] = [];
  for (const workflowId of workflowIds) {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    out.push({
      workflowId,
      events: history.events?.length ?? 0,
      bytes: History.encode(History.create(history)).finish().length,
    });
  }
  return out;
}

/** Resident set size and its peak (high-water mark) of a process, in MiB. */
export async function memoryOf(pid: number): Promise<{ rssMiB: number; peakMiB: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string): number => {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!m) throw new Error(`bench: expected ${key} in /proc/${pid}/status, found none`);
    return Number(m[1]);
  };
  return { rssMiB: round(kib('VmRSS') / 1024), peakMiB: round(kib('VmHWM') / 1024) };
}

export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export interface Summary {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) return { median: NaN, min: NaN, max: NaN, n: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, n: sorted.length };
}

/** `--rtt 50ms` → 50; `0`, `0ms`, `1s` accepted. */
export function parseMs(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(text.trim());
  if (!m)
    throw new Error(`bench: expected a duration such as 0ms, 50ms or 1s, found ${JSON.stringify(text)}`);
  return Number(m[1]) * (m[2] === 's' ? 1000 : 1);
}
