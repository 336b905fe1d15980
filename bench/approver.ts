/**
 * The person approving, in `--approval signal`: watches the bump as the UI or
 * `bumpflow status` would (the parent's `status` query every 150 ms) and, as
 * soon as a branch awaits approval, approves that branch alone — with the
 * `approveBranch` update on the branch's workflow (what `bumpflow approve
 * <id> --branch <b>` sends), or (`--approve-with cli`) by running
 * `bumpflow approve <id> --branch <b>` as a process, one after the other.
 * Each branch is approved when it is ready, not all at once, as a person
 * reading the plans would.
 */
import { spawn } from 'node:child_process';
import type { Client } from '@temporalio/client';
import { approveUpdate, statusQuery } from '../src/shared/messages.js';
import type { Runner } from './processes.js';
import { sleep } from './processes.js';

export interface ApprovalRecord {
  branch: string;
  /** ms from the bump command's start: first seen awaiting approval, and its approval answered */
  seenMs: number;
  approvedMs: number;
  ok: boolean;
  error?: string;
}

export interface Approver {
  /** stops watching; waits for the approvals already sent */
  stop(): Promise<ApprovalRecord[]>;
}

const POLL_MS = 150;

export function startApprover(options: {
  client: Client;
  workflowId: string;
  /** the id's latest run before this bump started, if any: never watched */
  previousRunId: string | undefined;
  t0: number;
  via: 'update' | 'cli';
  runner: Runner;
  cliEnv: Record<string, string>;
}): Approver {
  const { client, workflowId, t0 } = options;
  const sent = new Set<string>();
  const pending: Array<Promise<ApprovalRecord>> = [];
  let running = true;
  let cliQueue: Promise<void> = Promise.resolve();
  // Only the run this bump starts is watched: a query to an earlier run of the id, closed on the task queue
  // of a worker that is gone, would wait for a worker until it timed out.
  const watching = (async () => {
    let runId: string | undefined;
    while (running) {
      try {
        if (runId === undefined) {
          const d = await client.workflow.getHandle(workflowId).describe();
          if (d.runId !== options.previousRunId) runId = d.runId;
        }
        if (runId === undefined) {
          await sleep(POLL_MS);
          continue;
        }
        const status = await client.workflow.getHandle(workflowId, runId).query(statusQuery);
        for (const b of status.branches) {
          if (b.state !== 'awaiting-approval' || b.workflowId === undefined || sent.has(b.branch)) continue;
          sent.add(b.branch);
          pending.push(approve(b.branch, b.workflowId, performance.now() - t0));
        }
      } catch {
        // not started yet, or its first task has not run
      }
      await sleep(POLL_MS);
    }
  })();

  async function approve(branch: string, branchWorkflowId: string, seenMs: number): Promise<ApprovalRecord> {
    try {
      if (options.via === 'update')
        await client.workflow
          .getHandle(branchWorkflowId)
          .executeUpdate(approveUpdate, { args: [{ approver: 'bench' }] });
      else {
        // one command after the other, as a person types them in one terminal
        const turn = cliQueue.then(() => approveWithCli(branch));
        cliQueue = turn.catch(() => undefined);
        await turn;
      }
      return { branch, seenMs, approvedMs: performance.now() - t0, ok: true };
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      return { branch, seenMs, approvedMs: performance.now() - t0, ok: false, error };
    }
  }

  function approveWithCli(branch: string): Promise<void> {
    const args = [...options.runner.cli, 'approve', workflowId, '--branch', branch, '--approver', 'bench'];
    const child = spawn(options.runner.node, args, {
      cwd: options.runner.root,
      env: options.cliEnv,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    return new Promise((resolve, reject) =>
      child.once('close', (code) =>
        code === 0 ? resolve() : reject(new Error(`bumpflow approve exited ${code}: ${stderr.trim()}`)),
      ),
    );
  }

  return {
    async stop() {
      running = false;
      await watching;
      return Promise.all(pending);
    },
  };
}
