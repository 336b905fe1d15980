/**
 * A closed workflow whose `status` query cannot answer (it ended before it
 * registered its handlers, e.g. refused at its input): what the CLI shows
 * instead, from the server's own record — how it ended, its typed failure,
 * and the input it was started with (issue 20 item 7: every closed
 * workflow's status is readable).
 */
import { WorkflowFailedError, type Client } from '@temporalio/client';
import type { ErrorInfo } from '../../shared/bump.js';
import { refused } from './exitCodes.js';

export interface ClosedRun {
  /** `failed`, `terminated`, `timed out`, `cancelled`, `completed` … */
  ended: string;
  failure?: ErrorInfo;
  /** the first argument the workflow was started with, when it was an object */
  input: Record<string, unknown>;
}

/** The closed run of `id`, or undefined while it still runs (then the query's own error stands). */
export async function closedRun(client: Client, id: string): Promise<ClosedRun | undefined> {
  const handle = client.workflow.getHandle(id);
  const description = await handle.describe();
  if (description.status.name === 'RUNNING') return undefined;
  const ended = description.status.name.toLowerCase().replace(/_/g, ' ');
  const failure = await handle.result().then(
    () => undefined,
    (err: unknown): ErrorInfo | undefined => {
      if (!(err instanceof WorkflowFailedError)) return undefined;
      const cause = err.cause as { type?: string; message?: string } | undefined;
      return { type: cause?.type ?? 'Error', message: cause?.message ?? err.message };
    },
  );
  return { ended, ...(failure === undefined ? {} : { failure }), input: await startInput(client, id) };
}

async function startInput(client: Client, id: string): Promise<Record<string, unknown>> {
  const history = await client.workflow.getHandle(id).fetchHistory();
  const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  if (payload === undefined) return {};
  try {
    const value = await client.options.loadedDataConverter.payloadConverter.fromPayload(payload);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

/**
 * The query's error, or — when the workflow already ended without answering
 * it — exit 1 with how it ended and its typed failure.
 */
export async function closedOrRethrow(client: Client, id: string, err: unknown): Promise<never> {
  const run = await closedRun(client, id).catch(() => undefined);
  if (run === undefined) throw err;
  const why = run.failure === undefined ? '' : `: ${run.failure.type}: ${run.failure.message}`;
  throw refused(`${id} ended (${run.ended}) before it could answer its status${why}`);
}

/** A field of the start input as text for the status table (never an object dumped whole). */
export function inputText(run: ClosedRun, key: string): string {
  const value = run.input[key];
  return typeof value === 'string' ? value : '?';
}
