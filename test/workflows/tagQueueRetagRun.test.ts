/**
 * A retag entry is written only for the retag run that planned it and got it
 * approved, as that run says (asked, not taken from the request): entries
 * started by a person under the name of a genuine run — before its approval,
 * under an id it never asked for, under its own id but for another digest —
 * are refused, write nothing and tell that run nothing; the run's own entry
 * is then written. The entry's repository queue is held on a task queue no
 * worker polls while the forgeries run (the run waits in `writing`), then a
 * worker takes it. Real parts: a real manifest in a git bare repo, the
 * registry with auth, the dev server, skopeo reading back.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  imageRepoWorkflowId,
  retagGate,
  retagStatusQuery,
  TagWorkflowType,
  type RetagImageRequest,
  type RetagResult,
} from '../../src/shared/messages.js';
import { runWorker } from '../support/bump.js';
import { startTemporal } from '../support/temporal.js';
import { failureOf } from '../support/tagWorlds.js';
import { tagRun } from '../support/tags.js';
import { createRetagWorld, MANIFEST_DIR, startWatchedRetag, type RetagWorld } from '../support/retagWorld.js';

const REPOSITORY = 'starlingx/stx-approval';
const SOURCE = 'master-debian-stable-20250101T000000Z.0';
const TARGET = 'stx.approval-v1';
const PATH = `${MANIFEST_DIR}/image-tags-approval.yaml`;
const MANIFEST = `---
images:
  - name: docker.io/${REPOSITORY}
    src_build_tag: ${SOURCE}
    tag: ${TARGET}
`;

describe('tag queue: retag entries only for the run that planned and approved them', () => {
  let env: TestWorkflowEnvironment;
  let world: RetagWorld;
  before(async () => {
    [env, world] = await Promise.all([startTemporal(), createRetagWorld()]);
  });
  after(async () => {
    await world?.close();
    await env?.teardown();
  });

  it('refuses forged entries naming a genuine run, then writes its own', { timeout: 180_000 }, async () => {
    const main = `bumpflow-retag-approval-${process.pid}`;
    const held = `${main}-held`;
    const run = tagRun(env, main);
    const image = { registry: 'ghcr.io', repository: REPOSITORY };
    const source = await world.push(REPOSITORY, SOURCE);
    const other = await world.push(REPOSITORY, 'other-build', 'another build');
    await world.commit(PATH, MANIFEST, 'Add an approval manifest');
    const queue = env.client.workflow.getHandle(imageRepoWorkflowId(image));
    await env.client.workflow.start(TagWorkflowType.imageRepository, {
      taskQueue: held,
      workflowId: imageRepoWorkflowId(image),
      args: [{ image }],
    });

    await runWorker(
      env,
      world.deps,
      async (settings) => {
        const { retagId: id, statusWhen } = await startWatchedRetag(env, settings, world, PATH);
        const retag = env.client.workflow.getHandle(id);
        const entry = (o: Partial<RetagImageRequest> = {}): RetagImageRequest => ({
          image,
          entry: { index: 0, line: 4, name: `docker.io/${REPOSITORY}` },
          srcBuildTag: SOURCE,
          tag: TARGET,
          digest: source,
          notify: id,
          ...o,
        });
        /** A retagImage started by a person (not by the queue); its typed failure. */
        const forge = async (workflowId: string, input: RetagImageRequest) => {
          await env.client.workflow.start(TagWorkflowType.retag, {
            taskQueue: main,
            workflowId,
            args: [input],
          });
          return failureOf(run, workflowId);
        };

        await statusWhen((s) => s.state === 'awaiting-approval');
        const early = await forge(`${id}/forged-early`, entry());
        assert.equal(early.type, 'UnapprovedWrite', early.message);
        assert.match(early.message, /found its plan not approved \(it is awaiting-approval\)/);

        await retag.executeUpdate(retagGate.approveUpdate, { args: [{ approver: 'ops' }] });
        const writing = await statusWhen((s) => s.state === 'writing' && s.pending.length === 1);
        const genuine = writing.pending[0]!;
        const unasked = await forge(`${id}/forged-unasked`, entry());
        assert.equal(unasked.type, 'UnapprovedWrite', unasked.message);
        assert.match(unasked.message, /found it asked for no write under .*forged-unasked/);
        const swapped = await forge(genuine, entry({ srcBuildTag: 'other-build', digest: other }));
        assert.equal(swapped.type, 'UnapprovedWrite', swapped.message);
        assert.match(
          swapped.message,
          new RegExp(`found its plan's images\\[0\\] is copy .*:${SOURCE} → ${TARGET} at ${source}`),
        );
        assert.equal(await world.digestOf(REPOSITORY, TARGET), undefined, 'no forgery wrote the target');
        const untold = await retag.query(retagStatusQuery);
        assert.deepEqual([untold.state, untold.pending, untold.entries], ['writing', [genuine], []]);
        assert.deepEqual(untold.refusals, [], 'the forgeries told the run nothing');

        // the queue's worker comes: the run's own request (queued since the approval) is written
        const result = (await runWorker(env, world.deps, () => retag.result(), held)) as RetagResult;
        assert.equal(result.state, 'done');
        assert.deepEqual(
          result.entries.map((e) => [e.tag, e.outcome, e.workflowId]),
          [[TARGET, 'copied', genuine]],
        );
        assert.equal(world.raw(REPOSITORY, `:${TARGET}`).equals(world.raw(REPOSITORY, `@${source}`)), true);
        assert.equal(await world.digestOf(REPOSITORY, TARGET), source);
      },
      main,
    );
    await queue.terminate('end of the test');
  });
});
