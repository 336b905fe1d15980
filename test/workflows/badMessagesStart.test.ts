/**
 * Issue 20's bad-input suite, workflows started by hand: every row of
 * test/support/badInput/messageCasesStart.ts (every workflow type the worker
 * runs) started with the real `temporal workflow start`, all at once, on a
 * retag world (registry, git, GitHub stand-in) and one worker. Each start is
 * taken (exit 0) and ends in a typed BadInput failure saying what was
 * expected and found, echoing no credential; no workflow task fails, the
 * failure is readable with `temporal workflow describe`, and nothing is
 * written to the registry, the repo or the forge.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { TAG_IMAGE } from '../../src/sandbox/tagWorld.js';
import { runWorker } from '../support/bump.js';
import { startTemporal } from '../support/temporal.js';
import { createRetagWorld, MANIFEST_SLUG, type RetagWorld } from '../support/retagWorld.js';
import { taskFailuresOf, temporalCli, type CliRun } from '../support/badInput/messageCases.js';
import { startCases as otherStarts } from '../support/badInput/messageCasesStart.js';
import { tagStartCases } from '../support/badInput/messageCasesStartTags.js';

const startCases = [...otherStarts, ...tagStartCases];

let env: TestWorkflowEnvironment;
let world: RetagWorld;
before(async () => {
  [env, world] = await Promise.all([startTemporal(), createRetagWorld()]);
});
after(async () => {
  await world?.close();
  await env?.teardown();
});

/** The registry's tags, the manifest repo's refs, releases and PRs. */
async function written(): Promise<unknown> {
  const tags: Record<string, string | undefined> = {};
  for (const tag of world.tagsOf(TAG_IMAGE.repository))
    tags[tag] = await world.digestOf(TAG_IMAGE.repository, tag);
  const refs = execFileSync('git', ['--git-dir', world.git.barePath(MANIFEST_SLUG), 'for-each-ref'], {
    encoding: 'utf8',
  });
  return { tags, refs, pulls: world.tags.github.pulls.length, workflows: await workflowIds() };
}

/** The workflows of the namespace that no case started: a bad start must start nothing else. */
async function workflowIds(): Promise<string[]> {
  const ids: string[] = [];
  for await (const w of env.client.workflow.list())
    if (!w.workflowId.startsWith('badstart/')) ids.push(w.workflowId);
  return ids.sort();
}

/** How a started workflow ended: its failure's type and message. */
async function failureOf(id: string): Promise<{ type?: string; message: string }> {
  try {
    const result: unknown = await env.client.workflow.getHandle(id).result();
    return { message: `expected ${id} to fail, it returned ${JSON.stringify(result).slice(0, 300)}` };
  } catch (err) {
    if (!(err instanceof WorkflowFailedError))
      return { message: `expected a failed workflow, found ${String(err)}` };
    const cause = err.cause as { type?: string; message?: string } | undefined;
    return { type: cause?.type, message: cause?.message ?? '' };
  }
}

describe('workflows started by hand with bad input, through the temporal CLI', () => {
  it(
    `end each of ${startCases.length} starts in a typed BadInput failure, nothing written`,
    { timeout: 180_000 },
    async (t) => {
      const taskQueue = `bumpflow-badstart-${randomUUID()}`;
      await world.push('starlingx/stx-badstart', 'staging');
      const before = await written();
      const values = { repoUrl: world.repoUrl };
      await runWorker(
        env,
        world.deps,
        async () => {
          const started: { id: string; run: CliRun }[] = [];
          for (const [i, c] of startCases.entries()) {
            const id = `badstart/${c.type}/${i}`;
            const input = c.input?.(values);
            const args = ['start', '--type', c.type, '--task-queue', taskQueue, '--workflow-id', id];
            started.push({
              id,
              run: await temporalCli(
                env,
                input === undefined ? args : [...args, '--input', JSON.stringify(input)],
              ),
            });
          }
          const ended = await Promise.all(started.map((s) => failureOf(s.id)));
          for (const [i, c] of startCases.entries()) {
            await t.test(c.case, async () => {
              const { id, run } = started[i]!;
              assert.equal(run.code, 0, `the CLI starts ${id}: ${run.stderr}`);
              const failure = ended[i]!;
              t.diagnostic(`${c.case}: ${failure.type}: ${failure.message.slice(0, 300)}`);
              assert.equal(failure.type, 'BadInput', failure.message);
              assert.match(failure.message, c.failure);
              if (c.hidden !== undefined)
                assert.ok(!failure.message.includes(c.hidden), 'the failure echoes no credential');
              assert.deepEqual(await taskFailuresOf(env, id), [], `no workflow task of ${id} failed`);
              const shown = await temporalCli(env, ['describe', '--workflow-id', id]);
              assert.equal(shown.code, 0, shown.stderr);
              assert.match(shown.stdout, /Status\s+FAILED/);
              assert.ok(shown.stdout.includes(failure.message.slice(0, 60)), 'describe shows the failure');
            });
          }
        },
        taskQueue,
      );
      assert.deepEqual(
        await written(),
        before,
        'no bad start wrote a tag, a ref or a PR, or started another workflow',
      );
    },
  );
});
