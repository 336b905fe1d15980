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
import { wrapActivities, HEARTBEAT_EVERY_MS } from '../../src/activities/wrap.js';
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
