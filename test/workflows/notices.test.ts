/**
 * Notices end to end, on real parts (the dev server, the registry, git bare
 * repos, the GitHub stand-in) and real loopback webhook receivers: what a bump
 * and a catalog update tell, once each, to the targets whose filters want it;
 * a receiver that answers 500 gets each notice once it answers 200, never
 * twice; one that never answers neither blocks nor fails the workflow; no
 * receiver's URL reaches a history.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { approveSignal, retrySignal, type BumpResult } from '../../src/shared/messages.js';
import { createForge } from '../../src/clients/forge/index.js';
import type { NoticeReceiver, NoticeSettings } from '../../src/clients/notify/index.js';
import { catalogGate } from '../../src/shared/catalog.js';
import { createScenario, type Scenario } from '../../src/sandbox/scenario.js';
import { startTemporal } from '../support/temporal.js';
import { allIn, waitForStatus, withWorker } from '../support/bump.js';
import { createCatalogWorld, withCatalogWorker } from '../support/catalog.js';
import { eventually, startReceiver, targetFor, type Receiver } from '../support/noticeReceivers.js';

const UI = 'http://ui.bumpflow.test';
const fastRetry = { maximumAttempts: 2, initialInterval: '200ms', maximumInterval: '500ms' };

interface Body {
  state: string;
  id: string;
  branches: string[];
  prs: { branch?: string; url: string }[];
  workflowId: string;
  uiUrl: string;
  command: string;
  text: string;
  error?: string;
}

let env: TestWorkflowEnvironment;
const open: Receiver[] = [];
const dirs: string[] = [];

before(async () => {
  env = await startTemporal();
});
after(async () => {
  await Promise.all(open.map((r) => r.close()));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  await env?.teardown();
});

async function receiver(answer?: Parameters<typeof startReceiver>[0]): Promise<Receiver> {
  const r = await startReceiver(answer);
  open.push(r);
  return r;
}

async function settings(targets: NoticeReceiver[]): Promise<NoticeSettings> {
  const ledgerDir = await mkdtemp(path.join(os.tmpdir(), 'bumpflow-ledger-'));
  dirs.push(ledgerDir);
  return { targets, uiUrl: UI, namespace: 'default', ledgerDir };
}

const bodies = (r: Receiver) => r.accepted() as Body[];
const ofState = (r: Receiver, state: string) => bodies(r).filter((b) => b.state === state);

async function historyText(workflowId: string): Promise<string> {
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  return JSON.stringify(history);
}

describe('notices', { timeout: 240_000 }, () => {
  it('a bump tells its branches awaiting approval once, each blocked branch once, its PRs; a failing and a silent receiver change nothing', async () => {
    const ok = await receiver();
    const flaky = await receiver({ kind: 'fail', first: 2 });
    const silent = await receiver({ kind: 'hang' });
    const prsOnly = await receiver();
    const promotions = await receiver();
    const notices = await settings([
      targetFor('ops', ok),
      targetFor('flaky', flaky, { attempts: 4 }),
      targetFor('silent', silent, { attempts: 2, timeoutMs: 300 }),
      targetFor('prs', prsOnly, { states: ['pr-opened'] }),
      targetFor('promotions', promotions, { procedures: ['promote'] }),
    ]);
    const s = await createScenario({ slug: 'ntc1/atmosphere', branches: ['main', 'stable/2025.1'] });
    try {
      const world: Scenario = { ...s, deps: { ...s.deps, notices } };
      const { id, result } = await withWorker(env, world, async ({ start }) => {
        const handle = await start({ service: 'magnum', retry: fastRetry });
        await waitForStatus(handle, allIn('awaiting-approval', 2), 'both branches awaiting approval');
        await eventually(() => ofState(ok, 'awaiting-approval').length === 1, 'the approval notice');
        s.github.setRepository('ntc1', 'atmosphere', { role: 'read' }); // the PRs will be refused
        await handle.signal(approveSignal, { approver: 'ops' });
        await waitForStatus(handle, allIn('blocked', 2), 'both branches blocked opening their PRs');
        const named = () => ofState(ok, 'blocked').flatMap((b) => b.branches);
        await eventually(() => named().length === 2, 'both blocked branches told');
        s.github.setRepository('ntc1', 'atmosphere', { role: 'write' });
        await handle.signal(retrySignal, {});
        return { id: handle.workflowId, result: (await handle.result()) as BumpResult };
      });
      assert.deepEqual(
        result.branches.map((b) => b.outcome),
        ['pr-opened', 'pr-opened'],
      );

      // one notice for both branches awaiting approval, with the UI link and the CLI line
      const [waiting] = ofState(ok, 'awaiting-approval');
      assert.deepEqual(waiting!.branches.sort(), ['main', 'stable/2025.1']);
      assert.equal(waiting!.workflowId, id);
      assert.equal(waiting!.uiUrl, `${UI}/namespaces/default/workflows/${encodeURIComponent(id)}`);
      assert.match(waiting!.command, /^bumpflow approve /);
      assert.ok(waiting!.text.includes(waiting!.command), 'the text carries the CLI line');
      // each blocked branch named once (one notice or two, as they reached it), with the retry line
      const blocked = ofState(ok, 'blocked');
      assert.deepEqual(blocked.flatMap((b) => b.branches).sort(), ['main', 'stable/2025.1']);
      for (const b of blocked) assert.match(b.command, /^bumpflow retry /);
      // the PRs, once
      const opened = ofState(ok, 'pr-opened');
      assert.equal(opened.length, 1);
      assert.deepEqual(opened[0]!.prs.map((p) => p.url).sort(), result.branches.map((b) => b.prUrl).sort());
      assert.equal(ok.requests.length, bodies(ok).length, 'the good receiver answered every request it got');
      const told = bodies(ok).map((b) => b.id);
      assert.equal(new Set(told).size, told.length, 'no notice twice');

      // the receiver that failed twice got every notice once it answered, each once
      const what = (r: Receiver) => bodies(r).map((b) => `${b.state} ${[...b.branches].sort().join(',')}`);
      assert.deepEqual(what(flaky).sort(), what(ok).sort());
      const flakyIds = bodies(flaky).map((b) => b.id);
      assert.equal(new Set(flakyIds).size, flakyIds.length, 'no notice twice');
      // a refused try and its retry carry the same delivery id
      for (const refused of flaky.requests.filter((r) => r.status === 500))
        assert.ok(flakyIds.includes(String(refused.headers['x-bumpflow-delivery'])), 'retried with its id');
      assert.equal(flaky.requests.length, told.length + 2, 'two refused requests, retried');
      // the silent one was tried (at most its attempts per notice) and changed nothing
      assert.ok(silent.requests.length >= 1 && silent.requests.length <= 2 * told.length);
      // filters: states, procedures
      assert.deepEqual(
        bodies(prsOnly).map((b) => b.state),
        ['pr-opened'],
      );
      assert.equal(promotions.requests.length, 0, 'a promotions-only target hears nothing of a bump');

      const history = await historyText(id);
      for (const r of [ok, flaky, silent, prsOnly, promotions])
        assert.ok(!history.includes(new URL(r.url).host), 'no receiver URL in the history');
    } finally {
      await s.close();
    }
  });

  it('a failed bump is told with its error, without the token', async () => {
    const ok = await receiver();
    const notices = await settings([targetFor('ops', ok, { kind: 'slack' })]);
    const s = await createScenario({ slug: 'ntc2/atmosphere', branches: ['main'] });
    try {
      const world: Scenario = {
        ...s,
        deps: { ...s.deps, notices, forge: createForge({ baseUrl: s.github.url, token: 'not-the-token' }) },
      };
      const id = await withWorker(env, world, async ({ start }) => {
        const handle = await start({ service: 'magnum', retry: fastRetry });
        await handle.result().catch(() => undefined);
        return handle.workflowId;
      });
      await eventually(() => ok.accepted().length === 1, 'the failure notice');
      const { text } = ok.accepted()[0] as { text: string };
      assert.match(text, /fail/i);
      assert.ok(text.includes(`bumpflow status ${id}`) || text.includes(`bumpflow status '${id}'`), text);
      assert.ok(!text.includes('not-the-token'), 'the token is never told');
    } finally {
      await s.close();
    }
  });

  it('a catalog update tells its wait for approval and its PR, once each, and its failure', async () => {
    const ok = await receiver();
    const notices = await settings([targetFor('ops', ok)]);
    const world = await createCatalogWorld('osism/catalog-notices');
    try {
      world.mirror.publish('Ubuntu 24.04', '20260115');
      const withNotices = { ...world, deps: { ...world.deps, notices } };
      const result = await withCatalogWorker(env, withNotices, async (run) => {
        const h = await run.start({ path: 'etc/images/ubuntu.yml' });
        await run.statusWhen(h, (s) => s.state === 'awaiting-approval', 'awaiting approval');
        await eventually(() => ofState(ok, 'awaiting-approval').length === 1, 'the approval notice');
        await h.executeUpdate(catalogGate.approveUpdate, { args: [{ approver: 'ops' }] });
        return run.result(h);
      });
      assert.equal(result.state, 'pr-opened');
      assert.deepEqual(
        bodies(ok).map((b) => b.state),
        ['awaiting-approval', 'pr-opened'],
      );
      const pr = ofState(ok, 'pr-opened')[0]!;
      assert.deepEqual(pr.prs, [{ branch: 'main', url: result.prUrl }]);
      assert.match(ofState(ok, 'awaiting-approval')[0]!.command, /^bumpflow approve /);

      world.mirror.publish('Ubuntu 22.04', '20260130', { listed: false });
      await withCatalogWorker(env, withNotices, async (run) => {
        const h = await run.start({ path: 'etc/images/ubuntu.yml' });
        await run.failure(h);
      });
      const failed = ofState(ok, 'failed');
      assert.equal(failed.length, 1);
      assert.match(failed[0]!.error ?? '', /Ubuntu 22\.04/);
      assert.match(failed[0]!.command, /^bumpflow status /);
    } finally {
      await world.close();
    }
  });
});
