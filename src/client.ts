/**
 * bumpflow's client: how an operator (or a script) starts and steers release
 * procedures on Temporal, beside the worker (src/worker.ts) that runs them.
 *
 * Two entries, one set of functions (the CLI's, src/cli/):
 *
 * - `run(argv)`: the `bumpflow` command line, as bin/bumpflow.js runs it.
 * - `connectClient()`: a small programmatic client for scripts — start a bump
 *   or a promotion, read a workflow's status, approve or reject — with the
 *   settings, the checks and the errors of the CLI:
 *
 *   ```ts
 *   import { connectClient } from 'bumpflow/client';
 *   const bumpflow = await connectClient(); // TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, BUMPFLOW_TASK_QUEUE
 *   const { workflowId } = await bumpflow.startBump({ service: 'magnum', targetRepo: 'https://github.com/o/r' });
 *   ```
 *
 * A refused request or decision throws what the CLI's commands throw (a
 * `CliError`; a `BumpflowError` for a bad repo URL); `describeFailure(err)`
 * gives the exit code the CLI would end with and the line it would print.
 * Requests are sent as given: the config file's targets, approval policy and
 * promotion defaults are the CLI's (`bumpflow --config`), not applied here.
 */
import type { Client } from '@temporalio/client';
import { temporalSettings, workflowUiUrl, type TemporalSettings } from './config.js';
import {
  approveSignal,
  approveUpdate,
  rejectSignal,
  rejectUpdate,
  tagGate,
  type BumpRequest,
  type BumpStatus,
  type PromoteRequest,
} from './shared/messages.js';
import { connect } from './cli/kit/connect.js';
import { startBump } from './cli/bump/start.js';
import { requestTagProcedure } from './cli/tags/startTag.js';
import { readStatus } from './cli/bump/bumpView.js';
import { awaitingApproval, checkDigestBranches, undecided } from './cli/bump/bumpDecision.js';
import { notFor } from './cli/kit/flags.js';
import { deliver, type Delivery } from './cli/kit/deliver.js';
import { approval, decideGate, rejection } from './cli/kit/gateDecision.js';
import { isTagWorkflowId, readTagView, runningTagStatus, type TagView } from './cli/tags/tagView.js';
import { operatorName } from './cli/kit/operator.js';

export { buildProgram, main, run } from './cli/main.js';
export { CliError, describeFailure, ExitCode } from './cli/kit/exitCodes.js';
export type { TemporalSettings } from './config.js';
export type { BumpRequest, BumpStatus, PromoteRequest } from './shared/messages.js';
export type { TagView } from './cli/tags/tagView.js';

/** A started workflow: its id and its page in the Temporal UI. */
export interface Started {
  workflowId: string;
  url: string;
}

/** A status: a bump's (`kind: 'bump'`), or a tag procedure's — running (`procedure`) or still in its queue (`queued`). */
export type WorkflowStatus = { kind: 'bump'; status: BumpStatus } | TagView;

/** Where a decision went: a bump's branch, or the workflow itself (a tag procedure's plan, a bump blocked planning). */
export interface Decided {
  /** the branch, or the workflow id */
  target: string;
  /** false: the workflow refused it (`message` says why) */
  ok: boolean;
  /** `signal` when no worker answered: it takes effect when a worker runs */
  via: 'update' | 'signal';
  message?: string | undefined;
}

export interface BumpflowClient {
  readonly settings: TemporalSettings;
  /** the Temporal client, for anything else */
  readonly temporal: Client;
  /** Starts a bump of one service in one repo (`bumpflow bump`); the same checks, the same workflow id. */
  startBump(request: BumpRequest): Promise<Started & { runId: string }>;
  /** Queues a promotion on the image repository's queue (`bumpflow promote`); `requestedBy` defaults to the operator. */
  startPromotion(request: PromoteRequest): Promise<Started & { queueId: string }>;
  /** A bump's status (`bumpflow status`), or a tag procedure's (or its place in the queue). */
  status(workflowId: string): Promise<WorkflowStatus>;
  /** Approves a bump's branches awaiting approval (all, or those named), or a tag procedure's plan. */
  approve(
    workflowId: string,
    options?: { branches?: string[]; digest?: string; approver?: string },
  ): Promise<Decided[]>;
  /** Rejects a bump's undecided branches (all, or those named), or a tag procedure's plan. */
  reject(
    workflowId: string,
    options: { reason: string; branches?: string[]; approver?: string },
  ): Promise<Decided[]>;
  /** Closes the connection. */
  close(): Promise<void>;
}

const fromDeliveries = (ds: Delivery[]): Decided[] =>
  ds.map((d) => ({ target: d.branch, ok: d.ok, via: d.via, message: d.message }));

/**
 * Connects as the CLI does: TEMPORAL_ADDRESS (default localhost:7233),
 * TEMPORAL_NAMESPACE, BUMPFLOW_TASK_QUEUE, BUMPFLOW_UI_URL from `env`; the
 * approver and requester default as the CLI's (`$USER`, the account, …).
 * An unreachable server throws a CliError with exit code 3.
 */
export async function connectClient(options: { env?: NodeJS.ProcessEnv } = {}): Promise<BumpflowClient> {
  const env = options.env ?? process.env;
  const settings = temporalSettings(env);
  const temporal = await connect(settings);
  const operator = () => operatorName(env);
  return {
    settings,
    temporal,
    async startBump(request) {
      const handle = await startBump(temporal, settings, request);
      const { workflowId } = handle;
      return { workflowId, runId: handle.firstExecutionRunId, url: workflowUiUrl(settings, workflowId) };
    },
    async startPromotion(request) {
      const input = { requestedBy: operator(), ...request };
      const queued = await requestTagProcedure(temporal, settings, { procedure: 'promote', input });
      return { ...queued, url: workflowUiUrl(settings, queued.workflowId) };
    },
    async status(workflowId) {
      if (isTagWorkflowId(workflowId)) return readTagView(temporal, workflowId);
      return { kind: 'bump', status: await readStatus(temporal, workflowId) };
    },
    async approve(workflowId, o = {}) {
      const approver = o.approver ?? operator();
      if (isTagWorkflowId(workflowId)) {
        notFor('a tag procedure (it has no branches)', { '--branch': o.branches });
        await runningTagStatus(temporal, workflowId, 'approve');
        const sent = await decideGate(temporal, workflowId, tagGate, approval({ ...o, approver }));
        return [{ target: workflowId, ok: true, via: sent.via }];
      }
      checkDigestBranches(o.digest, o.branches);
      const { branches, noWorker } = await awaitingApproval(temporal, workflowId, o.branches);
      const payload = { ...(o.digest ? { digest: o.digest } : {}), approver };
      return fromDeliveries(
        await deliver(
          temporal,
          branches,
          { update: approveUpdate, signal: approveSignal, payload },
          noWorker,
        ),
      );
    },
    async reject(workflowId, o) {
      const payload = { reason: o.reason, approver: o.approver ?? operator() };
      if (isTagWorkflowId(workflowId)) {
        notFor('a tag procedure (it has no branches)', { '--branch': o.branches });
        await runningTagStatus(temporal, workflowId, 'reject');
        const sent = await decideGate(temporal, workflowId, tagGate, rejection(payload));
        return [{ target: workflowId, ok: true, via: sent.via }];
      }
      const { branches, noWorker, wholeBump } = await undecided(temporal, workflowId, o.branches);
      if (wholeBump) {
        await temporal.workflow.getHandle(workflowId).signal(rejectSignal, payload);
        return [{ target: workflowId, ok: true, via: 'signal' }];
      }
      return fromDeliveries(
        await deliver(temporal, branches, { update: rejectUpdate, signal: rejectSignal, payload }, noWorker),
      );
    },
    close: () => temporal.connection.close(),
  };
}
