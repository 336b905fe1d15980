/**
 * The retag run's `retagEntryDone` handler: an entry (retagImage) tells its
 * run how it ended, and a person can send the same signal. Before
 * Patches.retagEntryConfirmed the word was taken as sent. From it on a word
 * is a hint: the run asks the entry it names (lookAtWorkflow) and records the
 * outcome the entry's own status shows, once it has ended. A word no entry of
 * this run sent — no such workflow, another type, one started before the run
 * asked for it, one that has not ended, one that wrote something else — is
 * refused and recorded; a word that says otherwise than the entry's status is
 * refused, and the status's outcome recorded.
 */
import { setHandler } from '@temporalio/workflow';
import { FatalFailure } from '../../shared/failures.js';
import { parsePayload } from '../../shared/payloads.js';
import { retagEntryDoneSignal, TagWorkflowType } from '../../shared/tagMessages.js';
import { OTHER_ENDS } from '../../shared/procedure.js';
import { retagEntryDoneSchema, type RetagEntryDone, type RetagOutcome } from '../../shared/retag.js';
import type { TagStatus } from '../../shared/tags.js';
import type { WorkflowLook } from '../../activities/index.js';
import { lookAt } from '../kit/index.js';

/** The outcome of an entry that failed, by the failure's type. */
export const OUTCOME_OF_FAILURE: Record<string, RetagOutcome> = {
  [FatalFailure.TagExists]: 'conflict',
  [FatalFailure.ManifestUnknown]: 'missing-source',
};

/** A write the run asked its queue for, under the entry's id. */
export interface AskedEntry {
  index: number;
  tag: string;
  digest: string;
  from?: string | undefined;
  /** when the run asked (ISO): its entry starts after */
  since: string;
}

/** The entry's word as its status shows it, or why that status is no word of this run's entry. */
function wordOf(id: string, asked: AskedEntry, look: WorkflowLook): RetagEntryDone | string {
  if (!look.found) return 'is no workflow';
  if (look.type !== TagWorkflowType.retag)
    return `is a ${look.type ?? '?'} workflow, not a ${TagWorkflowType.retag}`;
  if ((look.startTime ?? '') < asked.since) return 'started before this retag asked for it';
  const s = look.status as TagStatus;
  if (s.state !== 'done' && !(OTHER_ENDS as readonly string[]).includes(s.state))
    return `has not ended (it is ${s.state})`;
  const planned = s.plan?.tags[0];
  if (planned?.tag !== asked.tag || s.plan?.digest !== asked.digest || planned.from !== asked.from)
    return `is the write of ${planned?.tag ?? 'no tag'} → ${s.plan?.digest ?? 'no digest'}, not the planned ${asked.tag} → ${asked.digest}`;
  if (s.state === 'done')
    return {
      workflowId: id,
      index: asked.index,
      outcome: asked.from === undefined ? 'copied' : 'repushed',
      digest: asked.digest,
      write: s.written.at(-1)?.outcome as RetagEntryDone['write'],
    };
  const error = s.error ?? { type: 'Error', message: `ended ${s.state}` };
  return { workflowId: id, index: asked.index, outcome: OUTCOME_OF_FAILURE[error.type] ?? 'failed', error };
}

export interface EntryReports {
  pending: () => readonly string[];
  /** the words taken, by entry id (the first stands) */
  done: Map<string, RetagEntryDone>;
  asked: Map<string, AskedEntry>;
  refuse: (problem: string) => void;
  confirm: boolean;
}

export function handleEntryReports(o: EntryReports): void {
  setHandler(retagEntryDoneSignal, async (raw: unknown) => {
    const p = parsePayload(retagEntryDoneSchema, raw, 'retagEntryDone');
    if (!p.ok) return o.refuse(p.problem);
    const id = p.value.workflowId;
    if (!o.pending().includes(id) && !o.done.has(id))
      return o.refuse(`retagEntryDone refused: ${id} is not an entry this retag asked for`);
    // a child run again (a retried request) says the same: the first word stands
    if (!o.confirm) return void (o.done.has(id) || o.done.set(id, p.value));
    const asked = o.asked.get(id);
    if (o.done.has(id) || asked === undefined) return;
    const look = await lookAt({ workflowId: id, type: TagWorkflowType.retag, query: 'status' });
    if (look === undefined || o.done.has(id)) return; // unconfirmed (logged): the entry's own word comes
    const word = wordOf(id, asked, look);
    if (typeof word === 'string')
      return o.refuse(`retagEntryDone refused: ${id} ${word}: no entry of this retag said so`);
    if (word.outcome !== p.value.outcome || p.value.index !== asked.index)
      o.refuse(
        `retagEntryDone refused: it says images[${p.value.index}] ${p.value.outcome}, ${id} ended ${word.outcome}`,
      );
    o.done.set(id, word);
  });
}
