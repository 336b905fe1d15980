import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chooseRollbackTarget, type RollbackCandidate } from '../../src/lib/tags/rollbackChoice.js';
import { BumpflowError, FatalFailure } from '../../src/shared/failures.js';

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const A = digest('a');
const B = digest('b');
const C = digest('c');
const D = digest('d');

void describe('chooseRollbackTarget', () => {
  void it('picks the most recent stamp whose digest differs from the current one, ignoring non-stamps', () => {
    const candidates: RollbackCandidate[] = [
      { tag: 'prod', digest: C },
      { tag: 'latest', digest: C },
      { tag: 'staging', digest: D },
      { tag: 'staging-20260310-ddddddd', digest: D },
      { tag: 'prod-rollback-20260309-101010-from-ccccccc', digest: B },
      { tag: 'prod-20260201-aaaaaaa', digest: A },
      { tag: 'prod-20260301-bbbbbbb', digest: B },
      { tag: 'prod-20260305-ccccccc', digest: C },
    ];
    assert.deepEqual(chooseRollbackTarget({ prefix: 'prod', currentDigest: C, candidates }), {
      tag: 'prod-20260301-bbbbbbb',
      digest: B,
      reason: `most recent prod-* stamp whose digest differs from :prod (${C}), older than prod-20260305-ccccccc (the newest stamp of that digest)`,
    });
  });

  void it('when no stamp holds the current digest, any stamp may be chosen', () => {
    const candidates = [
      { tag: 'prod-20260201-aaaaaaa', digest: A },
      { tag: 'prod-20260301-bbbbbbb', digest: B },
    ];
    assert.deepEqual(chooseRollbackTarget({ prefix: 'prod', currentDigest: D, candidates }), {
      tag: 'prod-20260301-bbbbbbb',
      digest: B,
      reason: `most recent prod-* stamp whose digest differs from :prod (${D})`,
    });
  });

  void it('after a rollback, rolls further back, never forward to the image rolled back from', () => {
    // promoted A, then B; rolled back to A: :prod is A again
    const candidates = [
      { tag: 'prod-20260201-aaaaaaa', digest: A },
      { tag: 'prod-20260301-bbbbbbb', digest: B },
      { tag: 'prod-20260115-ccccccc', digest: C },
    ];
    assert.equal(
      chooseRollbackTarget({ prefix: 'prod', currentDigest: A, candidates }).tag,
      'prod-20260115-ccccccc',
    );
  });

  void it('on the same date orders by created time (missing last), then by tag name descending', () => {
    const sameDay = [
      { tag: 'prod-20260301-1111111', digest: A, created: '2026-03-01T09:00:00Z' },
      { tag: 'prod-20260301-2222222', digest: B, created: '2026-03-01T18:00:00Z' },
      { tag: 'prod-20260301-3333333', digest: C },
      { tag: 'prod-20260301-4444444', digest: C, created: '1970-01-01T00:00:00Z' },
    ];
    const pick = (currentDigest: string, candidates: RollbackCandidate[]) =>
      chooseRollbackTarget({ prefix: 'prod', currentDigest, candidates }).tag;
    assert.equal(pick(D, sameDay), 'prod-20260301-2222222');
    assert.equal(pick(D, [...sameDay].reverse()), 'prod-20260301-2222222');
    // without created times (the epoch counts as none) the larger tag name wins, whatever the listing order
    assert.equal(pick(D, sameDay.slice(2)), 'prod-20260301-4444444');
    assert.equal(pick(D, sameDay.slice(2).reverse()), 'prod-20260301-4444444');
    // the stamp date beats the created time
    assert.equal(
      pick(D, [...sameDay, { tag: 'prod-20260302-5555555', digest: A, created: '2020-01-01T00:00:00Z' }]),
      'prod-20260302-5555555',
    );
  });

  void it('uses the stamps of the prefix asked for only', () => {
    const candidates = [
      { tag: 'staging-20260301-aaaaaaa', digest: A },
      { tag: 'prod-20260201-bbbbbbb', digest: B },
    ];
    assert.equal(
      chooseRollbackTarget({ prefix: 'staging', currentDigest: C, candidates }).tag,
      'staging-20260301-aaaaaaa',
    );
    assert.equal(
      chooseRollbackTarget({ prefix: 'prod', currentDigest: C, candidates }).tag,
      'prod-20260201-bbbbbbb',
    );
  });

  void it('NoRollbackTarget says how many stamps were seen and how many share the current digest', () => {
    const candidates = [
      { tag: 'prod', digest: A },
      { tag: 'prod-rollback-20260301-101010-from-bbbbbbb', digest: B },
      { tag: 'prod-20260201-aaaaaaa', digest: A },
      { tag: 'prod-20260301-aaaaaaa', digest: A },
      { tag: 'prod-20260401-bbbbbbb', digest: B },
    ];
    assert.throws(
      () => chooseRollbackTarget({ prefix: 'prod', currentDigest: A, candidates }),
      (err: unknown) => {
        assert.ok(err instanceof BumpflowError);
        assert.equal(err.type, FatalFailure.NoRollbackTarget);
        assert.equal(
          err.message,
          `expected a prod-YYYYMMDD-<sha> stamp older than prod-20260301-aaaaaaa whose digest differs from :prod (${A}), found 3 stamp(s) among 5 tag(s), 2 of them with the current digest; name the tag to roll back to`,
        );
        assert.deepEqual(err.details, {
          prefix: 'prod',
          currentDigest: A,
          tags: 5,
          stamps: 3,
          sameDigest: 2,
          newestCurrentStamp: 'prod-20260301-aaaaaaa',
        });
        return true;
      },
    );
  });

  void it('NoRollbackTarget when there are no stamps at all', () => {
    assert.throws(
      () =>
        chooseRollbackTarget({ prefix: 'prod', currentDigest: A, candidates: [{ tag: 'prod', digest: A }] }),
      (err: unknown) =>
        err instanceof BumpflowError &&
        err.type === FatalFailure.NoRollbackTarget &&
        err.message.includes('found 0 stamp(s) among 1 tag(s), 0 of them with the current digest'),
    );
  });

  void it('refuses a current digest that is no digest', () => {
    assert.throws(
      () => chooseRollbackTarget({ prefix: 'prod', currentDigest: 'abc', candidates: [] }),
      (err: unknown) =>
        err instanceof BumpflowError && err.type === FatalFailure.BadInput && err.message.includes('"abc"'),
    );
  });
});
