/**
 * Replay of committed histories (test/replay/histories, recorded by
 * `npm run record-histories` for the bumps and `npx tsx
 * scripts/record-tag-histories.ts` for the tag procedures): every recorded
 * run replays against today's workflow code without a determinism error. No
 * server needed. A change that breaks one ships behind `patched()` — see
 * test/replay/README.md.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  bundleWorkflowCode,
  DefaultLogger,
  makeTelemetryFilterString,
  Runtime,
  Worker,
  type ReplayResult,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { workflowsPath } from '../../src/worker.js';
import * as bundled from '../../src/workflows/index.js';
import { historiesDir, historyFiles, historyFromJson, readHistoryJson, readIndex } from './historyFile.js';
import { activityTypes, patchIds, startedType } from './historyEvents.js';
import { PLANNING_FAULTS } from '../../scripts/bumpFaultHistoryCases.js';
import { TAG_FAULT_CASES } from '../../scripts/tagFaultHistoryCases.js';
import { RETAG_FAULT_CASES } from '../../scripts/retagFaultHistoryCases.js';
import { SWEEP_FAULT_CASES } from '../../scripts/sweepFaultHistoryCases.js';
import { CATALOG_FAULT_CASES } from '../../scripts/catalogFaultHistoryCases.js';
import { CATALOG_ALL_CASES } from '../../scripts/catalogAllHistoryCases.js';
import { PIN_FAULT_CASES } from '../../scripts/pinFaultHistoryCases.js';

/** Every bump case the recorder drives, and the branch tags it records besides the parent. */
const BUMP_CASES: Record<string, string[]> = {
  happy: ['main', '2025.1'],
  rejected: ['main', '2025.1'],
  expired: ['main', '2025.1'],
  'blocked-retried': ['main', '2025.1'],
  replanned: ['main'],
  noop: ['main', '2025.1'],
  malformed: ['main', '2025.1'],
};

/** Every tag case the tag recorder drives, and what it records: the repository's queue and its children. */
const TAG_CASES: Record<string, string[]> = {
  'promote-approved': ['queue', 'promote'],
  'promote-rejected': ['queue', 'promote'],
  'promote-unsigned': ['queue', 'promote'],
  'promote-malformed': ['queue', 'promote'],
  'rollback-auto': ['queue', 'rollback'],
  'cleanup-dry-run': ['queue', 'cleanup'],
  'cleanup-deleted': ['queue', 'cleanup'],
  'queue-two': ['queue', 'promote', 'rollback'],
  'inspect-tags': ['inspect'],
};

/** Every sweep case the sweep recorder drives (scripts/record-sweep-histories.ts): the sweep's own history. */
const SWEEP_CASES: Record<string, string[]> = {
  'sweep-report': ['sweep'],
  'sweep-bumps': ['sweep'],
};

/** Every catalog case scripts/record-catalog-histories.ts drives: the update's own history. */
const CATALOG_CASES: Record<string, string[]> = {
  'catalog-pr-opened': ['update'],
  'catalog-rejected': ['update'],
  'catalog-dry-run': ['update'],
  'catalog-checksum-missing': ['update'],
};

/** Every retag case scripts/record-retag-histories.ts drives: the manifest's history and some of its entries'. */
const RETAG_CASES: Record<string, string[]> = {
  'retag-approved': ['manifest', 'image-copied'],
  'retag-repush': ['manifest', 'image-repushed'],
  'retag-rejected': ['manifest'],
  'retag-dry-run': ['manifest'],
  'retag-malformed': ['manifest'],
};

/**
 * The bump's paths: the histories recorded before Patches.leanHistory (no
 * suffix) and after it (`.lean`), each case on both, so the old path keeps
 * replaying while runs started before the change may still be open.
 */
const LEAN_PATCH = 'bump-lean-history-1';
/**
 * Patches.notices: every case recorded once more with a notification target
 * (`.notices`), on the lean path too for the bump; the workflow types that tell.
 */
const NOTICES_PATCH = 'notices-1';
const TELLING = [
  'bumpImage',
  'promoteImage',
  'rollbackImage',
  'cleanupTags',
  'retagImage',
  'retagManifest',
  'updateCatalog',
  'sweepPins',
  'pinDigests',
];
/**
 * Patches.settledSiblings: every bump and catalog case once more (`.settled`),
 * the bump's planning faults, and the read-only inspection (`inspect-tags.settled`).
 */
const SETTLED_PATCH = 'settled-siblings-1';
const SETTLING = ['bumpImage', 'bumpBranch', 'updateCatalog', 'inspectTags'];
const FAULT_FILES = PLANNING_FAULTS.flatMap((f) =>
  ['settled', 'confirmed', 'batched'].map((p) => `${f.name}.${p}-parent.json`),
);
const INSPECT_SETTLED = 'inspect-tags.settled-inspect.json';
/**
 * The other procedures' failure paths (scripts/*FaultHistoryCases.ts, one
 * activity made to fail in turn), recorded with `--suffix faults`, on every
 * patch in force then: the queue and its child (the inspection alone), the
 * retag and its failed entry, the sweep, the catalog update.
 */
const PROCEDURE_FAULT_FILES = [
  ...TAG_FAULT_CASES.map((c) => ({
    name: c.name,
    parts: c.name.startsWith('inspect-') ? ['inspect'] : ['queue', c.name.split('-')[0]!],
  })),
  ...RETAG_FAULT_CASES.map((c) => ({
    name: c.name,
    parts: ['manifest', ...Object.keys(c.children).map((p) => `image-${p}`)],
  })),
  ...SWEEP_FAULT_CASES.map((c) => ({ name: c.name, parts: ['sweep'] })),
  ...CATALOG_FAULT_CASES.map((c) => ({ name: c.name, parts: ['update'] })),
].flatMap(({ name, parts }) => parts.map((p) => `${name}.faults-${p}.json`));
/** The retag's failure paths once more on retag-entry-confirmed-1 (`.confirmed`). */
const RETAG_CONFIRMED_FAULT_FILES = RETAG_FAULT_CASES.flatMap((c) =>
  ['manifest', ...Object.keys(c.children).map((p) => `image-${p}`)].map(
    (p) => `${c.name}.confirmed-${p}.json`,
  ),
);
const BUMP_PATHS = ['', '.lean', '.notices', '.settled', '.confirmed', '.batched'];
/**
 * The tag and retag procedures' policy patches (retag-approval-1,
 * worker-approval-1, audit-forge-check-1): every tag and retag case once more
 * (`.policy`). Patches.retryShown: the bump's blocked-retried case once more
 * (`.retryshown`), its parent and branches.
 */
const POLICY_PATHS = ['', '.notices', '.policy'];
/** retag-entry-confirmed-1 (retagManifest): every retag case once more (`.confirmed`). */
const RETAG_PATHS = [...POLICY_PATHS, '.confirmed'];
const RETRY_SHOWN_FILES = ['parent', ...BUMP_CASES['blocked-retried']!.map((t) => `branch-${t}`)].map(
  (p) => `blocked-retried.retryshown-${p}.json`,
);
const PATHS = ['', '.notices'];
/** catalog-mirror-1 (updateCatalog): every catalog case and failure path once more (`.mirror`). */
const CATALOG_PATHS = [...PATHS, '.settled', '.mirror'];
const CATALOG_MIRROR_FAULT_FILES = CATALOG_FAULT_CASES.map((c) => `${c.name}.mirror-update.json`);
/** The catalog update of several files (every catalog of etc/images/, or the files named), on every patch then in force (`.many`). */
const CATALOG_ALL_FILES = CATALOG_ALL_CASES.map((c) => `${c.name}.many-update.json`);
/**
 * A sweep with a target's images and `pin` (issue 23: new input, not a patch; on every patch
 * then in force, `.pin`): the sweep, and the pin run it started per branch (main's approved to
 * its PR, stable/2025.1's rejected); and its failure paths (scripts/pinFaultHistoryCases.ts:
 * main's pin run failing on one activity, typed), the same three parts.
 */
const SWEEP_PIN_FILES = ['sweep-pins', ...PIN_FAULT_CASES.map((c) => c.name)].flatMap((name) =>
  ['sweep', 'pin-main', 'pin-2025.1'].map((p) => `${name}.pin-${p}.json`),
);
const CASE_PATHS = new Map([
  [TAG_CASES, POLICY_PATHS],
  [RETAG_CASES, RETAG_PATHS],
  [SWEEP_CASES, PATHS],
  [CATALOG_CASES, CATALOG_PATHS],
]);
/** Each patch: the workflow types that ask it, and the files (by name) recorded on its path. */
const MARKERS: Array<{ patch: string; types: string[]; path: RegExp }> = [
  {
    patch: NOTICES_PATCH,
    types: TELLING,
    path: /\.(notices|settled|policy|retryshown|faults|confirmed|batched|mirror|many|pin)-/,
  },
  {
    patch: SETTLED_PATCH,
    types: SETTLING,
    path: /\.(settled|retryshown|faults|confirmed|batched|mirror|many)-/,
  },
  { patch: 'retag-approval-1', types: ['retagImage'], path: /\.(policy|faults|confirmed)-/ },
  {
    patch: 'worker-approval-1',
    types: ['promoteImage', 'rollbackImage', 'cleanupTags'],
    path: /\.(policy|faults)-/,
  },
  { patch: 'audit-forge-check-1', types: ['promoteImage', 'rollbackImage'], path: /\.(policy|faults)-/ },
  { patch: 'bump-retry-shown-1', types: ['bumpImage'], path: /\.(retryshown|confirmed|batched)-/ },
  { patch: 'settled-lanes-1', types: ['bumpImage', 'bumpBranch'], path: /\.(confirmed|batched)-/ },
  { patch: 'bump-report-confirmed-1', types: ['bumpImage'], path: /\.(confirmed|batched)-/ },
  { patch: 'bump-reports-batched-1', types: ['bumpImage'], path: /\.batched-/ },
  { patch: 'catalog-mirror-1', types: ['updateCatalog'], path: /\.(mirror|many)-/ },
  { patch: 'retag-entry-confirmed-1', types: ['retagManifest'], path: /\.confirmed-/ },
];

const EXPECTED_FILES = [
  ...Object.entries(BUMP_CASES).flatMap(([name, tags]) =>
    BUMP_PATHS.flatMap((suffix) => [
      `${name}${suffix}-parent.json`,
      ...tags.map((t) => `${name}${suffix}-branch-${t}.json`),
    ]),
  ),
  ...[...CASE_PATHS].flatMap(([cases, paths]) =>
    Object.entries(cases).flatMap(([name, parts]) =>
      paths.flatMap((suffix) => parts.map((p) => `${name}${suffix}-${p}.json`)),
    ),
  ),
  ...FAULT_FILES,
  ...RETRY_SHOWN_FILES,
  INSPECT_SETTLED,
  ...PROCEDURE_FAULT_FILES,
  ...RETAG_CONFIRMED_FAULT_FILES,
  ...CATALOG_MIRROR_FAULT_FILES,
  ...CATALOG_ALL_FILES,
  ...SWEEP_PIN_FILES,
];

const files = historyFiles();
const index = readIndex();
let bundle: WorkflowBundleWithSourceMap;

before(async () => {
  // The guard's deliberate determinism error is logged by the core at WARN: show errors only. Core logs
  // go straight to stderr (no `forward`): forwarding polls, which keeps a process without workers alive.
  Runtime.install({
    logger: new DefaultLogger('ERROR'),
    shutdownSignals: [],
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'ERROR', other: 'ERROR' }) },
    },
  });
  bundle = await bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('ERROR') });
});

async function replay(history: unknown, workflowId: string): Promise<ReplayResult[]> {
  const results: ReplayResult[] = [];
  for await (const r of Worker.runReplayHistories({ workflowBundle: bundle }, [
    { workflowId, history: historyFromJson(history) },
  ])) {
    results.push(r);
  }
  return results;
}

describe('committed histories', () => {
  it('hold every workflow of every case, each file named in index.json', () => {
    const missing = EXPECTED_FILES.filter((f) => !files.includes(f));
    assert.deepEqual(missing, [], `history files missing from test/replay/histories: ${missing.join(', ')}`);
    assert.deepEqual(Object.keys(index).sort(), files, 'index.json names exactly the history files present');
  });

  it('guard every workflow the worker runs', () => {
    const recorded = new Set(Object.values(index).map((e) => e.workflowType));
    const types = Object.keys(bundled).sort();
    assert.ok(
      types.includes('imageRepository'),
      `expected the bundle's workflows, found ${types.join(', ')}`,
    );
    const unguarded = types.filter((t) => !recorded.has(t));
    assert.deepEqual(unguarded, [], `workflow types with no committed history: ${unguarded.join(', ')}`);
  });

  it('cover both paths of the bump: the histories recorded after the lean patch carry its marker, the older ones do not', () => {
    const bumpFiles = files.filter((f) => index[f]?.workflowType.startsWith('bump'));
    const wrong = bumpFiles.filter(
      (f) =>
        patchIds(f).includes(LEAN_PATCH) !== /\.(lean|notices|settled|retryshown|confirmed|batched)-/.test(f),
    );
    const perPath = Object.values(BUMP_CASES).reduce((n, tags) => n + tags.length + 1, 0);
    assert.equal(
      bumpFiles.length,
      BUMP_PATHS.length * perPath + FAULT_FILES.length + RETRY_SHOWN_FILES.length,
      "every path's bump histories",
    );
    assert.deepEqual(
      wrong,
      [],
      `histories whose patch marker does not match their name: ${wrong.join(', ')}`,
    );
  });

  for (const { patch, types, path } of MARKERS) {
    it(`cover ${patch}: a history named ${String(path)} of ${types.join(', ')} carries its marker, no other does`, () => {
      const wrong = files.filter(
        (f) => patchIds(f).includes(patch) !== (path.test(f) && types.includes(index[f]?.workflowType ?? '')),
      );
      assert.deepEqual(wrong, [], `histories whose ${patch} marker does not match: ${wrong.join(', ')}`);
      const carrying = files.filter((f) => patchIds(f).includes(patch)).map((f) => index[f]!.workflowType);
      const absent = types.filter((t) => !carrying.includes(t));
      assert.deepEqual(absent, [], `workflow types asking ${patch} with no history on its path`);
    });
  }

  it('cover the notices: some .notices histories deliver', () => {
    const delivering = files.filter(
      (f) => f.includes('.notices-') && activityTypes(f).includes('deliverNotice'),
    );
    const types = new Set(delivering.map((f) => index[f]!.workflowType));
    for (const t of ['bumpImage', 'promoteImage', 'retagManifest', 'updateCatalog'])
      assert.ok(types.has(t), `a recorded ${t} delivers a notice (found in ${[...types].join(', ')})`);
  });

  it('cover the batched looks: a .batched bump asks its branches together, fewer looks than reports', () => {
    const reports = (f: string): number =>
      readHistoryJson(f).events.filter(
        (e) =>
          (e.workflowExecutionSignaledEventAttributes as { signalName?: string } | undefined)?.signalName ===
          'branchStatus',
      ).length;
    for (const f of ['happy.batched-parent.json', 'blocked-retried.batched-parent.json']) {
      const looks = activityTypes(f).filter((t) => t.startsWith('lookAtWorkflow'));
      assert.ok(looks.length > 0 && looks.every((t) => t === 'lookAtWorkflows'), `${f}: ${looks.join(', ')}`);
      assert.ok(looks.length < reports(f), `${f}: ${looks.length} looks for ${reports(f)} reports`);
    }
    // before the patch, one look per report
    const old = 'happy.confirmed-parent.json';
    assert.equal(activityTypes(old).filter((t) => t === 'lookAtWorkflow').length, reports(old));
  });

  it("cover the failure paths: each case's .faults histories hold its injected failure", () => {
    const held = (f: string, name: string): boolean => {
      // failure messages are plain in the history, a signal's or a result's payload is base64
      const text = readFileSync(path.join(historiesDir, f), 'utf8');
      const payloads = [...text.matchAll(/"data":\s*"([A-Za-z0-9+/=]+)"/g)].map((m) =>
        Buffer.from(m[1]!, 'base64').toString('utf8'),
      );
      return [text, ...payloads].some((t) => t.includes(`(fault case ${name})`));
    };
    const caseOf = (f: string) => f.slice(0, f.indexOf('.faults-'));
    const names = [...new Set(PROCEDURE_FAULT_FILES.map(caseOf))];
    // the procedure's own history always does; its queue's only when it failed with it
    const missing = names.filter(
      (name) => !PROCEDURE_FAULT_FILES.some((f) => caseOf(f) === name && held(f, name)),
    );
    assert.deepEqual(
      missing,
      [],
      `fault cases whose histories lack their injected failure: ${missing.join(', ')}`,
    );
  });

  it('hold no failed workflow task (a determinism error the recorder ran into)', () => {
    const failed = files.filter((f) =>
      readHistoryJson(f).events.some((e) => e.eventType === 'EVENT_TYPE_WORKFLOW_TASK_FAILED'),
    );
    assert.deepEqual(failed, [], `histories with a WorkflowTaskFailed event: ${failed.join(', ')}`);
  });

  for (const file of files) {
    it(`replays ${file} without a determinism error`, async () => {
      const entry = index[file];
      assert.ok(entry, `expected ${file} in index.json (its workflow id), found no entry`);
      const json = readHistoryJson(file);
      assert.equal(startedType(json.events), entry.workflowType, `the workflow type ${file} starts`);
      const results = await replay(json, entry.workflowId);
      assert.equal(results.length, 1, `expected one replay result for ${file}, found ${results.length}`);
      const error = results[0]!.error;
      assert.equal(error, undefined, `${file} no longer replays: ${error?.name}: ${error?.message}`);
    });
  }
});

describe('the guard', () => {
  it('fails on a history whose first activity is not the one the workflow schedules', async () => {
    const file = 'happy-parent.json';
    const json = readHistoryJson(file);
    const scheduled = json.events.find((e) => e.eventType === 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED');
    const attrs = scheduled?.activityTaskScheduledEventAttributes as
      { activityType?: { name?: string } } | undefined;
    assert.ok(
      attrs?.activityType?.name,
      `expected an ActivityTaskScheduled event with an activity type in ${file}`,
    );
    const original = attrs.activityType.name;
    attrs.activityType.name = `${original}Renamed`;

    const results = await replay(json, index[file]!.workflowId);
    assert.equal(results.length, 1);
    const error = results[0]!.error;
    assert.ok(
      error instanceof DeterminismViolationError,
      `expected a DeterminismViolationError, found ${error ? `${error.name}: ${error.message}` : 'none'}`,
    );
    assert.match(error.message, new RegExp(original), 'the error names the activity the workflow scheduled');
  });

  it('fails on a queue history whose second child is not the procedure the queue runs next', async () => {
    const file = 'queue-two-queue.json';
    const json = readHistoryJson(file);
    const started = json.events.filter(
      (e) => e.eventType === 'EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED',
    );
    const attrs = started[1]?.startChildWorkflowExecutionInitiatedEventAttributes as
      { workflowType?: { name?: string } } | undefined;
    assert.equal(attrs?.workflowType?.name, 'rollbackImage', `expected the queue's second child in ${file}`);
    attrs!.workflowType!.name = 'promoteImage';

    const results = await replay(json, index[file]!.workflowId);
    assert.equal(results.length, 1);
    const error = results[0]!.error;
    assert.ok(
      error instanceof DeterminismViolationError,
      `expected a DeterminismViolationError, found ${error ? `${error.name}: ${error.message}` : 'none'}`,
    );
    assert.match(error.message, /rollbackImage/, 'the error names the child the queue starts');
  });
});
