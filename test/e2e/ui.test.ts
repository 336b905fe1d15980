/**
 * Approval in the Temporal UI, in a real browser: Debian's Chromium driven by
 * playwright-core opens a branch's workflow in the dev server's own UI, shows
 * the plan an operator reads (screenshot kept in test-artifacts/), and sends
 * the `approve` signal through the UI's "Send a Signal" form; the bump then
 * opens the pull request.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { branchStatusQuery, type BumpResult } from '../../src/shared/messages.js';
import { createScenario } from '../../src/sandbox/scenario.js';
import { startTemporal } from '../support/temporal.js';
import { allIn, waitForStatus, withWorker } from '../support/bump.js';
import { repoRoot } from '../../src/sandbox/paths.js';

const artifacts = path.join(repoRoot, 'test-artifacts');
let env: TestWorkflowEnvironment | undefined;
let browser: Browser | undefined;
let uiUrl = '';

/** `promise`, or a failure naming `what` after `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

before(
  async () => {
    const started = await startTemporal({ ui: true });
    env = started;
    uiUrl = started.uiUrl!;
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox'],
      timeout: 60_000,
    });
    await mkdir(artifacts, { recursive: true });
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
          const page = await browser!.newPage({ viewport: { width: 1440, height: 1100 } });
          page.setDefaultTimeout(20_000);
          const openUserMetadata = async (): Promise<void> => {
            const tab = page.getByText('User Metadata', { exact: true }).filter({ visible: true }).first();
            await tab.waitFor();
            await tab.click();
          };
          /** The text of the page and its frames (the UI renders markdown details in a sandboxed frame), once it holds `expected`. */
          const pageText = async (expected: string): Promise<string> => {
            const deadline = Date.now() + 20_000;
            for (;;) {
              const parts = await Promise.all(page.frames().map((f) => f.innerText('body').catch(() => '')));
              const text = parts.join('\n');
              if (text.includes(expected)) return text;
              if (Date.now() > deadline) {
                await page.screenshot({ path: path.join(artifacts, 'ui-failure.png'), fullPage: true });
                assert.fail(`expected the page to show ${JSON.stringify(expected)}; it shows:\n${text}`);
              }
              await new Promise((r) => setTimeout(r, 250));
            }
          };
          /**
           * The UI scrolls its content inside a fixed-height pane, so a full-page screenshot is cut at the viewport:
           * grow the viewport until the pane holding the details frames no longer scrolls.
           */
          const fitViewport = async (): Promise<void> => {
            // (a string: the page's DOM is not in this project's type libraries)
            const overflow = await page.evaluate<number>(`(() => {
            let most = 0;
            for (const frame of document.querySelectorAll('iframe')) {
              for (let e = frame.parentElement; e; e = e.parentElement) {
                if (e.scrollHeight > e.clientHeight && /auto|scroll/.test(getComputedStyle(e).overflowY)) {
                  most = Math.max(most, e.scrollHeight - e.clientHeight);
                  break;
                }
              }
            }
            return most;
          })()`);
            const size = page.viewportSize()!;
            if (overflow > 0)
              await page.setViewportSize({
                width: size.width,
                height: Math.min(size.height + overflow + 40, 4000),
              });
          };
          await page.goto(`${uiUrl}/namespaces/default/workflows/${encodeURIComponent(branch.workflowId!)}`);

          // The plan, as the operator reads it: the workflow's summary, details and current details.
          await openUserMetadata();
          const text = await pageText('stable/2025.1 — awaiting approval');
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
          await fitViewport();
          await page.screenshot({ path: path.join(artifacts, 'ui-pending-approval.png'), fullPage: true });

          // More Actions → Send a Signal → approve, one JSON object → Submit.
          await page.getByRole('button', { name: 'More Actions' }).click();
          await page.getByText('Send a Signal', { exact: true }).filter({ visible: true }).first().click();
          // (the page holds more than one such modal; only one is shown)
          await page.getByTestId('signal-select-button').filter({ visible: true }).click();
          await page.getByRole('option', { name: 'approve', exact: true }).filter({ visible: true }).click();
          const input = page
            .locator('[contenteditable="true"][role="textbox"]')
            .filter({ visible: true })
            .first();
          await input.click();
          await page.keyboard.press('Control+A');
          // inserted as text (not typed) so the editor's bracket auto-closing cannot add a second brace
          await page.keyboard.insertText('{"approver": "ui-test"}');
          await page.getByTestId('confirm-modal-button').filter({ visible: true }).click();

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
          await page.reload();
          await openUserMetadata();
          assert.match(
            await pageText('stable/2025.1 — pr opened'),
            /Pull request https:\/\/github\.com\/ops-ui\/atmosphere\/pull\/1/,
          );
          await fitViewport();
          await page.screenshot({ path: path.join(artifacts, 'ui-after-approval.png'), fullPage: true });
          await page.close();
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
