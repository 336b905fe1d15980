/**
 * Approving a promotion in the Temporal UI, in a real browser: the tag world
 * (distribution registry, images signed by the real cosign), the dev server's
 * own UI and a worker; the promotion's page shows the plan an operator reads,
 * a malformed approval sent through "Send a Signal" is refused, `{}` approves
 * it, and the tags move. The queue's page then lists the promotion as recent.
 * Screenshots are kept in test-artifacts/.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { revisionOf, TAG_IMAGE } from '../../src/sandbox/tagWorld.js';
import { tagStatusQuery } from '../../src/shared/messages.js';
import { startTemporal } from '../support/temporal.js';
import { inTagWorld, queueId, queueWhen } from '../support/tagWorlds.js';
import { launchBrowser, openWorkflow, within } from '../support/ui.js';

let env: TestWorkflowEnvironment | undefined;
let browser: Browser | undefined;
let uiUrl = '';

before(
  async () => {
    const [started, launched] = await Promise.all([startTemporal({ ui: true }), launchBrowser()]);
    env = started;
    uiUrl = started.uiUrl!;
    browser = launched;
  },
  { timeout: 120_000 },
);

after(async () => {
  await browser?.close();
  await env?.teardown();
});

const short = (digest: string) => digest.slice(0, 19);
const viewport = { width: 1280, height: 900 };

describe('promotion approved in the Temporal UI', () => {
  it(
    'shows the plan on the promotion, refuses a malformed approval, approves {} through "Send a Signal"',
    { timeout: 120_000 },
    async () => {
      await inTagWorld(env!, async (world, run) => {
        const revision = revisionOf('release-1');
        const staging = await world.push('staging', { revision });
        const prod = await world.push('prod', { revision: revisionOf('release-0') });
        const id = await run.request({
          procedure: 'promote',
          input: {
            image: { ...TAG_IMAGE },
            from: 'staging',
            to: ['prod', 'latest'],
            stamp: 'prod-{date}-{revision:7}',
          },
        });
        await run.statusWhen(id, (s) => s.state === 'awaiting-approval');
        const ui = await openWorkflow(browser!, uiUrl, id, viewport);

        // The plan, as the operator reads it in the current details (the page, not the query).
        await ui.showMetadata();
        const text = await ui.textWith('promote ghcr.io/vexxhost/magnum — awaiting approval');
        const stamp = new RegExp(`prod-\\d{8}-${revision.slice(0, 7)}`).exec(text)?.[0];
        assert.ok(stamp, `a stamp prod-<date>-${revision.slice(0, 7)} shown, in:\n${text}`);
        assert.match(text, new RegExp(`Plan → ${short(staging)} · revision ${revision.slice(0, 12)}`));
        assert.ok(text.includes(`stamp ${stamp}`), 'the stamp in the plan line');
        assert.ok(
          text.includes(`${stamp}: — → ${short(staging)} (create, create-only)`),
          'the stamp created',
        );
        assert.ok(text.includes(`prod: ${short(prod)} → ${short(staging)} (move)`), 'prod moved');
        assert.ok(text.includes(`latest: — → ${short(staging)} (create)`), 'latest created');
        assert.match(text, /signature key cosign\.pub/, 'the signature check, with the trusted key');
        await ui.screenshot('ui-promote-awaiting-approval.png');

        // A malformed approval through the form: refused, still awaiting approval.
        await ui.sendSignal('approve', '{"branch": "main"}');
        const refused = await run.statusWhen(id, (s) => s.refusals.length > 0, 20_000);
        assert.equal(refused.state, 'awaiting-approval');
        assert.match(refused.refusals.at(-1)!, /a promote of image tags has no branches: drop "branch"/);
        assert.deepEqual(refused.written, []);
        await ui.showMetadata();
        await ui.textWith('Refused messages: 1');

        await ui.sendSignal('approve', '{}');
        const result = await within(run.result(id), 45_000, 'the promotion to finish');
        assert.equal(result.state, 'done');
        assert.equal(result.plan?.stamp, stamp);
        for (const tag of ['prod', 'latest', stamp])
          assert.equal(await world.digestOf(tag), staging, `${tag} at the staging digest`);
        const after = await env!.client.workflow.getHandle(id).query(tagStatusQuery);
        assert.equal(after.refusals.length, 1, 'the approval {} was not refused');
        await ui.showMetadata();
        const done = await ui.textWith('promote ghcr.io/vexxhost/magnum — done');
        for (const tag of ['prod', 'latest', stamp])
          assert.match(done, new RegExp(`Written:.*\\b${tag} `), `${tag} written`);
        await ui.screenshot('ui-promote-done.png');
        await ui.close();

        // The repository's queue lists the promotion as recent.
        await queueWhen(env!, (q) => q.recent.some((r) => r.workflowId === id));
        const queue = await openWorkflow(browser!, uiUrl, queueId, viewport);
        await queue.showMetadata();
        const queueText = await queue.textWith('queue of ghcr.io/vexxhost/magnum — idle');
        const recent = queueText.slice(queueText.indexOf('Recent'));
        assert.ok(recent.includes(`promote ${id}: done`), `the promotion ${id} listed under Recent, done`);
        await queue.screenshot('ui-promote-queue.png');
        await queue.close();
      });
    },
  );
});
