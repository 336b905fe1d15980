/**
 * The bump, end to end on real parts: Temporal dev server, distribution
 * registry, git bare repos from the real Atmosphere files, and the GitHub
 * stand-in. One dev server for the file; a fresh world and task queue per test.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { WorkflowFailedError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  approveSignal,
  approveUpdate,
  branchStatusQuery,
  BumpBranch,
  BumpState,
  rejectSignal,
  type BumpResult,
} from '../../src/shared/messages.js';
import { startTemporal } from '../support/temporal.js';
import {
  createScenario,
  DEPENDENCY,
  type Scenario,
  type ScenarioOptions,
} from '../../src/sandbox/scenario.js';
import { allIn, waitForStatus, withWorker } from '../support/bump.js';
import { commitsOn, listBranches, readBranchFile, VARS_PATH } from '../../src/sandbox/gitFixtures.js';

/** In the real main.yml, nova_compute* keys pin two images: nova and nova-ssh. */
const AMBIGUOUS_SERVICE = 'nova_compute';

let env: TestWorkflowEnvironment;
const secrets: string[] = [];
let counter = 0;

async function scenario(options: Omit<ScenarioOptions, 'slug'> = {}): Promise<Scenario> {
  counter += 1;
  const s = await createScenario({ slug: `ops${counter}/atmosphere`, ...options });
  secrets.push(...s.secrets);
  return s;
}

async function failureOf(handle: WorkflowHandle): Promise<{ type: string | undefined; message: string }> {
  const err = await handle.result().then(
    () => assert.fail('expected the bump to fail'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof WorkflowFailedError, `expected WorkflowFailedError, got ${String(err)}`);
  const cause = err.cause as { type?: string; message: string };
  return { type: cause.type, message: cause.message };
}

async function assertNothingPushed(s: Scenario): Promise<void> {
  const branches = Object.keys(await listBranches(s.git, s.slug));
  assert.deepEqual(
    branches.filter((b) => b.startsWith('bump-')),
    [],
    'no bump branch may be pushed',
  );
  assert.equal(s.github.pulls.length, 0, 'no pull request may be opened');
}

before(async () => {
  env = await startTemporal();
});

after(async () => {
  if (!env) return;
  try {
    // Secrets stay in the worker's environment: no history of this run holds one.
    // Payload bytes come out of the history's toJSON as base64 `data` strings: decode them, or the search sees base64 only.
    const decode = (key: string, value: unknown): unknown =>
      key === 'data' && typeof value === 'string' ? Buffer.from(value, 'base64').toString('utf8') : value;
    let histories = 0;
    let readable = 0;
    for await (const wf of env.client.workflow.list()) {
      const history = await env.client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
      const text = JSON.stringify(history, decode);
      for (const secret of secrets)
        assert.ok(!text.includes(secret), `a secret leaked into the history of ${wf.workflowId}`);
      histories += 1;
      if (text.includes('\\"service\\":\\"magnum\\"')) readable += 1;
    }
    assert.ok(histories >= 1, `expected the histories of this run, found ${histories}`);
    assert.ok(
      readable >= 1,
      'expected decoded payloads (the service name in an input) in the histories searched',
    );
  } finally {
    await env.teardown();
  }
});

describe('bumpImage on main and two stable branches', () => {
  it('opens one PR per branch that changes only the image lines and adds the same release note', async () => {
    const s = await scenario();
    try {
      const result = await withWorker(env, s, async ({ start }) => {
        const handle = await start({ service: 'magnum' });
        const status = await waitForStatus(
          handle,
          allIn('awaiting-approval', 3),
          'every branch awaiting approval',
        );
        for (const b of status.branches) {
          assert.equal(b.newDigest, s.newDigest[b.tag]);
          assert.equal(b.oldDigest, s.oldDigest[b.tag]);
          assert.equal(b.plan?.changes.length, 4, 'magnum has four entries');
          assert.match(b.plan!.title, new RegExp(`\\(${b.branch.replace('.', '\\.')}\\)$`));
        }
        await handle.signal(approveSignal, { approver: 'release-engineer' });
        return (await handle.result()) as BumpResult;
      });
      assert.deepEqual(
        result.branches.map((b) => [b.branch, b.outcome]),
        [
          ['main', 'pr-opened'],
          ['stable/2025.1', 'pr-opened'],
          ['stable/2024.2', 'pr-opened'],
        ],
      );
      assert.equal(s.github.pulls.length, 3);
      const notes = new Set<string>();
      for (const pr of s.github.pulls) {
        const tag = pr.base === 'main' ? 'main' : pr.base.replace('stable/', '');
        assert.equal(pr.head, `bump-magnum-${tag}`);
        assert.ok(pr.title.endsWith(`(${pr.base})`), pr.title);
        assert.ok(
          pr.body.includes(s.oldDigest[tag]!) && pr.body.includes(s.newDigest[tag]!),
          'PR body shows old and new digest',
        );
        const commits = await commitsOn(s.git, s.slug, pr.head, pr.base);
        assert.equal(commits.length, 1, 'exactly one commit');
        assert.match(commits[0]!.message, /^Signed-off-by: bumpflow bot <bot@bumpflow\.test>$/m);
        assert.deepEqual(commits[0]!.files.sort(), [result.noteFile, VARS_PATH].sort());
        const before = (await readBranchFile(s.git, s.slug, pr.base, VARS_PATH))!.split('\n');
        const afterText = (await readBranchFile(s.git, s.slug, pr.head, VARS_PATH))!;
        const changed = afterText.split('\n').flatMap((line, i) => (line === before[i] ? [] : [line]));
        assert.equal(changed.length, 4, 'only the four magnum lines change');
        for (const line of changed)
          assert.ok(line.includes(`ghcr.io/vexxhost/magnum:${tag}@${s.newDigest[tag]}`), line);
        notes.add((await readBranchFile(s.git, s.slug, pr.head, result.noteFile))!);
      }
      assert.equal(notes.size, 1, 'the release note is identical on every branch');
      renoLint(s, 'bump-magnum-main');
    } finally {
      await s.close();
    }
  });

  it('skips a branch whose pin is already current (no branch, no PR) and honours a rejection', async () => {
    const s = await scenario({ current: ['stable/2024.2'] });
    try {
      const result = await withWorker(env, s, async ({ start }) => {
        const handle = await start({ service: 'magnum' });
        await waitForStatus(
          handle,
          (st) =>
            st.branches.length === 3 &&
            st.branches.filter((b) => b.state === 'awaiting-approval').length === 2,
          'two branches awaiting approval',
        );
        await handle.signal(rejectSignal, { reason: 'not this week' });
        return (await handle.result()) as BumpResult;
      });
      const byBranch = Object.fromEntries(result.branches.map((b) => [b.branch, b]));
      assert.equal(byBranch['stable/2024.2']?.outcome, 'no-op');
      assert.equal(byBranch['main']?.outcome, 'rejected');
      assert.equal(byBranch['main']?.reason, 'not this week');
      assert.equal(byBranch['stable/2025.1']?.outcome, 'rejected');
      await assertNothingPushed(s);
    } finally {
      await s.close();
    }
  });

  it('expires a branch nobody approves in time', async () => {
    const s = await scenario({ branches: ['main'] });
    try {
      const result = await withWorker(env, s, async ({ start }) => {
        const handle = await start({ service: 'magnum', approvalTimeout: '2s' });
        return (await handle.result()) as BumpResult;
      });
      assert.equal(result.branches[0]?.outcome, 'expired');
      await assertNothingPushed(s);
    } finally {
      await s.close();
    }
  });

  it('refuses an approval that names another digest, then takes the right one', async () => {
    const s = await scenario({ branches: ['main'] });
    try {
      const result = await withWorker(env, s, async ({ start }) => {
        const handle = await start({ service: 'magnum' });
        const status = await waitForStatus(handle, allIn('awaiting-approval', 1), 'main awaiting approval');
        const child = env.client.workflow.getHandle(status.branches[0]!.workflowId!);
        const wrong = s.oldDigest['main']!;
        await assert.rejects(
          child.executeUpdate(approveUpdate, { args: [{ digest: wrong }] }),
          (err: unknown) => {
            assert.ok(err instanceof WorkflowUpdateFailedError);
            assert.match(err.cause?.message ?? '', /planned digest is sha256:/);
            return true;
          },
        );
        await child.signal(approveSignal, { digest: wrong });
        const refused = await waitForStatus(
          handle,
          (st) => st.branches[0]!.refusals.length > 0,
          'the signal refusal',
        );
        assert.equal(refused.branches[0]!.state, 'awaiting-approval');
        assert.equal(s.github.pulls.length, 0);
        const after = await child.executeUpdate(approveUpdate, {
          args: [{ digest: s.newDigest['main']!, approver: 'ops' }],
        });
        assert.equal(after.approvedBy ?? 'ops', 'ops');
        return (await handle.result()) as BumpResult;
      });
      assert.equal(result.branches[0]?.outcome, 'pr-opened');
      assert.equal(s.github.pulls.length, 1);
    } finally {
      await s.close();
    }
  });

  it('re-plans and asks again when the tag moves while waiting', async () => {
    const s = await scenario({ branches: ['main'] });
    try {
      const result = await withWorker(env, s, async ({ start }) => {
        const handle = await start({ service: 'magnum' });
        await waitForStatus(handle, allIn('awaiting-approval', 1), 'main awaiting approval');
        // CI publishes a newer build of a newer commit while the operator looks away.
        const { addCommit } = await import('../../src/sandbox/gitFixtures.js');
        const head = await addCommit(s.git, 'vexxhost/docker-magnum', 'main', {
          message: 'fix: newer',
          files: { NEWS: 'newer\n' },
        });
        const moved = await s.publish('main', { revision: head, salt: 'moved' });
        await handle.signal(approveSignal, {});
        const again = await waitForStatus(
          handle,
          (st) => st.branches[0]!.state === 'awaiting-approval' && st.branches[0]!.newDigest === moved,
          're-planned on the moved tag',
        );
        assert.match(again.branches[0]!.notices.join('\n'), /moved/);
        await handle.signal(approveSignal, { digest: moved });
        const r = (await handle.result()) as BumpResult;
        assert.equal(r.branches[0]?.newDigest, moved);
        return r;
      });
      assert.equal(result.branches[0]?.outcome, 'pr-opened');
    } finally {
      await s.close();
    }
  });
});

describe('reasons, checked on every branch', () => {
  const STABLE = 'stable/2025.1';
  const cases: Array<{
    name: string;
    reason: (s: Scenario) => string;
    options?: Omit<ScenarioOptions, 'slug' | 'branches'>;
    /** per branch: the evidence shown when it passes, or undefined when it must fail with FixNotIncluded */
    expect: Record<string, RegExp | undefined>;
  }> = [
    {
      name: 'a fix commit on main, backported with cherry-pick -x',
      reason: (s) => s.fixCommit['main']!,
      expect: {
        main: /is an ancestor of the image's source revision/,
        [STABLE]: /a backport of [0-9a-f]{12}/,
      },
    },
    {
      name: 'a fix commit on main that the stable branch lacks',
      reason: (s) => s.fixCommit['main']!.slice(0, 10),
      options: { withoutBackport: [STABLE] },
      expect: { main: /ancestor/, [STABLE]: undefined },
    },
    {
      name: 'a commit the source repo does not have',
      reason: () => 'deadbeefdeadbeefdeadbeef',
      expect: { main: undefined, [STABLE]: undefined },
    },
    {
      name: 'the dependency pin the image carries',
      reason: () => `${DEPENDENCY.name}==${DEPENDENCY.new}`,
      expect: { main: /pins magnum-cluster-api==0\.36\.5/, [STABLE]: /pins magnum-cluster-api==0\.36\.5/ },
    },
    {
      name: 'a dependency pin the image lacks',
      reason: () => `${DEPENDENCY.name}==0.36.9`,
      expect: { main: undefined, [STABLE]: undefined },
    },
  ];
  for (const c of cases) {
    const passing = Object.keys(c.expect).filter((b) => c.expect[b] !== undefined);
    it(`${c.name}: ${passing.length ? `passes on ${passing.join(', ')}` : 'fails everywhere'}`, async () => {
      const s = await scenario({ branches: ['main', STABLE], ...c.options });
      try {
        const result = await withWorker(env, s, async ({ start }) => {
          const handle = await start({ service: 'magnum', reason: c.reason(s) });
          const st = await waitForStatus(
            handle,
            (x) =>
              x.branches.length === 2 &&
              x.branches.every((b) => b.state === (c.expect[b.branch] ? 'awaiting-approval' : 'failed')),
            'each branch waiting or failed as expected',
          );
          for (const b of st.branches) {
            const evidence = c.expect[b.branch];
            if (evidence) assert.match(b.validation.join('\n'), evidence, `evidence on ${b.branch}`);
            else
              assert.match(b.lastError?.message ?? '', /expected .*found/, `a clear failure on ${b.branch}`);
          }
          if (passing.length) await handle.signal(approveSignal, {});
          return (await handle.result()) as BumpResult;
        });
        for (const b of result.branches) {
          if (c.expect[b.branch]) {
            assert.equal(b.outcome, 'pr-opened', b.branch);
          } else {
            assert.equal(b.outcome, 'failed', b.branch);
            assert.equal(b.error?.type, 'FixNotIncluded', b.branch);
          }
        }
        assert.deepEqual(s.github.pulls.map((p) => p.base).sort(), [...passing].sort());
        for (const pr of s.github.pulls) assert.match(pr.title, /^fix\(magnum\)/);
        if (passing.length === 0) await assertNothingPushed(s);
      } finally {
        await s.close();
      }
    });
  }
});

describe('typed failures push nothing', () => {
  const parentFailures: Array<{
    name: string;
    type: string;
    options?: Omit<ScenarioOptions, 'slug'>;
    service?: string;
    branches?: string[];
    message: RegExp;
  }> = [
    { name: 'an unknown service', type: 'UnknownService', service: 'nonexistent', message: /nonexistent/ },
    { name: 'an ambiguous service', type: 'AmbiguousService', service: AMBIGUOUS_SERVICE, message: /→/ },
    {
      name: 'a missing branch',
      type: 'MissingBranch',
      branches: ['main', 'stable/1999.1'],
      message: /stable\/1999\.1.*stable\/2025\.1/s,
    },
    {
      name: 'a malformed vars file',
      type: 'MalformedVarsFile',
      options: {
        transform: (branch, text) =>
          branch === 'main' ? text.replace('_atmosphere_images:', '_atmosphere_images: [') : text,
      },
      message: /main/,
    },
  ];
  for (const c of parentFailures) {
    it(`${c.name}: ${c.type}`, async () => {
      const s = await scenario(c.options);
      try {
        const failure = await withWorker(env, s, async ({ start }) => {
          const handle = await start({
            service: c.service ?? 'magnum',
            ...(c.branches ? { branches: c.branches } : {}),
          });
          return failureOf(handle);
        });
        assert.equal(failure.type, c.type);
        assert.match(failure.message, c.message);
        await assertNothingPushed(s);
      } finally {
        await s.close();
      }
    });
  }

  const branchFailures: Array<{
    name: string;
    type: string;
    options: Omit<ScenarioOptions, 'slug'>;
    message: RegExp;
  }> = [
    {
      name: 'a stale tag',
      type: 'StaleTag',
      options: { branches: ['main', 'stable/2025.1'], stale: ['stable/2025.1'] },
      message: /stale/,
    },
    {
      name: 'a version label that is not the tag',
      type: 'LabelMismatch',
      options: { branches: ['main', 'stable/2025.1'], versionLabel: { '2025.1': '2024.2' } },
      message: /expected org\.opencontainers\.image\.version=2025\.1.*found 2024\.2/,
    },
  ];
  for (const c of branchFailures) {
    it(`${c.name}: ${c.type} on that branch only`, async () => {
      const s = await scenario(c.options);
      try {
        const result = await withWorker(env, s, async ({ start }) => {
          const handle = await start({ service: 'magnum' });
          await waitForStatus(
            handle,
            (st) =>
              st.branches.some((b) => b.state === 'failed') &&
              st.branches.some((b) => b.state === 'awaiting-approval'),
            'one failed, one waiting',
          );
          await handle.signal(rejectSignal, { reason: 'test done' });
          return (await handle.result()) as BumpResult;
        });
        const failed = result.branches.find((b) => b.branch === 'stable/2025.1')!;
        assert.equal(failed.outcome, 'failed');
        assert.equal(failed.error?.type, c.type);
        assert.match(failed.error?.message ?? '', c.message);
        await assertNothingPushed(s);
      } finally {
        await s.close();
      }
    });
  }

  it('refuses bad input before anything runs', async () => {
    const s = await scenario({ branches: ['main'] });
    try {
      const failure = await withWorker(env, s, async ({ settings }) => {
        const handle = await env.client.workflow.start('bumpImage', {
          taskQueue: settings.taskQueue,
          workflowId: `bad-input-${counter}`,
          args: [{ service: 'magnum', targetRepo: s.targetUrl, approvalTimeout: 'soon' }],
        });
        return failureOf(handle);
      });
      assert.equal(failure.type, 'BadInput');
      assert.match(failure.message, /approvalTimeout/);
    } finally {
      await s.close();
    }
  });
});

describe('branch status', () => {
  it('is queryable on the child with the plan an operator needs', async () => {
    const s = await scenario({ branches: ['main', 'stable/2025.1'] });
    try {
      await withWorker(env, s, async ({ start }) => {
        const handle = await start({ service: 'magnum', branches: ['stable/2025.1'] });
        const st = await waitForStatus(handle, allIn('awaiting-approval', 1), 'awaiting approval');
        const child = await env.client.workflow
          .getHandle(st.branches[0]!.workflowId!)
          .query(branchStatusQuery);
        assert.equal(child.branch, 'stable/2025.1');
        assert.equal(child.sourceBranch, 'stable/2025.1');
        assert.equal(child.newRevision, s.sourceCommits['stable/2025.1']!.at(-1));
        assert.equal(child.oldRevision, s.sourceCommits['stable/2025.1']![0]);
        assert.equal(child.plan?.workBranch, 'bump-magnum-2025.1');
        const desc = await env.client.workflow.getHandle(st.branches[0]!.workflowId!).describe();
        assert.equal(desc.typedSearchAttributes.get(BumpState), 'awaiting-approval');
        assert.equal(desc.typedSearchAttributes.get(BumpBranch), 'stable/2025.1');
        await handle.signal(rejectSignal, { reason: 'done' });
        await handle.result();
      });
    } finally {
      await s.close();
    }
  });
});

/** `reno lint` (the real one) on a clone of the pushed bump branch. */
function renoLint(s: Scenario, branch: string): void {
  const dir = execFileSync('mktemp', ['-d'], { encoding: 'utf8' }).trim();
  try {
    execFileSync('git', ['clone', '-q', '--branch', branch, s.git.barePath(s.slug), dir], {
      env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null' },
    });
    // Debian's reno (2.11) predates `default_branch` in config.yaml and scans from `master`.
    execFileSync('git', ['branch', 'master', 'origin/main'], { cwd: dir });
    const out = execFileSync('reno', ['lint'], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
    assert.doesNotMatch(out, /error/i);
  } finally {
    execFileSync('rm', ['-rf', dir]);
  }
}
