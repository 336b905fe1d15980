/**
 * The Temporal web UI in a real browser, for the UI tests: Debian's Chromium
 * driven by playwright-core, a workflow's page with its User Metadata tab (the
 * summary, details and current details an operator reads), the "Send a
 * Signal" form, and screenshots kept in test-artifacts/.
 */
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { repoRoot } from '../../src/sandbox/paths.js';

export const artifacts = path.join(repoRoot, 'test-artifacts');

/** Headless Chromium from Debian's package; test-artifacts/ made ready for screenshots. */
export async function launchBrowser(): Promise<Browser> {
  await mkdir(artifacts, { recursive: true });
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox'],
    timeout: 60_000,
  });
}

/** `promise`, or a failure naming `what` after `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
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

export interface WorkflowPage {
  page: Page;
  /** reloads the page and opens its User Metadata tab (summary, details, current details) */
  showMetadata(): Promise<void>;
  /**
   * The text of the page and its frames (the UI renders markdown details in a
   * sandboxed frame), once it holds `expected`; else a failure showing what it
   * holds (and ui-failure.png).
   */
  textWith(expected: string, timeoutMs?: number): Promise<string>;
  /** More Actions → Send a Signal → `name` with `input` (one JSON object, as written) → Submit. */
  sendSignal(name: string, input: string): Promise<void>;
  /** A screenshot of the whole content as test-artifacts/<file>; returns its path. */
  screenshot(file: string): Promise<string>;
  close(): Promise<void>;
}

/** Opens the UI's page of `workflowId` in the default namespace. */
export async function openWorkflow(
  browser: Browser,
  uiUrl: string,
  workflowId: string,
  viewport = { width: 1440, height: 1100 },
): Promise<WorkflowPage> {
  const page = await browser.newPage({ viewport });
  page.setDefaultTimeout(20_000);
  const url = `${uiUrl}/namespaces/default/workflows/${encodeURIComponent(workflowId)}`;
  let loaded = false;

  return {
    page,
    async showMetadata() {
      if (loaded) await page.reload();
      else await page.goto(url);
      loaded = true;
      const tab = page.getByText('User Metadata', { exact: true }).filter({ visible: true }).first();
      await tab.waitFor();
      await tab.click();
    },
    async textWith(expected, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
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
    },
    async sendSignal(name, input) {
      await page.getByRole('button', { name: 'More Actions' }).click();
      await page.getByText('Send a Signal', { exact: true }).filter({ visible: true }).first().click();
      // (the page holds more than one such modal; only one is shown)
      await page.getByTestId('signal-select-button').filter({ visible: true }).click();
      await page.getByRole('option', { name, exact: true }).filter({ visible: true }).click();
      const editor = page
        .locator('[contenteditable="true"][role="textbox"]')
        .filter({ visible: true })
        .first();
      await editor.click();
      await page.keyboard.press('Control+A');
      // inserted as text (not typed) so the editor's bracket auto-closing cannot add a second brace
      await page.keyboard.insertText(input);
      const submit = page.getByTestId('confirm-modal-button').filter({ visible: true });
      await submit.click();
      await submit.waitFor({ state: 'hidden' });
    },
    async screenshot(file) {
      await fitViewport(page);
      const where = path.join(artifacts, file);
      await page.screenshot({ path: where, fullPage: true });
      return where;
    },
    close: () => page.close(),
  };
}

/**
 * The UI scrolls its content inside a fixed-height pane, so a full-page screenshot is cut at the viewport:
 * grow the viewport until the pane holding the details frames no longer scrolls.
 */
async function fitViewport(page: Page): Promise<void> {
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
    await page.setViewportSize({ width: size.width, height: Math.min(size.height + overflow + 40, 4000) });
}
