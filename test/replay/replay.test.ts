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
import { historyFiles, historyFromJson, readHistoryJson, readIndex } from './historyFile.js';
import { PLANNING_FAULTS } from '../../scripts/bumpFaultHistoryCases.js';

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
];
/** Patches.settledSiblings: every bump and catalog case once more (`.settled`), and the bump's planning faults. */
const SETTLED_PATCH = 'settled-siblings-1';
const SETTLING = ['bumpImage', 'bumpBranch', 'updateCatalog'];
const FAULT_FILES = PLANNING_FAULTS.map((f) => `${f.name}.settled-parent.json`);
const BUMP_PATHS = ['', '.lean', '.notices', '.settled'];
const PATHS = ['', '.notices'];
const CATALOG_PATHS = [...PATHS, '.settled'];

const EXPECTED_FILES = [
  ...Object.entries(BUMP_CASES).flatMap(([name, tags]) =>
    BUMP_PATHS.flatMap((suffix) => [
      `${name}${suffix}-parent.json`,
      ...tags.map((t) => `${name}${suffix}-branch-${t}.json`),
    ]),
  ),
  ...[TAG_CASES, SWEEP_CASES, CATALOG_CASES, RETAG_CASES].flatMap((cases) =>
    Object.entries(cases).flatMap(([name, parts]) =>
      (cases === CATALOG_CASES ? CATALOG_PATHS : PATHS).flatMap((suffix) =>
        parts.map((p) => `${name}${suffix}-${p}.json`),
      ),
    ),
  ),
  ...FAULT_FILES,
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

/** The ids of a history's patch markers (in each marker's `patch-data` payload, JSON in base64). */
function patchIds(file: string): string[] {
  return readHistoryJson(file)
    .events.filter((e) => e.eventType === 'EVENT_TYPE_MARKER_RECORDED')
    .flatMap((e) => {
      const attrs = e.markerRecordedEventAttributes as
        { details?: Record<string, { payloads?: Array<{ data?: string }> }> } | undefined;
      const data = attrs?.details?.['patch-data']?.payloads?.[0]?.data;
      return data === undefined
        ? []
        : [(JSON.parse(Buffer.from(data, 'base64').toString()) as { id: string }).id];
    });
}

/** The activity types a history scheduled. */
function activityTypes(file: string): string[] {
  return readHistoryJson(file).events.flatMap((e) => {
    const attrs = e.activityTaskScheduledEventAttributes as { activityType?: { name?: string } } | undefined;
    return attrs?.activityType?.name === undefined ? [] : [attrs.activityType.name];
  });
}

function startedType(events: Array<Record<string, unknown>>): string | undefined {
  const attrs = events[0]?.workflowExecutionStartedEventAttributes as
    { workflowType?: { name?: string } } | undefined;
  return attrs?.workflowType?.name;
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

  it('cover both paths of the bump: the .lean, .notices and .settled histories carry the lean marker, the older ones do not', () => {
    const bumpFiles = files.filter((f) => index[f]?.workflowType.startsWith('bump'));
    const wrong = bumpFiles.filter(
      (f) => patchIds(f).includes(LEAN_PATCH) !== /\.(lean|notices|settled)-/.test(f),
    );
    const perPath = Object.values(BUMP_CASES).reduce((n, tags) => n + tags.length + 1, 0);
    assert.equal(
      bumpFiles.length,
      BUMP_PATHS.length * perPath + FAULT_FILES.length,
      "every path's bump histories",
    );
    assert.deepEqual(
      wrong,
      [],
      `histories whose patch marker does not match their name: ${wrong.join(', ')}`,
    );
  });

  it('cover the notices: a .notices history of a workflow that tells carries its marker, no other does, and some deliver', () => {
    const wrong = files.filter(
      (f) =>
        patchIds(f).includes(NOTICES_PATCH) !==
        (/\.(notices|settled)-/.test(f) && TELLING.includes(index[f]?.workflowType ?? '')),
    );
    assert.deepEqual(wrong, [], `histories whose notices marker does not match: ${wrong.join(', ')}`);
    const delivering = files.filter(
      (f) => f.includes('.notices-') && activityTypes(f).includes('deliverNotice'),
    );
    const types = new Set(delivering.map((f) => index[f]!.workflowType));
    for (const t of ['bumpImage', 'promoteImage', 'retagManifest', 'updateCatalog'])
      assert.ok(types.has(t), `a recorded ${t} delivers a notice (found in ${[...types].join(', ')})`);
  });

  it('cover the settled siblings: a .settled history of a workflow that settles carries its marker, no other does', () => {
    const wrong = files.filter(
      (f) =>
        patchIds(f).includes(SETTLED_PATCH) !==
        (f.includes('.settled-') && SETTLING.includes(index[f]?.workflowType ?? '')),
    );
    assert.deepEqual(
      wrong,
      [],
      `histories whose settled-siblings marker does not match: ${wrong.join(', ')}`,
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
