/**
 * The activity wrapper: typed failures leave as ApplicationFailures (fatal ones
 * non-retryable), and long activities heartbeat while they run, so a lost
 * worker is noticed within the heartbeat timeout. Runs the wrapper inside the
 * SDK's MockActivityEnvironment (a real activity Context, no server).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { beatWith, wrapActivities, HEARTBEAT_EVERY_MS } from '../../src/activities/kit/wrap.js';
import { fatal, FatalFailure, transient, TransientFailure } from '../../src/shared/failures.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('activity wrapper', () => {
  it('heartbeats while a listed activity runs, and not for an unlisted one', async () => {
    const acts = wrapActivities(
      {
        slow: async (_: never) => sleep(HEARTBEAT_EVERY_MS * 2 + 500).then(() => 'done'),
        quick: async (_: never) => sleep(HEARTBEAT_EVERY_MS * 2 + 500).then(() => 'done'),
      },
      { heartbeat: new Set(['slow'] as const) },
    );
    for (const [name, least, most] of [
      ['slow', 3, 10],
      ['quick', 0, 0],
    ] as const) {
      const env = new MockActivityEnvironment();
      let beats = 0;
      env.on('heartbeat', () => (beats += 1));
      assert.equal(await env.run(acts[name], undefined as never), 'done');
      assert.ok(beats >= least && beats <= most, `${name}: ${beats} heartbeats, expected ${least}–${most}`);
    }
  });

  it('heartbeats an unlisted activity scheduled with a heartbeat timeout, well within it; never a local one', async () => {
    const acts = wrapActivities(
      { forgeCall: async (_: never) => sleep(1_000).then(() => 'done') },
      { heartbeat: new Set() },
    );
    for (const [info, least, most] of [
      [{ heartbeatTimeoutMs: 900 }, 3, 6], // a beat every 300 ms: a third of the timeout
      [{ heartbeatTimeoutMs: 900, isLocal: true }, 0, 0],
      [{}, 0, 0],
    ] as const) {
      const env = new MockActivityEnvironment(info);
      let beats = 0;
      env.on('heartbeat', () => (beats += 1));
      assert.equal(await env.run(acts.forgeCall, undefined as never), 'done');
      assert.ok(beats >= least && beats <= most, `${JSON.stringify(info)}: ${beats} heartbeats`);
    }
  });

  it('beatWith: beats its details at once, and every later timer beat carries the latest ones', async () => {
    const acts = wrapActivities(
      {
        upload: async (_: never) => {
          await sleep(350);
          beatWith({ partsDone: 1 });
          await sleep(350);
          beatWith({ partsDone: 2 });
          await sleep(700);
          return 'done';
        },
      },
      { heartbeat: new Set() },
    );
    const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 600 }); // a timer beat every 200 ms
    const beats: unknown[] = [];
    env.on('heartbeat', (details: unknown) => beats.push(details));
    assert.equal(await env.run(acts.upload, undefined as never), 'done');
    const first = beats.findIndex((d) => d !== undefined);
    assert.ok(first > 0, 'bare beats before any details');
    assert.ok(beats.slice(0, first).every((d) => d === undefined));
    const after = beats.slice(first);
    assert.deepEqual(after[0], { partsDone: 1 });
    assert.ok(
      after.every((d) => d !== undefined),
      'no beat without details once some were given',
    );
    assert.deepEqual(after.at(-1), { partsDone: 2 });
    assert.ok(after.filter((d) => (d as { partsDone: number }).partsDone === 2).length >= 3);
  });

  it("a retried attempt's beats carry the previous attempt's details until it gives its own", async () => {
    const acts = wrapActivities(
      {
        upload: async (_: never) => {
          await sleep(500);
          beatWith({ partsDone: 4 });
          await sleep(300);
          return 'done';
        },
      },
      { heartbeat: new Set(['upload'] as const) },
    );
    const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 600, heartbeatDetails: { partsDone: 3 } });
    const beats: unknown[] = [];
    env.on('heartbeat', (details: unknown) => beats.push(details));
    await env.run(acts.upload, undefined as never);
    const firstOwn = beats.findIndex((d) => (d as { partsDone: number }).partsDone === 4);
    assert.ok(firstOwn >= 2, `${JSON.stringify(beats)}`);
    assert.ok(beats.slice(0, firstOwn).every((d) => (d as { partsDone: number }).partsDone === 3));
    assert.ok(beats.slice(firstOwn).every((d) => (d as { partsDone: number }).partsDone === 4));
  });

  it('beatWith outside an activity or in a local one does nothing; details do not outlive their run', async () => {
    beatWith({ partsDone: 1 }); // no context: no throw
    const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 300, isLocal: true });
    let beats = 0;
    env.on('heartbeat', () => (beats += 1));
    const acts = wrapActivities({ local: async (_: never) => beatWith({ x: 1 }) }, { heartbeat: new Set() });
    await env.run(acts.local, undefined as never);
    assert.equal(beats, 0);
    // the mock reuses one context for every run: a later run must not carry an earlier run's details
    const shared = new MockActivityEnvironment({ heartbeatTimeoutMs: 300 });
    const seen: unknown[] = [];
    shared.on('heartbeat', (details: unknown) => seen.push(details));
    const two = wrapActivities(
      {
        giving: async (_: never) => beatWith({ partsDone: 9 }),
        plain: async (_: never) => sleep(250),
      },
      { heartbeat: new Set() },
    );
    await shared.run(two.giving, undefined as never);
    seen.length = 0;
    await shared.run(two.plain, undefined as never);
    assert.ok(seen.length >= 1 && seen.every((d) => d === undefined), JSON.stringify(seen));
  });

  it('stops heartbeating when the activity ends, even when it fails', async () => {
    const acts = wrapActivities(
      { boom: async (_: never) => Promise.reject(new Error('boom')) },
      { heartbeat: new Set(['boom'] as const) },
    );
    const env = new MockActivityEnvironment();
    let beats = 0;
    env.on('heartbeat', () => (beats += 1));
    await assert.rejects(env.run(acts.boom, undefined as never), /boom/);
    const after = beats;
    await sleep(HEARTBEAT_EVERY_MS + 300);
    assert.equal(beats, after, 'no heartbeat after the activity ended');
  });

  it('turns BumpflowErrors into typed ApplicationFailures: fatal ones non-retryable, outages with Retry-After', async () => {
    const acts = wrapActivities(
      {
        fatal: async (_: never) => Promise.reject(fatal(FatalFailure.StaleTag, 'expected HEAD, found older')),
        outage: async (_: never) =>
          Promise.reject(transient(TransientFailure.RegistryUnavailable, 'down', { retryAfterMs: 7000 })),
      },
      { heartbeat: new Set() },
    );
    const env = new MockActivityEnvironment();
    await assert.rejects(env.run(acts.fatal, undefined as never), (err: unknown) => {
      assert.ok(err instanceof ApplicationFailure);
      assert.equal(err.type, 'StaleTag');
      assert.equal(err.nonRetryable, true);
      return true;
    });
    await assert.rejects(env.run(acts.outage, undefined as never), (err: unknown) => {
      assert.ok(err instanceof ApplicationFailure);
      assert.equal(err.type, 'RegistryUnavailable');
      assert.equal(err.nonRetryable, false);
      assert.equal(err.nextRetryDelay, 7000);
      return true;
    });
  });
});
