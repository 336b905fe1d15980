import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseStamp, renderStamp, rollbackAuditTag, stampTemplateProblem } from '../../src/lib/kit/stamp.js';
import { BumpflowError, FatalFailure, type FatalFailureType } from '../../src/shared/failures.js';

const SHA = 'abc1234def5678abc1234def5678abc1234def56';
const AT = new Date('2026-03-01T14:25:01.900Z');

function failure(type: FatalFailureType, ...needles: string[]): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(err instanceof BumpflowError, `expected a BumpflowError, got ${String(err)}`);
    assert.equal(err.type, type);
    for (const n of needles)
      assert.ok(err.message.includes(n), `expected ${JSON.stringify(n)} in: ${err.message}`);
    return true;
  };
}

void describe('stampTemplateProblem', () => {
  for (const good of [
    '{tag}-{date}-{revision:7}',
    'prod-{date}-{revision}',
    '{tag}-{date}{time}-{revision:12}',
    'r{revision:40}',
  ])
    void it(`accepts ${good}`, () => assert.equal(stampTemplateProblem(good), undefined));

  const bad: [string, string][] = [
    ['', 'empty'],
    ['{tag}-{sha}', 'unknown placeholder {sha}'],
    ['{tag}-{Date}-{revision}', 'unknown placeholder {Date}'],
    ['{tag}-{revision:6}', '{revision:6} asks for 6'],
    ['{tag}-{revision:41}', '{revision:41} asks for 41'],
    ['{tag}-{revision:x}', 'unknown placeholder {revision:x}'],
    ['{tag}-{date}-{revision', 'a brace that opens or closes no placeholder'],
    ['{tag}-{date}}-{revision}', 'a brace that opens or closes no placeholder'],
    ['{tag}-{date}', 'no {revision}'],
    ['-{date}-{revision:7}', 'not a valid tag'],
    ['{tag}/{date}-{revision:7}', 'not a valid tag'],
    [`${'x'.repeat(100)}-{revision}`, 'not a valid tag'],
  ];
  for (const [template, problem] of bad) {
    void it(`refuses ${JSON.stringify(template)}`, () => {
      const found = stampTemplateProblem(template);
      assert.ok(found?.includes(problem), `expected ${JSON.stringify(problem)} in ${String(found)}`);
    });
  }
});

void describe('renderStamp', () => {
  void it('fills date and time in UTC, the revision (cut to N) and the first target tag', () => {
    assert.equal(
      renderStamp('{tag}-{date}-{revision:7}', { at: AT, revision: SHA, tag: 'prod' }),
      'prod-20260301-abc1234',
    );
    assert.equal(
      renderStamp('{tag}-{date}-{time}-{revision}', { at: AT, revision: SHA, tag: 'prod' }),
      `prod-20260301-142501-${SHA}`,
    );
    // 23:30 at UTC-5 is already the next day in UTC
    const lateEvening = new Date('2026-02-28T23:30:00-05:00');
    assert.equal(
      renderStamp('{tag}-{date}-{revision:7}', { at: lateEvening, revision: SHA, tag: 'prod' }),
      'prod-20260301-abc1234',
    );
  });

  void it('a missing revision label is LabelMissing naming the label and where stamps never come from', () => {
    assert.throws(
      () => renderStamp('{tag}-{date}-{revision:7}', { at: AT, revision: undefined, tag: 'prod' }),
      failure(
        FatalFailure.LabelMissing,
        'org.opencontainers.image.revision',
        'found no such label',
        'never derived from a digest or a tag listing',
      ),
    );
  });

  for (const revision of [
    '',
    'main',
    'v1.2.3',
    'abc123',
    SHA.toUpperCase(),
    `${SHA}0`,
    'sha256:abc1234def5678',
  ]) {
    void it(`a revision label ${JSON.stringify(revision)} that is no commit sha is LabelMissing`, () => {
      assert.throws(
        () => renderStamp('{tag}-{date}-{revision:7}', { at: AT, revision, tag: 'prod' }),
        failure(FatalFailure.LabelMissing, '7 to 40 lowercase hex', JSON.stringify(revision)),
      );
    });
  }

  void it('a revision shorter than {revision:N} asks for is LabelMissing', () => {
    assert.throws(
      () => renderStamp('{tag}-{revision:12}', { at: AT, revision: 'abc1234', tag: 'prod' }),
      failure(FatalFailure.LabelMissing, 'at least 12', '"abc1234"'),
    );
  });

  void it('a bad template, target tag or result is BadInput', () => {
    assert.throws(
      () => renderStamp('{tag}-{sha}', { at: AT, revision: SHA, tag: 'prod' }),
      failure(FatalFailure.BadInput, 'expected a stamp template', 'unknown placeholder {sha}'),
    );
    assert.throws(
      () => renderStamp('{tag}-{revision:7}', { at: AT, revision: SHA, tag: 'a/b' }),
      failure(FatalFailure.BadInput, '"a/b"'),
    );
    assert.throws(
      () => renderStamp('{tag}-{revision}', { at: AT, revision: SHA, tag: 'p'.repeat(100) }),
      failure(FatalFailure.BadInput, 'to give a valid tag'),
    );
    assert.throws(
      () => renderStamp('{tag}-{revision:7}', { at: new Date('nope'), revision: SHA, tag: 'prod' }),
      failure(FatalFailure.BadInput, 'expected a valid time'),
    );
  });
});

void describe('parseStamp', () => {
  void it('reads <prefix>-YYYYMMDD-<sha>', () => {
    assert.deepEqual(parseStamp('prod-20260301-abc1234', 'prod'), { date: '20260301', revision: 'abc1234' });
    assert.deepEqual(parseStamp(`staging-20240229-${SHA}`, 'staging'), { date: '20240229', revision: SHA });
    assert.deepEqual(parseStamp('my.app-20260301-abc1234', 'my.app'), {
      date: '20260301',
      revision: 'abc1234',
    });
  });

  for (const tag of [
    'prod',
    'prod-rollback-20260301-142501-from-abc1234',
    'prod-20260301-142501-abc1234',
    'staging-20260301-abc1234',
    'production-20260301-abc1234',
    'prod-20260301-abc123',
    'prod-20260301-ABC1234',
    `prod-20260301-${SHA}0`,
    'prod-2026031-abc1234',
    'prod-20260301-abc1234-x',
    'prod-20260230-abc1234',
    'prod-20250229-abc1234',
    'prod-20261301-abc1234',
    'prod-20260001-abc1234',
    'prod-20260300-abc1234',
    'myXapp-20260301-abc1234',
  ]) {
    void it(`does not read ${tag}`, () =>
      assert.equal(parseStamp(tag, tag.startsWith('my') ? 'my.app' : 'prod'), undefined));
  }
});

void describe('rollbackAuditTag', () => {
  void it('prod-rollback-<UTC date>-<UTC time>-from-<sha7>', () => {
    assert.equal(rollbackAuditTag('prod', AT, SHA), 'prod-rollback-20260301-142501-from-abc1234');
    assert.equal(
      rollbackAuditTag('prod', new Date('2026-03-01T00:00:09+02:00'), 'fedcba9'),
      'prod-rollback-20260228-220009-from-fedcba9',
    );
  });

  void it('is never read back as a stamp', () => {
    assert.equal(parseStamp(rollbackAuditTag('prod', AT, SHA), 'prod'), undefined);
  });

  void it('refuses a from-revision that is no commit sha, as LabelMissing', () => {
    assert.throws(
      () => rollbackAuditTag('prod', AT, undefined),
      failure(FatalFailure.LabelMissing, 'image rolled back from', 'no such label'),
    );
    assert.throws(
      () => rollbackAuditTag('prod', AT, 'sha256:0123456789abcdef'),
      failure(FatalFailure.LabelMissing, '"sha256:0123456789abcdef"'),
    );
  });

  void it('refuses a prefix that gives no valid tag', () => {
    assert.throws(() => rollbackAuditTag('-prod', AT, SHA), failure(FatalFailure.BadInput, 'prefix "-prod"'));
    assert.throws(
      () => rollbackAuditTag('p'.repeat(100), AT, SHA),
      failure(FatalFailure.BadInput, 'valid audit tag'),
    );
  });
});
