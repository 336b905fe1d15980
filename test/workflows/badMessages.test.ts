/**
 * Issue 20's bad-input suite, the messages of a bump and of a catalog update:
 * every row of test/support/badInput/messageCases{Bump,Gate,Catalog}.ts sent
 * with the real `temporal` CLI to one running workflow (a bump of two
 * branches waiting for approval; a catalog update waiting for approval), each
 * checked by runMessageCase (exit code, typed refusal, state kept, nothing
 * written, no failed workflow task, status answering). Then a genuine
 * approval shows nothing forged was taken: the commits hold only the planned
 * files and note.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createScenario, type Scenario } from '../../src/sandbox/scenario.js';
import type { BranchStatus, BumpResult, BumpStatus } from '../../src/shared/messages.js';
import { allIn, waitForStatus, withWorker } from '../support/bump.js';
import { startTemporal } from '../support/temporal.js';
import { createCatalogWorld, withCatalogWorker } from '../support/catalog.js';
import {
  procedureTarget,
  runMessageCase,
  temporalCli,
  unreplayable,
  type Bench,
} from '../support/badInput/messageCases.js';
import { bumpCases, closedBumpCases } from '../support/badInput/messageCasesBump.js';
import { catalogCases } from '../support/badInput/messageCasesCatalog.js';

let env: TestWorkflowEnvironment;
before(async () => {
  env = await startTemporal();
});
after(async () => {
  await env?.teardown();
});

/** Every ref of the target repo's bare remote, and the PRs on the stand-in. */
function bumpWritten(s: Scenario): () => Promise<unknown> {
  return async () => ({
    refs: execFileSync('git', ['--git-dir', s.git.barePath(s.slug), 'for-each-ref'], { encoding: 'utf8' }),
    pulls: s.github.pulls.length,
  });
}

describe('bad messages to a bump, through the temporal CLI', () => {
  it(
    `refuses each of ${bumpCases.length + closedBumpCases.length} cases; the genuine approval then pushes only the plan`,
    { timeout: 240_000 },
    async (t) => {
      const s = await createScenario({ slug: 'badmsg/atmosphere', branches: ['main', 'stable/2025.1'] });
      try {
        await withWorker(env, s, async ({ start }) => {
          const handle = await start({ service: 'magnum' });
          const waiting = await waitForStatus(
            handle,
            allIn('awaiting-approval', 2),
            'both branches awaiting approval',
          );
          const idOf = (branch: string) => waiting.branches.find((b) => b.branch === branch)!.workflowId!;
          const bench: Bench = {
            env,
            targets: {
              parent: {
                id: handle.workflowId,
                query: 'status',
                refusals: (x) => (x as BumpStatus).refusals,
                state: (x) => (x as BumpStatus).branches.map((b) => `${b.branch}:${b.state}`).join(' '),
              },
              child: {
                id: idOf('stable/2025.1'),
                query: 'branchStatus',
                refusals: (x) => (x as BranchStatus).refusals,
                state: (x) => `${(x as BranchStatus).state} by ${(x as BranchStatus).approvedBy ?? 'nobody'}`,
              },
            },
            values: { note: JSON.stringify(waiting.note), mainId: idOf('main') },
            written: bumpWritten(s),
          };
          for (const c of bumpCases) await t.test(c.case, () => runMessageCase(bench, c));

          const approved = await temporalCli(env, [
            'signal',
            '--workflow-id',
            handle.workflowId,
            '--name',
            'approve',
            '--input',
            '{"approver": "ops"}',
          ]);
          assert.equal(approved.code, 0, approved.stderr);
          const result = (await handle.result()) as BumpResult;
          assert.deepEqual(
            result.branches.map((b) => [b.branch, b.outcome]),
            [
              ['main', 'pr-opened'],
              ['stable/2025.1', 'pr-opened'],
            ],
          );
          // the commits pushed hold the vars file and the parent's note, exactly: nothing forged reached them
          for (const b of result.branches) {
            const files = execFileSync(
              'git',
              ['--git-dir', s.git.barePath(s.slug), 'show', '--name-only', '--format=', b.commitSha!],
              { encoding: 'utf8' },
            );
            assert.deepEqual(
              files.trim().split('\n').sort(),
              ['roles/defaults/vars/main.yml', waiting.note!.file].sort(),
            );
            const content = execFileSync(
              'git',
              ['--git-dir', s.git.barePath(s.slug), 'show', `${b.commitSha!}:${waiting.note!.file}`],
              { encoding: 'utf8' },
            );
            assert.equal(content, waiting.note!.content, `the note on ${b.branch} is the parent's`);
          }
          for (const c of closedBumpCases) await t.test(c.case, () => runMessageCase(bench, c));
          const ids = [handle.workflowId, idOf('main'), idOf('stable/2025.1')];
          assert.deepEqual(await unreplayable(env, ids), [], 'the bump and its branches replay');
        });
      } finally {
        await s.close();
      }
    },
  );
});

describe('bad messages to a catalog update, through the temporal CLI', () => {
  it(
    `refuses each of ${catalogCases.length} cases; the update still waits, then is rejected`,
    { timeout: 120_000 },
    async (t) => {
      const world = await createCatalogWorld('badmsg/openstack-image-manager');
      try {
        await withCatalogWorker(env, world, async (run) => {
          world.mirror.publish('Ubuntu 24.04', '20260115');
          const handle = await run.start({ path: 'etc/images/ubuntu.yml' });
          await run.statusWhen(
            handle,
            (st) => st.state === 'awaiting-approval',
            'the update awaiting approval',
          );
          const bench: Bench = {
            env,
            targets: { catalog: procedureTarget(handle.workflowId) },
            values: {},
            written: async () => ({ refs: world.branches(), pulls: world.github.pulls.length }),
          };
          for (const c of catalogCases) await t.test(c.case, () => runMessageCase(bench, c));
          const rejected = await temporalCli(env, [
            'update',
            'execute',
            '--workflow-id',
            handle.workflowId,
            '--name',
            'rejectCatalog',
            '--input',
            '{"reason": "end of the test"}',
          ]);
          assert.equal(rejected.code, 0, rejected.stderr);
          assert.equal((await run.result(handle)).state, 'rejected');
          assert.deepEqual(await unreplayable(env, [handle.workflowId]), [], 'the update replays');
        });
      } finally {
        await world.close();
      }
    },
  );
});
