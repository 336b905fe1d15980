import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { limitPerKey } from '../../src/lib/sweep/index.js';
import { BumpflowError, FatalFailure } from '../../src/shared/failures.js';

/** A task that runs until released, recording how many of its key run at once. */
function gate() {
  const running = new Map<string, number>();
  const peak = new Map<string, number>();
  const releases: (() => void)[] = [];
  const started: string[] = [];
  const task = (key: string, name: string) => () => {
    started.push(name);
    running.set(key, (running.get(key) ?? 0) + 1);
    peak.set(key, Math.max(peak.get(key) ?? 0, running.get(key)!));
    return new Promise<string>((resolve) =>
      releases.push(() => {
        running.set(key, running.get(key)! - 1);
        resolve(name);
      }),
    );
  };
  return { task, peak, releases, started };
}
const tick = () => new Promise((r) => setImmediate(r));

void describe('limitPerKey', () => {
  void it('runs at most n per key, in order, and keys do not wait for each other', async () => {
    const limit = limitPerKey(2);
    const g = gate();
    const results = [
      ...['a1', 'a2', 'a3', 'a4', 'a5'].map((n) => limit('ghcr.io', g.task('ghcr.io', n))),
      ...['q1', 'q2'].map((n) => limit('quay.io', g.task('quay.io', n))),
    ];
    await tick();
    assert.deepEqual(g.started, ['a1', 'a2', 'q1', 'q2']);
    while (g.releases.length > 0) {
      g.releases.shift()!();
      await tick();
    }
    assert.deepEqual(await Promise.all(results), ['a1', 'a2', 'a3', 'a4', 'a5', 'q1', 'q2']);
    assert.deepEqual(g.started, ['a1', 'a2', 'q1', 'q2', 'a3', 'a4', 'a5']);
    assert.equal(g.peak.get('ghcr.io'), 2);
    assert.equal(g.peak.get('quay.io'), 2);
  });

  void it('a failing task frees its slot and rejects only its own promise', async () => {
    const limit = limitPerKey(1);
    const failed = limit('ghcr.io', () => Promise.reject(new Error('503')));
    const next = limit('ghcr.io', () => Promise.resolve('ok'));
    await assert.rejects(failed, /503/);
    assert.equal(await next, 'ok');
  });

  void it('refuses a limit below 1', () => {
    for (const n of [0, -1, 1.5, Number.NaN])
      assert.throws(
        () => limitPerKey(n),
        (e: unknown) => e instanceof BumpflowError && e.type === FatalFailure.BadInput,
      );
  });
});
