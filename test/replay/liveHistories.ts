/**
 * For the live failure-path tests (test/workflows/procedureFaults.test.ts):
 * two workers (with the workflow cache, and with none: every workflow task
 * then replays the history so far, as after a restart or an eviction), each
 * on a task queue of its own, whose activities are the running case's (its
 * world's, with its fault); the check of every history a case left — no
 * WorkflowTaskFailed event (a nondeterminism error or a handler that threw)
 * — and, once all cases ran, that each replays on today's bundled workflows
 * (replayAll: one replay worker for them all).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../../src/activities/index.js';
import type { TemporalSettings } from '../../src/config.js';
import { createWorker } from '../../src/worker.js';
import { workflowBundle } from '../support/temporal.js';
import { settingsFor } from '../support/bump.js';
import type { Fault } from '../../scripts/faultHistoryCases.js';

type History = Awaited<
  ReturnType<ReturnType<TestWorkflowEnvironment['client']['workflow']['getHandle']>['fetchHistory']>
>;
type Activity = (input: unknown) => Promise<unknown>;

/** A history a case left, with the workflow id replay needs. */
export interface LiveHistory {
  workflowId: string;
  history: History;
}

export interface FaultWorkers {
  /**
   * Runs `fn` while the worker of the mode polls, its activities `activities`
   * (the case's world's, with the fault); then checks the workflows the case
   * ran (assertHistoriesClean) and returns their histories.
   */
  run(
    o: { deps: ActivityDeps; activities: Record<string, unknown>; evict: boolean },
    fn: (settings: TemporalSettings) => Promise<unknown>,
  ): Promise<History[]>;
  /** Replays every history the cases left (one replay worker); the failures, by workflow id. */
  replayAll(): Promise<{ count: number; failed: string[] }>;
  close(): Promise<void>;
}

/** The two workers, each started at its first case (from whose world's deps it reads the activities' names). */
export function faultWorkers(env: TestWorkflowEnvironment): FaultWorkers {
  let current: Record<string, unknown> | undefined;
  const seen = new Set<string>();
  const left: LiveHistory[] = [];
  const started = new Map<boolean, Promise<{ settings: TemporalSettings; stop(): Promise<void> }>>();

  async function start(evict: boolean, deps: ActivityDeps) {
    const settings = settingsFor(env, `bumpflow-faults-${evict ? 'no-cache' : 'cache'}-${randomUUID()}`);
    // every activity by name, run as the current case has it
    const names = Object.keys(createActivities(deps));
    const activities = Object.fromEntries(
      names.map((name) => [name, (input: unknown) => (current![name] as Activity)(input)]),
    );
    const worker = await createWorker({
      connection: env.nativeConnection,
      namespace: settings.namespace,
      taskQueue: settings.taskQueue,
      deps,
      workflowBundle: await workflowBundle(),
      activities,
      ...(evict ? { maxCachedWorkflows: 0 } : {}),
    });
    const running = worker.run();
    return {
      settings,
      async stop() {
        worker.shutdown();
        await running;
      },
    };
  }

  /** The workflows a case ran (those of the queue not seen before): none with a WorkflowTaskFailed event. */
  async function checkNew(taskQueue: string): Promise<History[]> {
    const histories: History[] = [];
    for await (const wf of env.client.workflow.list({ query: `TaskQueue = "${taskQueue}"` })) {
      if (seen.has(wf.runId)) continue;
      seen.add(wf.runId);
      const history = await env.client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
      const failed = (history.events ?? []).flatMap((e) =>
        e.workflowTaskFailedEventAttributes
          ? [
              `${String(e.workflowTaskFailedEventAttributes.cause)}: ${e.workflowTaskFailedEventAttributes.failure?.message ?? ''}`,
            ]
          : [],
      );
      assert.deepEqual(failed, [], `${wf.workflowId} (${wf.type}): no workflow task failed`);
      histories.push(history);
      left.push({ workflowId: wf.workflowId, history });
    }
    assert.ok(histories.length > 0, `expected the case's workflows on ${taskQueue}, found none`);
    return histories;
  }

  return {
    async run(o, fn) {
      if (!started.has(o.evict)) started.set(o.evict, start(o.evict, o.deps));
      const { settings } = await started.get(o.evict)!;
      current = o.activities;
      try {
        await fn(settings);
      } finally {
        current = undefined;
      }
      return checkNew(settings.taskQueue);
    },
    async replayAll() {
      const failed: string[] = [];
      let count = 0;
      const replayed = Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, left);
      for await (const r of replayed) {
        count += 1;
        if (r.error !== undefined) failed.push(`${r.workflowId}: ${r.error.name}: ${r.error.message}`);
      }
      return { count, failed };
    },
    async close() {
      for (const w of started.values()) await (await w).stop();
    },
  };
}

/**
 * A fault among side-by-side calls (`first`, `last`, `together`): in the
 * history that ran them, every call of the activity ended before the
 * workflow did (none left running: the failure waited for its siblings,
 * Patches.settledSiblings), and the failure came before the siblings'
 * results (`first`) or after them all (`last`).
 */
export function assertSiblingsSettled(histories: History[], fault: Fault): void {
  if (fault.when === 'alone') return;
  const ran = histories.filter((h) =>
    (h.events ?? []).some(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === fault.activity,
    ),
  );
  assert.equal(
    ran.length,
    1,
    `expected one workflow to run ${fault.activity} side by side, found ${ran.length}`,
  );
  const events = ran[0]!.events ?? [];
  const id = (e: (typeof events)[number]) => Number(e.eventId);
  const scheduled = events
    .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === fault.activity)
    .map(id);
  assert.equal(scheduled.length, fault.siblings, `${fault.activity} scheduled ${fault.siblings} times`);
  const ends = events.flatMap((e) => {
    const a =
      e.activityTaskCompletedEventAttributes ??
      e.activityTaskFailedEventAttributes ??
      e.activityTaskTimedOutEventAttributes ??
      e.activityTaskCanceledEventAttributes;
    const of = Number(a?.scheduledEventId ?? 0);
    // the injected failure (a real refusal, e.g. an unsigned image's, is a sibling's answer)
    const failure = e.activityTaskFailedEventAttributes?.failure;
    const injected =
      /^injected: /.test(failure?.message ?? '') || /^injected: /.test(failure?.cause?.message ?? '');
    return scheduled.includes(of) ? [{ at: id(e), failed: injected }] : [];
  });
  const closed = events.find(
    (e) =>
      e.workflowExecutionFailedEventAttributes != null || e.workflowExecutionCompletedEventAttributes != null,
  );
  assert.ok(closed, 'the workflow ended');
  assert.equal(ends.length, scheduled.length, `every ${fault.activity} ended`);
  assert.ok(
    ends.every((x) => x.at < id(closed)),
    `every ${fault.activity} ended before the workflow did`,
  );
  const failedAt = ends.filter((x) => x.failed).map((x) => x.at);
  const doneAt = ends.filter((x) => !x.failed).map((x) => x.at);
  assert.equal(failedAt.length, 1, `one ${fault.activity} failed, injected`);
  if (fault.when === 'first')
    assert.ok(
      doneAt.every((at) => at > failedAt[0]!),
      'it failed while its siblings still ran',
    );
  if (fault.when === 'last')
    assert.ok(
      doneAt.every((at) => at < failedAt[0]!),
      'it failed once its siblings had finished',
    );
}
