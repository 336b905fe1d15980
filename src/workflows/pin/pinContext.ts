/**
 * What the pin run is built on: the kit's procedure (status and reporter,
 * the approval gate, the blockable step with its `retry` signal, the
 * `status` query), its activities, and its result (the final status).
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { Procedure, State, Target } from '../../shared/searchAttributes.js';
import {
  PIN_PROCEDURE,
  pinGate,
  pinStatusQuery,
  type PinInput,
  type PinResult,
  type PinState,
  type PinStatus,
} from '../../shared/pin.js';
import { describeScope } from '../../lib/sweep/scope.js';
import { createProcedure, type Blocker, type EndExtra, type Gate } from '../kit/index.js';
import { repoKey } from '../bump/repoKey.js';
import { pinActivitiesFor, type PinActivities } from './proxies.js';
import { pinDetails } from './details.js';

export interface PinContext {
  input: PinInput;
  status: PinStatus;
  acts: PinActivities;
  gate: Gate;
  step: Blocker['step'];
  enter(state: PinState): void;
  report(): void;
  finish(state: PinState, extra?: EndExtra): PinResult;
  settleNotices(): Promise<void>;
}

/** From `pushing` on, the pins are being written: too late to reject them. */
const DECIDED: readonly PinState[] = ['pushing', 'opening-pr'];

function searchAttributes(target: string, s: PinStatus): SearchAttributeUpdatePair[] {
  return [
    { key: Procedure, value: PIN_PROCEDURE },
    { key: Target, value: target },
    { key: State, value: s.state },
  ];
}

export function createPinContext(input: PinInput): PinContext {
  const target = repoKey(input.targetRepo);
  const scope = describeScope(input);
  const status: PinStatus = {
    procedure: PIN_PROCEDURE,
    repo: input.targetRepo,
    varsFile: input.varsFile,
    branch: input.branch,
    state: 'reading',
    ...(scope === undefined ? {} : { scope }),
    rows: [],
    notices: [],
    refusals: [],
  };
  const proc = createProcedure({
    status,
    details: pinDetails,
    searchAttributes: (s) => searchAttributes(target, s),
    gate: pinGate,
    statusQuery: pinStatusQuery,
    the: 'the pin run',
    noBranch: 'a pin run has one branch: drop "branch"',
    noNote: 'a pin run has no release note: drop "note"',
    decided: DECIDED,
    approvalProblem: (p) =>
      p.digest === undefined ? undefined : 'a pin run has a digest per image, not one: drop "digest"',
    notify: {
      procedure: 'pin',
      subject: () => `${input.varsFile} on ${input.branch} of ${input.targetRepo}`,
      prs: (s) => (s.prUrl === undefined ? [] : [{ branch: input.branch, url: s.prUrl }]),
    },
    result: (): PinResult => ({ ...status }),
  });
  proc.refuseOtherSignals();
  return { input, status, acts: pinActivitiesFor(input.retry), ...proc };
}
