/**
 * What the retag from a manifest is built on: the kit's procedure (status and
 * reporter, the approval gate, the blockable step with its `retry` signal,
 * the `status` query), its activities, and the `retagEntryDone` signal its
 * entries' children send (parsed, a bad or unknown one refused and recorded).
 */
import { Procedure, State, Target } from '../../shared/searchAttributes.js';
import { retagGate, retagStatusQuery } from '../../shared/tagMessages.js';
import {
  type RetagEntryDone,
  type RetagManifestInput,
  type RetagResult,
  type RetagState,
  type RetagStatus,
} from '../../shared/retag.js';
import { binder, createProcedure, onPatch, Patches, type Blocker, type Gate } from '../kit/index.js';
import { handleEntryReports, type AskedEntry } from './entryReports.js';
import { retagDetails } from './retagDetails.js';

export function retagActivitiesFor(retry: RetagManifestInput['retry']) {
  const bind = binder(retry);
  return {
    readRetagManifest: bind('readRetagManifest', 'git', (i) => `read ${i.path} at ${i.ref} of ${i.repoUrl}`),
    resolveRetagEntries: bind(
      'resolveRetagEntries',
      'registry',
      (i) => `resolve the source and target tags of ${i.entries.length} entries`,
    ),
    requestRetagImages: bind(
      'requestRetagImages',
      'registry',
      (i) => `ask the repositories' queues for ${i.requests.length} write(s)`,
    ),
  };
}

export interface RetagContext {
  input: RetagManifestInput;
  status: RetagStatus;
  acts: ReturnType<typeof retagActivitiesFor>;
  gate: Gate;
  step: Blocker['step'];
  /** the children's words, by child id, as they come */
  done: Map<string, RetagEntryDone>;
  /** the writes asked of the queues, by child id (Patches.retagEntryConfirmed: a word is checked against them) */
  asked: Map<string, AskedEntry>;
  enter(state: RetagState): void;
  report(): void;
  finish(state: RetagState, extra?: Partial<RetagResult>): RetagResult;
  /** waits for the notices told (the kit's notifier) */
  settleNotices(): Promise<void>;
}

const DECIDED: readonly RetagState[] = ['writing'];

export function createRetagContext(input: RetagManifestInput, repoKey: string): RetagContext {
  const status: RetagStatus = {
    procedure: 'retag',
    repoUrl: input.repoUrl,
    path: input.path,
    ref: input.ref,
    state: 'reading',
    entries: [],
    pending: [],
    notices: [],
    refusals: [],
  };
  const proc = createProcedure({
    status,
    details: retagDetails,
    searchAttributes: (s) => [
      { key: Procedure, value: 'retag' },
      { key: Target, value: repoKey },
      { key: State, value: s.state },
    ],
    gate: retagGate,
    statusQuery: retagStatusQuery,
    the: 'the retag',
    noBranch: 'a retag has no branches: drop "branch"',
    noNote: 'a retag has no release note: drop "note"',
    decided: DECIDED,
    approvalProblem: (p) =>
      p.digest === undefined ? undefined : 'a retag writes many digests: drop "digest" and approve the plan',
    notify: {
      procedure: 'retag',
      subject: (s) =>
        `${input.path} in ${input.repoUrl}${s.commit === undefined ? '' : ` at ${s.commit.slice(0, 12)}`}`,
    },
    result: (state: RetagState, extra: Partial<RetagResult>): RetagResult => ({
      procedure: 'retag',
      repoUrl: input.repoUrl,
      path: input.path,
      ref: input.ref,
      commit: status.commit,
      state,
      plan: status.plan,
      entries: status.entries,
      ...extra,
    }),
  });
  const done = new Map<string, RetagEntryDone>();
  const asked = new Map<string, AskedEntry>();
  handleEntryReports({
    pending: () => status.pending,
    done,
    asked,
    refuse: proc.refuse,
    confirm: onPatch(Patches.retagEntryConfirmed),
  });

  proc.refuseOtherSignals(['retagEntryDone']);
  return { input, status, acts: retagActivitiesFor(input.retry), done, asked, ...proc };
}
