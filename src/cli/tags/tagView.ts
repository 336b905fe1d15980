/**
 * What the CLI knows of a tag procedure (promote, rollback, clean-up): its
 * `status` query once the repository's queue has started it, or — before
 * that — its place in the queue (the queue's `status` query). And the tag
 * procedures for `list`: from the search attributes, plus the requests still
 * waiting in every running queue.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import {
  ImageRepo,
  Procedure,
  queueOfTagWorkflow,
  queueStatusQuery,
  State,
  tagProcedures,
  tagStatusQuery,
  TagWorkflowType,
  type QueueStatus,
  type TagResult,
  type TagState,
  type TagStatus,
} from '../../shared/messages.js';
import { workflowUiUrl, type TemporalSettings } from '../../config.js';
import { isNoWorker, withWorkerDeadline } from '../kit/connect.js';
import { refused, usage } from '../kit/exitCodes.js';
import type { ListedTagProcedure, QueuedView } from './tagFormat.js';
import { closedOrRethrow } from '../kit/closedRun.js';

export type TagView =
  { kind: 'procedure'; status: TagStatus; reason?: string | undefined } | ({ kind: 'queued' } & QueuedView);

/** States in which a tag procedure has ended. */
export const ENDED: readonly TagState[] = ['done', 'no-op', 'dry-run', 'rejected', 'expired', 'failed'];
/** Ends an operator should hear about with exit code 1. */
export const ENDED_BADLY: readonly TagState[] = ['failed', 'rejected', 'expired'];

export function isTagWorkflowId(id: string): boolean {
  return queueOfTagWorkflow(id) !== undefined;
}

const NO_WORKER = (what: string) =>
  `no worker answered the status query of ${what} within 10 s: start one ('npm run worker', task queue as BUMPFLOW_TASK_QUEUE); meanwhile 'bumpflow list' shows the states recorded in the search attributes`;

async function queryQueue(client: Client, queueId: string): Promise<QueueStatus | undefined> {
  try {
    return await withWorkerDeadline(client, () => client.workflow.getHandle(queueId).query(queueStatusQuery));
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    if (isNoWorker(err)) throw refused(NO_WORKER(queueId));
    throw err;
  }
}

/** The procedure's status, or where it waits; a usage error when neither the procedure nor its queue knows the id. */
export async function readTagView(client: Client, id: string): Promise<TagView> {
  const queueId = queueOfTagWorkflow(id);
  if (queueId === undefined)
    throw usage(
      `expected a tag procedure id such as promote/ghcr.io/vexxhost/magnum/20260301T142501Z-3f9a, found ${JSON.stringify(id)}`,
    );
  // The queue starts a request between our two reads now and then: look again a few times.
  for (let attempt = 0; ; attempt++) {
    const asked = Date.now();
    try {
      const handle = client.workflow.getHandle(id);
      const status = await withWorkerDeadline(client, () => handle.query(tagStatusQuery));
      if (!ENDED.includes(status.state)) return { kind: 'procedure', status };
      // why it was rejected or expired is in the result (a failed workflow has none: its error is in the status)
      const result = (await handle.result().catch(() => undefined)) as TagResult | undefined;
      return { kind: 'procedure', status, reason: result?.reason };
    } catch (err) {
      // refused at once (not after the deadline): a child just started, its first task not done yet
      const notReady = isNoWorker(err) && Date.now() - asked < 2_000 && attempt < 4;
      if (isNoWorker(err) && !notReady) throw refused(NO_WORKER(id));
      if (!notReady && !(err instanceof WorkflowNotFoundError)) return closedOrRethrow(client, id, err);
    }
    const queue = await queryQueue(client, queueId);
    const at = queue?.waiting.findIndex((w) => w.workflowId === id) ?? -1;
    if (queue !== undefined && at >= 0) {
      const w = queue.waiting[at]!;
      return {
        kind: 'queued',
        workflowId: id,
        state: 'queued',
        queueId,
        position: at + 1,
        behind: queue.running?.workflowId,
        procedure: w.procedure,
        requestedAt: w.requestedAt,
      };
    }
    if (attempt >= 4)
      throw usage(`no tag procedure with id ${id}: it has not started and is not waiting in ${queueId}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The running procedure's status, or exit 1 saying why there is nothing to `verb`. */
export async function runningTagStatus(client: Client, id: string, verb: string): Promise<TagStatus> {
  const view = await readTagView(client, id);
  if (view.kind === 'queued')
    throw refused(
      `${id} is queued (position ${view.position} in ${view.queueId}, behind ${view.behind ?? 'nothing'}): nothing to ${verb} yet`,
    );
  if (ENDED.includes(view.status.state))
    throw refused(`the ${view.status.procedure} ${id} is ${view.status.state}: nothing to ${verb}`);
  return view.status;
}

export interface TagListFilter {
  procedure?: (typeof tagProcedures)[number] | undefined;
  state?: string | undefined;
  all: boolean;
  limit: number;
}

/** Tag procedures by state from the search attributes, then the requests waiting in running queues. */
export async function listTagProcedures(
  client: Client,
  settings: TemporalSettings,
  f: TagListFilter,
): Promise<ListedTagProcedure[]> {
  const names = f.procedure ? [f.procedure] : tagProcedures;
  // `Procedure` is a word of the query language: quoted, it names the search attribute
  const clauses = [`\`Procedure\` IN (${names.map((n) => `'${n}'`).join(', ')})`];
  if (!f.all) clauses.push(`ExecutionStatus = 'Running'`);
  if (f.state) clauses.push(`State = '${f.state}'`);
  const rows: ListedTagProcedure[] = [];
  for await (const wf of client.workflow.list({ query: clauses.join(' AND ') })) {
    if (rows.length >= f.limit) return rows;
    rows.push({
      workflowId: wf.workflowId,
      procedure: wf.typedSearchAttributes.get(Procedure) ?? '-',
      image: wf.typedSearchAttributes.get(ImageRepo),
      state: wf.typedSearchAttributes.get(State),
      status: wf.status.name,
      started: wf.startTime.toISOString(),
      url: workflowUiUrl(settings, wf.workflowId),
    });
  }
  if (f.state !== undefined && f.state !== 'queued') return rows;
  const queues = `WorkflowType = '${TagWorkflowType.imageRepository}' AND ExecutionStatus = 'Running'`;
  for await (const q of client.workflow.list({ query: queues })) {
    let status: QueueStatus | undefined;
    try {
      status = await withWorkerDeadline(client, () =>
        client.workflow.getHandle(q.workflowId).query(queueStatusQuery),
      );
    } catch (err) {
      if (isNoWorker(err)) break; // one queue without a worker means none has one: the search attributes must do
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    for (const w of status?.waiting ?? []) {
      if (f.procedure !== undefined && w.procedure !== f.procedure) continue;
      if (rows.length >= f.limit) return rows;
      rows.push({
        workflowId: w.workflowId,
        procedure: w.procedure,
        image: status!.image,
        state: 'queued',
        status: 'QUEUED',
        started: w.requestedAt,
        url: workflowUiUrl(settings, q.workflowId),
      });
    }
  }
  return rows;
}
