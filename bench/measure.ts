/**
 * What the benchmark counts: git processes (a counting `git` shim first on a
 * process's PATH: it appends each call's subcommand to its log, runs the real git
 * under bash's `time` and appends that git's user and system CPU seconds —
 * getrusage of the child, git's own helpers included — to a second log),
 * history events and bytes per workflow (the protobuf encoding of
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
  /** CPU seconds (user + system) of every git process that ended so far, in order of their ends */
  cpu(): Promise<number[]>;
}

/**
 * A `git` in `dir` that logs its subcommand to `dir/git.log`, runs the real
 * git under bash's `time` (one `user sys` line per call, written in one write,
 * to `dir/cpu.log`) and exits with git's status. git's stderr stays git's.
 */
export async function createGitShim(dir: string): Promise<GitShim> {
  const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  if (realGit === '' || realGit.startsWith(dir))
    throw new Error(`bench: expected the real git on PATH outside ${dir}, found ${JSON.stringify(realGit)}`);
  const bash = execFileSync('sh', ['-c', 'command -v bash'], { encoding: 'utf8' }).trim();
  if (bash === '')
    throw new Error('bench: expected bash on PATH (the git shim times git with it), found none');
  const log = path.join(dir, 'git.log');
  const cpuLog = path.join(dir, 'cpu.log');
  await writeFile(log, '');
  await writeFile(cpuLog, '');
  const shim = path.join(dir, 'git');
  await writeFile(
    shim,
    [
      `#!${bash}`,
      // the subcommand: the first argument that is not an option (-C <dir> and -c <k=v> take one more)
      'sub=$1 skip=0',
      'for a in "$@"; do',
      '  if [ $skip = 1 ]; then skip=0; continue; fi',
      '  case $a in -C | -c) skip=1 ;; -*) ;; *) sub=$a; break ;; esac',
      'done',
      `printf '%s\\n' "$sub" >> '${log}'`,
      "TIMEFORMAT='%3U %3S'",
      `{ time '${realGit}' "$@" 2>&3 3>&-; } 3>&2 2>> '${cpuLog}'`,
      '',
    ].join('\n'),
  );
  await chmod(shim, 0o755);
  const lines = async (file: string): Promise<string[]> =>
    (await readFile(file, 'utf8')).split('\n').filter(Boolean);
  const calls = (): Promise<string[]> => lines(log);
  const cpu = async (): Promise<number[]> =>
    (await lines(cpuLog)).map((l) => l.split(' ').reduce((sum, x) => sum + Number(x), 0));
  return { binDir: dir, calls, count: async () => (await calls()).length, cpu };
}

export interface HistoryStats {
  workflowId: string;
  events: number;
  /** protobuf-encoded History message */
  bytes: number;
  /**
   * With a start time: each event as `[ms after the start, event type, activity, timer or child name]`,
   * to see where a run's wall time goes (bench/timeline.ts prints it).
   */
  timeline?: Array<[number, string, string?]>;
}

const EventType = proto.temporal.api.enums.v1.EventType;

function eventName(e: proto.temporal.api.history.v1.IHistoryEvent): string | undefined {
  return (
    e.activityTaskScheduledEventAttributes?.activityType?.name ??
    e.markerRecordedEventAttributes?.markerName ??
    e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId ??
    e.workflowExecutionSignaledEventAttributes?.signalName ??
    e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name ??
    undefined
  );
}

const History = proto.temporal.api.history.v1.History;

/** Events and protobuf bytes of the latest run of each workflow. */
export async function historyStats(
  client: Client,
  workflowIds: readonly string[],
  startedAtEpochMs?: number,
): Promise<HistoryStats[]> {
  const out: HistoryStats[] = [];
  for (const workflowId of workflowIds) {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    const timeline =
      startedAtEpochMs === undefined
        ? undefined
        : (history.events ?? []).map((e): [number, string, string?] => {
            const at = Number(e.eventTime?.seconds ?? 0) * 1000 + Math.round((e.eventTime?.nanos ?? 0) / 1e6);
            const type = (EventType[e.eventType ?? 0] ?? String(e.eventType)).replace(/^EVENT_TYPE_/, '');
            const name = eventName(e);
            return name === undefined ? [at - startedAtEpochMs, type] : [at - startedAtEpochMs, type, name];
          });
    out.push({
      workflowId,
      events: history.events?.length ?? 0,
      bytes: History.encode(History.create(history)).finish().length,
      ...(timeline === undefined ? {} : { timeline }),
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

/** `median (min–max)`, or one value when there is one (or they are all equal); – when none. */
export function fmt(s: Summary, digits = 0): string {
  if (s.n === 0) return '–';
  const v = (x: number): string => String(round(x, digits));
  return s.n === 1 || v(s.min) === v(s.max) ? v(s.median) : `${v(s.median)} (${v(s.min)}–${v(s.max)})`;
}

/** `--rtt 50ms` → 50; `0`, `0ms`, `1s` accepted. */
export function parseMs(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(text.trim());
  if (!m)
    throw new Error(`bench: expected a duration such as 0ms, 50ms or 1s, found ${JSON.stringify(text)}`);
  return Number(m[1]) * (m[2] === 's' ? 1000 : 1);
}
