/**
 * What the catalog update is built on: the kit's procedure (status and
 * reporter, the approval gate, the blockable step with its `retry` signal,
 * the `status` query), its activities, and its result (the final status).
 * The procedure is then only its steps.
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { Procedure, State, Target } from '../../shared/searchAttributes.js';
import {
  CATALOG_PROCEDURE,
  catalogGate,
  catalogScope,
  catalogStatusQuery,
  type CatalogInput,
  type CatalogResult,
  type CatalogState,
  type CatalogStatus,
} from '../../shared/catalog.js';
import { createProcedure, onPatch, Patches, type Blocker, type EndExtra, type Gate } from '../kit/index.js';
import { repoKey } from '../bump/repoKey.js';
import { catalogActivitiesFor, type CatalogActivities } from './proxies.js';
import { catalogDetails } from './details.js';

export interface CatalogContext {
  input: CatalogInput;
  /** what the update reads (catalogScope): the one file, the files named, or `etc/images/` */
  scope: string;
  /** a run of several files (paths, or every catalog of a folder): rows carry their file */
  many: boolean;
  status: CatalogStatus;
  acts: CatalogActivities;
  /** side-by-side steps settle before a failure is acted on (Patches.settledSiblings) */
  settle: boolean;
  /** new images are streamed to the worker's S3 mirror after approval (Patches.catalogMirror) */
  mirror: boolean;
  gate: Gate;
  step: Blocker['step'];
  enter(state: CatalogState): void;
  report(): void;
  /** the final status as the result (with the error, or a rejection's reason); the last report */
  finish(state: CatalogState, extra?: EndExtra): CatalogResult;
  /** waits for the notices told (the kit's notifier) */
  settleNotices(): Promise<void>;
}

/** From `pushing` on, the update is being carried out: too late to reject it. */
const DECIDED: readonly CatalogState[] = ['mirroring', 'pushing', 'opening-pr'];

function searchAttributes(target: string, s: CatalogStatus): SearchAttributeUpdatePair[] {
  return [
    { key: Procedure, value: CATALOG_PROCEDURE },
    { key: Target, value: target },
    { key: State, value: s.state },
  ];
}

export function createCatalogContext(input: CatalogInput): CatalogContext {
  const target = repoKey(input.repoUrl);
  const scope = catalogScope(input);
  const status: CatalogStatus = {
    procedure: CATALOG_PROCEDURE,
    repo: input.repoUrl,
    path: scope,
    branch: input.branch,
    state: 'reading',
    dryRun: input.dryRun,
    keep: input.keep,
    images: [],
    skipped: [],
    notices: [],
    refusals: [],
  };
  const proc = createProcedure({
    status,
    details: catalogDetails,
    searchAttributes: (s) => searchAttributes(target, s),
    gate: catalogGate,
    statusQuery: catalogStatusQuery,
    the: 'the catalog update',
    noBranch: 'a catalog update has one branch: drop "branch"',
    noNote: 'a catalog update has no release note: drop "note"',
    decided: DECIDED,
    approvalProblem: (p) =>
      p.digest === undefined ? undefined : 'a catalog update has no image digest: drop "digest"',
    notify: {
      procedure: 'catalog',
      subject: () => `${scope} in ${input.repoUrl} (${input.branch})`,
      prs: (s) => (s.prUrl === undefined ? [] : [{ branch: input.branch, url: s.prUrl }]),
    },
    result: (_state: CatalogState, _extra: EndExtra): CatalogResult => ({ ...status }),
  });

  const settle = onPatch(Patches.settledSiblings);
  const mirror = onPatch(Patches.catalogMirror);
  proc.refuseOtherSignals();
  return {
    input,
    scope,
    many: input.path === undefined,
    status,
    acts: catalogActivitiesFor(input.retry),
    settle,
    mirror,
    ...proc,
  };
}
