/**
 * The bad-input suite's messages (issue 20): what a person can send a running
 * workflow with the real `temporal workflow signal|update execute`, one case
 * a row, and the one runner that checks each: the CLI's exit code, the typed
 * refusal (recorded in the status for a signal, the CLI's error for an
 * update), the target's state unchanged, nothing written (the bench's
 * snapshot of registry tags, git refs and the forge before and after), no
 * WorkflowTaskFailed event, and the status query still answering.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { temporalCliPath, workflowBundle } from '../temporal.js';

/** A workflow cases are sent to: its id, the query that answers its status, and where it keeps refusals. */
export interface Target {
  id: string;
  /** `status`, or `branchStatus` for a bump's branch */
  query: string;
  /** the refusals and the state in what the query answers */
  refusals(status: unknown): string[];
  state(status: unknown): string;
}

/** What the runner needs of a world: the targets by name, values inputs are made from, and a snapshot of what could be written. */
export interface Bench {
  env: TestWorkflowEnvironment;
  targets: Record<string, Target>;
  /** digests, ids … that inputs are made of, known once the world runs */
  values: Record<string, string>;
  /** everything a refused message must leave as it was: registry tags and digests, git refs, PRs, releases */
  written(): Promise<unknown>;
}

export interface MessageCase {
  case: string;
  to: string;
  kind: 'signal' | 'update';
  name: string;
  /** the JSON typed (a function of the bench's values), or none: no `--input` */
  input?: string | ((v: Record<string, string>) => string) | undefined;
  /**
   * A signal: the refusal recorded on `recordedOn` (default: `to`), or null when
   * nothing is recorded and nothing may change (a late report); an update: the
   * CLI's error. A closed workflow: the CLI's error for both.
   */
  refused: RegExp | null;
  recordedOn?: string | undefined;
  /** the CLI refuses it (non-zero exit) although it is a signal: a closed workflow */
  exitNonZero?: boolean | undefined;
  /** a credential in the input that no status may echo */
  hidden?: string | undefined;
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `temporal workflow <args…>` with the real CLI; its exit code and output, never a throw. */
export function temporalCli(env: TestWorkflowEnvironment, args: string[]): Promise<CliRun> {
  const all = ['workflow', ...args, '--address', env.address, '--namespace', 'default'];
  return new Promise((resolve) => {
    execFile(temporalCliPath(), all, { timeout: 30_000, maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

/** A string of `n` characters (more than any field allows), for "huge" payloads. */
export const huge = (n = 70_000, c = 'x'): string => c.repeat(n);
/** Terminal escapes and control characters a person could paste into a field. */
export const CONTROL = '\u001b[2J\u001b[31mops\u0007\r\nApproved-by: root\u0000';

let inputFiles = 0;
/** Sends `c` as typed: large inputs go through `--input-file`, as argv has its limits. */
async function send(bench: Bench, c: MessageCase, id: string): Promise<CliRun> {
  const input = typeof c.input === 'function' ? c.input(bench.values) : c.input;
  const args =
    c.kind === 'signal'
      ? ['signal', '--workflow-id', id, '--name', c.name]
      : ['update', 'execute', '--workflow-id', id, '--name', c.name];
  if (input !== undefined && input.length > 16_000) {
    const file = path.join(os.tmpdir(), `bumpflow-bad-input-${process.pid}-${inputFiles++}.json`);
    await writeFile(file, input);
    try {
      return await temporalCli(bench.env, [...args, '--input-file', file]);
    } finally {
      await rm(file, { force: true });
    }
  }
  if (input !== undefined) args.push('--input', input);
  return temporalCli(bench.env, args);
}

async function statusOf(bench: Bench, t: Target): Promise<unknown> {
  return bench.env.client.workflow.getHandle(t.id).query(t.query);
}

/** The WorkflowTaskFailed causes in a workflow's history (all its runs). */
export async function taskFailuresOf(env: TestWorkflowEnvironment, id: string): Promise<string[]> {
  const history = await env.client.workflow.getHandle(id).fetchHistory();
  return (history.events ?? []).flatMap((e) =>
    e.workflowTaskFailedEventAttributes ? [e.workflowTaskFailedEventAttributes.failure?.message ?? '?'] : [],
  );
}

/** Waits up to `ms` for `probe` to answer something; the last answer otherwise. */
async function within<T>(ms: number, probe: () => Promise<T | undefined>): Promise<T | undefined> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = await probe().catch(() => undefined);
    if (found !== undefined || Date.now() > deadline) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Runs one case against the bench and asserts everything it must leave and say. */
export async function runMessageCase(bench: Bench, c: MessageCase): Promise<void> {
  const target = bench.targets[c.to];
  assert.ok(target, `expected a target ${c.to} in the bench, found ${Object.keys(bench.targets).join(', ')}`);
  const recorder = bench.targets[c.recordedOn ?? c.to]!;
  const closed = c.exitNonZero === true;
  const before = closed ? undefined : ((await statusOf(bench, recorder)) as unknown);
  const stateBefore = closed ? undefined : target.state(await statusOf(bench, target));
  const written = await bench.written();

  const run = await send(bench, c, target.id);
  const said = `${run.stdout}\n${run.stderr}`;
  if (c.kind === 'signal' && !closed) {
    assert.equal(run.code, 0, `the CLI delivers the signal (exit 0), found ${run.code}: ${said}`);
    const seen = JSON.stringify(recorder.refusals(before));
    if (c.refused !== null) {
      const refusals = await within(10_000, async () => {
        const r = recorder.refusals(await statusOf(bench, recorder));
        return JSON.stringify(r) !== seen ? r : undefined;
      });
      assert.ok(refusals, `expected a new refusal on ${recorder.id} for ${c.case}, found none: ${seen}`);
      assert.match(refusals.at(-1)!, c.refused, `the refusal of ${c.case}`);
    } else {
      // nothing to record: give the handlers a moment, then nothing may have changed
      await new Promise((r) => setTimeout(r, 700));
      assert.equal(JSON.stringify(recorder.refusals(await statusOf(bench, recorder))), seen);
    }
  } else {
    assert.notEqual(run.code, 0, `the CLI refuses ${c.case} (non-zero exit), found 0: ${said}`);
    assert.match(said, c.refused!, `what the CLI says for ${c.case}`);
  }

  const after = await statusOf(bench, target);
  if (c.hidden !== undefined)
    for (const shown of [after, await statusOf(bench, recorder)])
      assert.ok(!JSON.stringify(shown).includes(c.hidden), `no status echoes the credential of ${c.case}`);
  if (stateBefore !== undefined)
    assert.equal(target.state(after), stateBefore, `${target.id} stays ${stateBefore} after ${c.case}`);
  assert.deepEqual(await bench.written(), written, `nothing written by ${c.case}`);
  for (const t of new Set([target.id, recorder.id]))
    assert.deepEqual(await taskFailuresOf(bench.env, t), [], `no workflow task of ${t} failed`);
  const query = await temporalCli(bench.env, ['query', '--workflow-id', target.id, '--name', target.query]);
  assert.equal(query.code, 0, `the ${target.query} query answers after ${c.case}: ${query.stderr}`);
}

/** The refusals and the state of a status that has them at its top (every procedure, the queue has no state). */
export function procedureTarget(id: string, query = 'status'): Target {
  return {
    id,
    query,
    refusals: (s) => (s as { refusals: string[] }).refusals,
    state: (s) => String((s as { state?: string }).state ?? (s as { running?: unknown }).running ?? 'idle'),
  };
}

/**
 * Replays the histories the cases left (today's bundled workflows, one replay
 * worker): the refusals, the looks at other workflows and the unknown signals
 * are deterministic. Returns the ids that do not replay, with why.
 */
export async function unreplayable(env: TestWorkflowEnvironment, ids: readonly string[]): Promise<string[]> {
  async function* histories() {
    for (const workflowId of ids)
      yield { workflowId, history: await env.client.workflow.getHandle(workflowId).fetchHistory() };
  }
  const failed: string[] = [];
  const results = Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories());
  for await (const r of results)
    if (r.error) failed.push(`${r.workflowId}: ${r.error.message.slice(0, 300)}`);
  return failed;
}
