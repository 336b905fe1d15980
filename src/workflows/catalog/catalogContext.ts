/**
 * What the catalog update is built on: its status and reporter (UI details,
 * search attributes), the approval gate (signals for the UI, updates for the
 * CLI, both parsed at the handler), the blockable step with its `retry`
 * signal, and the `status` query. The procedure is then only its steps.
 */
import { setHandler } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { Procedure, State, Target } from '../../shared/searchAttributes.js';
import { retrySignal } from '../../shared/messages.js';
import { parsePayload, retryPayloadSchema, type ApprovePayload } from '../../shared/payloads.js';
import {
  CATALOG_PROCEDURE,
  catalogGate,
  catalogStatusQuery,
  type CatalogInput,
  type CatalogResult,
  type CatalogState,
  type CatalogStatus,
} from '../../shared/catalog.js';
import {
  createBlocker,
  createGate,
  createReporter,
  recordRefusal,
  type Blocker,
  type Gate,
} from '../kit/index.js';
import { repoKey } from '../bump/repoKey.js';
import { catalogActivitiesFor, type CatalogActivities } from './proxies.js';
import { catalogDetails } from './details.js';

export interface CatalogContext {
  input: CatalogInput;
  status: CatalogStatus;
  acts: CatalogActivities;
  gate: Gate;
  step: Blocker['step'];
  enter(state: CatalogState): void;
  report(): void;
  /** the final status as the result; the last report */
  finish(state: CatalogState): CatalogResult;
}

/** From `pushing` on, the update is being carried out: too late to reject it. */
const DECIDED: readonly CatalogState[] = ['pushing', 'opening-pr'];
const NO_BRANCH = 'a catalog update has one branch: drop "branch"';

function searchAttributes(target: string, s: CatalogStatus): SearchAttributeUpdatePair[] {
  return [
    { key: Procedure, value: CATALOG_PROCEDURE },
    { key: Target, value: target },
    { key: State, value: s.state },
  ];
}

export function createCatalogContext(input: CatalogInput): CatalogContext {
  const target = repoKey(input.repoUrl);
  const status: CatalogStatus = {
    procedure: CATALOG_PROCEDURE,
    repo: input.repoUrl,
    path: input.path,
    branch: input.branch,
    state: 'reading',
    dryRun: input.dryRun,
    keep: input.keep,
    images: [],
    skipped: [],
    notices: [],
    refusals: [],
  };
  const reporter = createReporter({
    status,
    details: catalogDetails,
    searchAttributes: (s) => searchAttributes(target, s),
  });
  const report = () => reporter.report();
  const refuse = (problem: string) => (recordRefusal(status.refusals, problem), report());
  const gate = createGate({
    messages: catalogGate,
    current: () => status,
    refuse,
    approvalProblem: (p: ApprovePayload) => {
      if (status.state !== 'awaiting-approval')
        return `the catalog update is ${status.state}, not awaiting approval`;
      if (p.branch !== undefined) return NO_BRANCH;
      if (p.note !== undefined) return 'a catalog update has no release note: drop "note"';
      if (p.digest !== undefined) return 'a catalog update has no image digest: drop "digest"';
      return undefined;
    },
    rejectionProblem: (p) => {
      if (p.branch !== undefined) return NO_BRANCH;
      if (DECIDED.includes(status.state)) return `the catalog update is ${status.state}: too late to reject`;
      return undefined;
    },
  });
  const blocker = createBlocker({
    getState: () => status.state,
    setState: (s) => (status.state = s as CatalogState),
    setStep: (s) => (status.step = s),
    setLastError: (e) => (status.error = e),
    report,
    rejected: () => gate.rejected(),
  });
  setHandler(catalogStatusQuery, () => status);
  setHandler(retrySignal, (raw: unknown) => {
    const p = parsePayload(retryPayloadSchema, raw, 'retry');
    if (!p.ok) return refuse(p.problem);
    if (p.value.branch !== undefined) return refuse(NO_BRANCH);
    if (!blocker.retry()) refuse(`retry refused: the catalog update is ${status.state}, not blocked`);
  });

  return {
    input,
    status,
    acts: catalogActivitiesFor(input.retry),
    gate,
    step: (name, run, options) => blocker.step(name, run, options),
    report,
    enter(state) {
      status.state = state;
      report();
    },
    finish(state) {
      status.state = state;
      status.step = undefined;
      reporter.reportFinal();
      return { ...status };
    },
  };
}
