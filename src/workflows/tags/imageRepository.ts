/**
 * imageRepository: the one queue that mutates an image repository's tags (the
 * seed's `prod-image-mutation` concurrency group). The CLI sends each request
 * with signal-with-start; the queue runs them as child workflows, one at a
 * time, in the order they came, under the ids the CLI chose — so a rollback
 * sent during a promotion waits its turn, and never interleaves with it.
 *
 * It also keeps the repository's ledger of when each `tag@digest` was first
 * seen (the clean-up's age for images without a created time), carried across
 * continue-as-new. Requests are parsed at the handler; a bad one is refused
 * and recorded, never fatal. A request is no authority: each child checks its
 * own preconditions (a retag entry asks the retag run it names whether it
 * planned and approved it); one refused so (UnapprovedWrite) is recorded too.
 */
import {
  condition,
  continueAsNew,
  executeChild,
  setHandler,
  workflowInfo,
  allHandlersFinished,
} from '@temporalio/workflow';
import { z } from 'zod';
import { ImageRepo, Procedure, State, Target } from '../../shared/searchAttributes.js';
import {
  imageNameSchema,
  queueRequestSchema,
  type ParsedQueueRequest,
  type QueueStatus,
  type TagResult,
} from '../../shared/tags.js';
import { parsePayload } from '../../shared/payloads.js';
import { FatalFailure } from '../../shared/failures.js';
import { queueRequestSignal, queueStatusQuery, TagWorkflowType } from '../../shared/tagMessages.js';
import { queueDetails, requestSummary } from '../../lib/tags/tagDetails.js';
import { createReporter, errorInfo, parseInput, recordRefusal, refuseUnknownSignals } from '../kit/index.js';

/** The queue's input, parsed at its start: one started by hand with anything else fails BadInput, never its task. */
const imageRepositoryInputSchema = z.lazy(() =>
  z.strictObject({
    image: imageNameSchema,
    /** `tag@digest` → ISO time first seen */
    firstSeen: z.record(z.string().max(300), z.string().max(100)).optional(),
    /** requests not yet run when the previous run continued as new */
    pending: z.array(queueRequestSchema).max(10_000).optional(),
  }),
);
export type ImageRepositoryInput = z.input<typeof imageRepositoryInputSchema>;

const KEEP_RECENT = 10;
const KEEP_SEEN = 5_000;
const IDLE_BEFORE_NEW_RUN = '1h';

export async function imageRepository(raw: ImageRepositoryInput): Promise<void> {
  const input = parseInput(
    imageRepositoryInputSchema,
    raw,
    "a repository's queue {image: {registry, repository}, …}",
  );
  const shown = `${input.image.registry}/${input.image.repository}`;
  const firstSeen: Record<string, string> = { ...(input.firstSeen ?? {}) };
  const queue: (ParsedQueueRequest & { requestedAt: string })[] = (input.pending ?? []).map((r) => ({
    ...r,
    requestedAt: new Date().toISOString(),
  }));
  const known = new Map(
    queue.map((r) => [
      r.workflowId,
      JSON.stringify({ procedure: r.procedure, workflowId: r.workflowId, input: r.input }),
    ]),
  );
  const status: QueueStatus = { image: shown, waiting: [], recent: [], refusals: [] };

  const reporter = createReporter({
    status,
    details: queueDetails,
    searchAttributes: (st) => [
      { key: Procedure, value: 'image-repo' },
      { key: ImageRepo, value: shown },
      { key: Target, value: shown },
      { key: State, value: st.running ? (queue.length ? `busy+${queue.length}` : 'busy') : 'idle' },
    ],
  });
  function show(): void {
    status.waiting = queue.map((r) => ({
      workflowId: r.workflowId,
      procedure: r.procedure,
      requestedAt: r.requestedAt,
      requestedBy: r.input.requestedBy,
    }));
    reporter.report();
  }

  setHandler(queueStatusQuery, () => status);
  setHandler(queueRequestSignal, (raw: unknown) => {
    const p = parsePayload(queueRequestSchema, raw, 'request');
    if (!p.ok) return (recordRefusal(status.refusals, p.problem), show());
    const r = p.value;
    const image = `${r.input.image.registry}/${r.input.image.repository}`;
    if (image !== shown) {
      recordRefusal(
        status.refusals,
        `request refused: ${r.workflowId} is for ${image}, this queue serialises ${shown}`,
      );
      return show();
    }
    const earlier = known.get(r.workflowId);
    if (earlier !== undefined) {
      // the same request again (a client retried its send) is taken once, silently; another under its id is refused
      if (earlier !== JSON.stringify(r))
        recordRefusal(
          status.refusals,
          `request refused: ${r.workflowId} was already requested (${JSON.parse(earlier).procedure}); one request per id`,
        );
      return show();
    }
    known.set(r.workflowId, JSON.stringify(r));
    queue.push({ ...r, requestedAt: new Date().toISOString() });
    show();
  });
  // a signal no handler takes is recorded, never dropped unseen (set last: one that came with the start is the request's)
  refuseUnknownSignals(['request'], (problem) => {
    recordRefusal(status.refusals, problem);
    reporter.reportFinal();
  });

  show();
  for (;;) {
    const hasWork = await condition(() => queue.length > 0, IDLE_BEFORE_NEW_RUN);
    if (!hasWork || workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > 2_000) {
      if (queue.length === 0) {
        await condition(allHandlersFinished);
        const seen = Object.entries(firstSeen).slice(-KEEP_SEEN);
        await continueAsNew<typeof imageRepository>({
          image: input.image,
          firstSeen: Object.fromEntries(seen),
          pending: [],
        });
      }
      if (!hasWork) continue;
    }
    const next = queue.shift()!;
    status.running = {
      workflowId: next.workflowId,
      procedure: next.procedure,
      since: new Date().toISOString(),
    };
    show();
    const args =
      next.procedure === 'cleanup'
        ? { ...next.input, firstSeen: { ...firstSeen, ...next.input.firstSeen } }
        : next.input;
    let state = 'failed';
    try {
      const result = (await executeChild(TagWorkflowType[next.procedure], {
        workflowId: next.workflowId,
        args: [args],
        staticSummary: requestSummary(next),
      })) as TagResult;
      state = result.state;
      Object.assign(firstSeen, result.firstSeen ?? {});
    } catch (err) {
      const error = errorInfo(err);
      state = `failed: ${error.type}`;
      // a write no approved plan covers (checked by the child before it wrote): on record as refused
      if (error.type === FatalFailure.UnapprovedWrite)
        recordRefusal(status.refusals, `request refused: ${next.workflowId}: ${error.message}`);
    }
    status.recent.unshift({
      workflowId: next.workflowId,
      procedure: next.procedure,
      state,
      ended: new Date().toISOString(),
    });
    status.recent.splice(KEEP_RECENT);
    status.running = undefined;
    show();
  }
}
