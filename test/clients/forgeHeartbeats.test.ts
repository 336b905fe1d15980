/**
 * The forge's activities heartbeat while they wait on a slow forge, so a worker
 * lost during PR creation, the access check or the audit release is noticed
 * within the forge class's heartbeat timeout, not at its 30 s start-to-close.
 * Each runs as the worker builds it (createActivities, the wrapper included)
 * inside the SDK's MockActivityEnvironment, scheduled with the forge class's
 * options, against the GitHub stand-in (a test double) holding each first
 * answer for a while.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities, type ActivityDeps } from '../../src/activities/index.js';
import { HEARTBEAT_EVERY_MS } from '../../src/activities/kit/wrap.js';
import { createForge } from '../../src/clients/forge/index.js';
import { parseDuration } from '../../src/lib/kit/duration.js';
import { startGitHubStandIn, type GitHubStandIn } from '../../src/sandbox/githubStandIn.js';
import { activityClasses } from '../../src/workflows/kit/proxies.js';
import { OWNER, PR_INPUT, REPO, TOKEN } from './forgeSupport.js';

/** how long the stand-in holds the first request of each activity */
const HOLD_MS = HEARTBEAT_EVERY_MS * 2 + 500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let gh: GitHubStandIn;
let held = 0;
let holdNext = false;

before(async () => {
  gh = await startGitHubStandIn({ token: TOKEN });
  gh.onRequest = async () => {
    if (!holdNext) return undefined;
    holdNext = false;
    held += 1;
    await sleep(HOLD_MS);
    held -= 1;
    return undefined;
  };
});
after(async () => {
  await gh?.close();
});

type Acts = ReturnType<typeof createActivities>;

function activities(): Acts {
  const unused = new Proxy({}, { get: () => assert.fail('a forge activity touched another client') });
  const deps = {
    forge: createForge({ baseUrl: gh.url, token: TOKEN, timeoutMs: 10_000 }),
    registry: unused,
    git: unused,
    author: { name: 'bumpflow', email: 'bumpflow@example.org' },
  } as unknown as ActivityDeps;
  return createActivities(deps);
}

/** Runs one activity with the forge class's heartbeat timeout; counts heartbeats, and those sent while the forge held an answer. */
async function run(
  call: (acts: Acts) => Promise<unknown>,
  info: { heartbeatTimeoutMs?: number } = {
    heartbeatTimeoutMs: parseDuration(activityClasses.forge.heartbeatTimeout),
  },
): Promise<{ result: unknown; beats: number; whileWaiting: number }> {
  const env = new MockActivityEnvironment(info);
  let beats = 0;
  let whileWaiting = 0;
  env.on('heartbeat', () => {
    beats += 1;
    if (held > 0) whileWaiting += 1;
  });
  holdNext = true;
  const acts = activities();
  const result = await env.run(() => call(acts));
  return { result, beats, whileWaiting };
}

void describe('forge activities heartbeat while the forge is slow', () => {
  it('the forge class has a heartbeat timeout well above the beat and below start-to-close', () => {
    const heartbeat = parseDuration(activityClasses.forge.heartbeatTimeout);
    assert.ok(heartbeat >= 3 * HEARTBEAT_EVERY_MS, `${heartbeat} ms`);
    assert.ok(heartbeat < parseDuration(activityClasses.forge.startToCloseTimeout));
  });

  const cases: { name: string; call: (a: Acts) => Promise<unknown> }[] = [
    {
      name: 'checkForge',
      call: (a) => a.checkForge({ repoUrl: `https://github.com/${OWNER}/${REPO}` }),
    },
    {
      name: 'openPullRequest',
      call: (a) => a.openPullRequest({ ...PR_INPUT, repoUrl: `https://github.com/${OWNER}/${REPO}` }),
    },
    {
      name: 'recordAudit',
      call: (a) =>
        a.recordAudit({
          procedure: 'promote',
          image: 'ghcr.io/vexxhost/magnum',
          sourceRepo: `https://github.com/${OWNER}/${REPO}`,
          tag: 'stamp-20250101-3f2a9c1d5e7b',
          revision: '3f2a9c1d5e7b8a60c0ffee0123456789abcdef01',
          name: 'promote 2025.1',
          body: 'promoted',
        }),
    },
  ];
  for (const c of cases) {
    it(`${c.name} heartbeats while it waits on the forge`, async () => {
      const { result, beats, whileWaiting } = await run(c.call);
      assert.ok(result !== undefined);
      assert.ok(
        whileWaiting >= 2,
        `${c.name}: ${whileWaiting} heartbeats while the forge held its answer ${HOLD_MS} ms (of ${beats})`,
      );
      assert.ok(beats <= 8, `${c.name}: ${beats} heartbeats, expected a beat every ${HEARTBEAT_EVERY_MS} ms`);
    });
  }

  it('the same call without a heartbeat timeout (a local activity, a unit test) does not beat', async () => {
    const { beats } = await run(cases[0]!.call, {});
    assert.equal(beats, 0);
  });
});
