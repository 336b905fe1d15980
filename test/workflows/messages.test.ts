/**
 * Every payload a person can type is parsed at its handler: malformed ones,
 * sent through the real `temporal workflow signal` to a waiting branch and to
 * the parent, are refused and recorded — no workflow task fails, nothing is
 * approved — and the same payloads sent as updates are refused by the
 * validator. A valid approval afterwards opens the PRs.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  approveUpdate,
  branchStatusQuery,
  rejectUpdate,
  type BranchStatus,
  type BumpResult,
  type BumpStatus,
} from '../../src/shared/messages.js';
import { startTemporal, temporalCliPath } from '../support/temporal.js';
import { createScenario } from '../../src/sandbox/scenario.js';
import { allIn, waitForStatus, withWorker } from '../support/bump.js';

const run = promisify(execFile);
let env: TestWorkflowEnvironment;

before(async () => {
  env = await startTemporal();
});
after(async () => {
  await env?.teardown();
});

/** Sends a signal with the real CLI, as an operator would; `input` undefined sends no payload. */
async function cliSignal(workflowId: string, name: string, input: string | undefined): Promise<void> {
  const args = [
    'workflow',
    'signal',
    '--address',
    env.address,
    '--namespace',
    'default',
    '--workflow-id',
    workflowId,
    '--name',
    name,
  ];
  if (input !== undefined) args.push('--input', input);
  await run(temporalCliPath(), args, { timeout: 30_000 });
}

const digest64 = `sha256:${'0'.repeat(64)}`;
/** Malformed approvals, each with what the refusal must say. */
const badApprovals: Array<[string | undefined, RegExp]> = [
  [undefined, /expected one JSON object .*found no payload/],
  ['null', /expected one JSON object .*found null/],
  ['"garbage"', /found "garbage"/],
  ['42', /found 42/],
  ['[1,2]', /found \[1,2\]/],
  ['{"note": 1}', /note: .*expected string/],
  ['{"digest": "nope"}', /digest: expected a digest sha256:/],
  [`{"Digest": "${digest64}"}`, /unknown key "Digest"/],
  ['{"branch": "stable/9999"}', /stable\/9999/],
];

async function workflowTaskFailures(handle: WorkflowHandle): Promise<number> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).filter((e) => e.workflowTaskFailedEventAttributes != null).length;
}

describe('malformed messages', () => {
  it(
    'are refused at the handler, recorded, and never fail a workflow task; a valid approval then opens the PRs',
    { timeout: 240_000 },
    async (t) => {
      const s = await createScenario({ slug: 'msgs/atmosphere', branches: ['main', 'stable/2025.1'] });
      try {
        const result = await withWorker(env, s, async ({ start }) => {
          const parent = await start({ service: 'magnum' });
          const waiting = await waitForStatus(
            parent,
            allIn('awaiting-approval', 2),
            'every branch awaiting approval',
          );
          const childId = waiting.branches.find((b) => b.branch === 'stable/2025.1')!.workflowId!;
          const child = env.client.workflow.getHandle(childId);

          for (const [input] of badApprovals) {
            await cliSignal(childId, 'approve', input);
            await cliSignal(parent.workflowId, 'approve', input);
          }
          await cliSignal(childId, 'reject', '{}');
          await cliSignal(parent.workflowId, 'reject', '{"reason": 7}');
          await cliSignal(childId, 'retry', '"x"');
          await cliSignal(parent.workflowId, 'retry', '{"branch": 1}');

          const expectedChild = badApprovals.length + 2;
          const expectedParent = badApprovals.length + 2;
          const refused = await waitFor(async () => {
            const c: BranchStatus = await child.query(branchStatusQuery);
            const p: BumpStatus = await parent.query('status');
            return c.refusals.length >= expectedChild && p.refusals.length >= expectedParent
              ? { c, p }
              : undefined;
          }, 'every malformed signal refused on the child and on the parent');
          for (const [input, pattern] of badApprovals) {
            assert.ok(
              refused.c.refusals.some((r) => pattern.test(r)),
              `child refusal for ${input ?? 'no payload'} matching ${pattern}: ${refused.c.refusals.join(' | ')}`,
            );
            assert.ok(
              refused.p.refusals.some((r) => pattern.test(r)),
              `parent refusal for ${input ?? 'no payload'} matching ${pattern}: ${refused.p.refusals.join(' | ')}`,
            );
          }
          for (const r of refused.c.refusals) t.diagnostic(`child: ${r}`);
          for (const r of refused.p.refusals) t.diagnostic(`parent: ${r}`);
          assert.ok(
            refused.c.refusals.some((r) => /^reject refused: .*reason/.test(r)),
            refused.c.refusals.join(' | '),
          );
          assert.ok(
            refused.c.refusals.some((r) => /^retry refused: .*found "x"/.test(r)),
            refused.c.refusals.join(' | '),
          );
          assert.equal(refused.c.state, 'awaiting-approval', 'nothing approved or rejected the child');
          assert.ok(
            refused.p.branches.every((b) => b.state === 'awaiting-approval'),
            'nothing approved or rejected any branch',
          );
          assert.equal(s.github.pulls.length, 0, 'no PR opened');

          // The same payloads as updates: refused by the validator, with the reason.
          for (const raw of [
            null,
            'garbage',
            [1, 2],
            { note: 1 },
            { digest: 'nope' },
            { Digest: digest64 },
          ]) {
            await assert.rejects(
              child.executeUpdate(approveUpdate, { args: [raw as never] }),
              (err: unknown) => {
                assert.ok(err instanceof WorkflowUpdateFailedError, String(err));
                assert.match(
                  String((err.cause as Error | undefined)?.message),
                  /approve refused: expected one JSON object/,
                );
                return true;
              },
            );
          }
          await assert.rejects(
            child.executeUpdate(rejectUpdate, { args: [{} as never] }),
            WorkflowUpdateFailedError,
          );

          assert.equal(await workflowTaskFailures(parent), 0, 'no workflow task of the parent failed');
          assert.equal(await workflowTaskFailures(child), 0, 'no workflow task of the child failed');

          await cliSignal(parent.workflowId, 'approve', '{"approver": "ops"}');
          return (await parent.result()) as BumpResult;
        });
        assert.deepEqual(
          result.branches.map((b) => [b.branch, b.outcome]),
          [
            ['main', 'pr-opened'],
            ['stable/2025.1', 'pr-opened'],
          ],
        );
        assert.equal(s.github.pulls.length, 2, 'one PR per branch');
      } finally {
        await s.close();
      }
    },
  );
});

async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}
