/**
 * Approval in the Temporal UI, in a real browser: Debian's Chromium driven by
 * playwright-core opens a branch's workflow in the dev server's own UI, shows
 * the plan an operator reads (screenshot kept in test-artifacts/), and sends
 * the `approve` signal through the UI's "Send a Signal" form; the bump then
 * opens the pull request.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { branchStatusQuery, type BumpResult } from '../../src/shared/messages.js';
import { createScenario } from '../../src/sandbox/scenario.js';
import { startTemporal } from '../support/temporal.js';
import { allIn, waitForStatus, withWorker } from '../support/bump.js';
import { launchBrowser, openWorkflow, within } from '../support/ui.js';

let env: TestWorkflowEnvironment | undefined;
let browser: Browser | undefined;
let uiUrl = '';

before(
  async () => {
    const started = await startTemporal({ ui: true });
    env = started;
    uiUrl = started.uiUrl!;
    browser = await launchBrowser();
  },
  { timeout: 120_000 },
);

after(async () => {
  await browser?.close();
  await env?.teardown();
});

describe('approval in the Temporal UI', () => {
  it(
    'shows the plan on the branch workflow and approves it through "Send a Signal"',
    { timeout: 180_000 },
    async () => {
      const s = await createScenario({ slug: 'ops-ui/atmosphere', branches: ['main', 'stable/2025.1'] });
      try {
        const result = await withWorker(env!, s, async ({ start }) => {
          const handle = await start({ service: 'magnum', branches: ['stable/2025.1'] });
          const st = await waitForStatus(handle, allIn('awaiting-approval', 1), 'awaiting approval');
          const branch = st.branches[0]!;
          const ui = await openWorkflow(browser!, uiUrl, branch.workflowId!);

          // The plan, as the operator reads it: the workflow's summary, details and current details.
          await ui.showMetadata();
          const text = await ui.textWith('stable/2025.1 — awaiting approval');
          assert.match(text, /bump magnum on stable\/2025\.1/, 'the static summary names the branch');
          assert.ok(text.includes(branch.oldDigest!.slice(0, 23)), 'old digest shown');
          assert.ok(text.includes(branch.newDigest!.slice(0, 23)), 'new digest shown');
          assert.ok(text.includes(branch.oldRevision!.slice(0, 12)), 'old source SHA shown');
          assert.ok(text.includes(branch.newRevision!.slice(0, 12)), 'new source SHA shown');
          for (const key of ['magnum_api', 'magnum_cluster_api_proxy', 'magnum_conductor', 'magnum_db_sync'])
            assert.ok(text.includes(key), `${key} listed as changing`);
          assert.match(
            text,
            /Will change 4 pins of ghcr\.io\/vexxhost\/magnum:2025\.1 in roles\/defaults\/vars\/main\.yml/,
          );
          await ui.screenshot('ui-pending-approval.png');

          await ui.sendSignal('approve', '{"approver": "ui-test"}');

          const child = env!.client.workflow.getHandle(branch.workflowId!);
          const deadline = Date.now() + 60_000;
          let after = await child.query(branchStatusQuery);
          while (after.state !== 'pr-opened' && Date.now() < deadline) {
            await new Promise((r) => setTimeout(r, 250));
            after = await child.query(branchStatusQuery);
          }
          assert.equal(
            after.state,
            'pr-opened',
            `the approval from the UI reached the branch (state ${after.state}, refusals ${after.refusals.join('; ')})`,
          );
          assert.equal(after.approvedBy, 'ui-test');
          await ui.showMetadata();
          assert.match(
            await ui.textWith('stable/2025.1 — pr opened'),
            /Pull request https:\/\/github\.com\/ops-ui\/atmosphere\/pull\/1/,
          );
          await ui.screenshot('ui-after-approval.png');
          await ui.close();
          return (await within(handle.result(), 30_000, 'the bump to finish')) as BumpResult;
        });
        assert.equal(result.branches[0]?.outcome, 'pr-opened');
        assert.equal(s.github.pulls.length, 1);
        assert.equal(s.github.pulls[0]!.base, 'stable/2025.1');
        assert.match(s.github.pulls[0]!.body, /Approved by ui-test/);
      } finally {
        await s.close();
      }
    },
  );
});
