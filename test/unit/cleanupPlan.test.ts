import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  cleanupSummary,
  planCleanup,
  type CleanupInput,
  type CleanupTag,
} from '../../src/lib/tags/cleanupPlan.js';
import { parseDuration } from '../../src/lib/kit/duration.js';
import { BumpflowError, FatalFailure } from '../../src/shared/failures.js';

const H = 3_600_000;
const DAY = parseDuration('24h');
const NOW = new Date('2026-03-02T10:00:00Z');
const digest = (c: string) => `sha256:${c.repeat(64)}`;
const ago = (hours: number, now = NOW) => new Date(now.getTime() - hours * H).toISOString();
const made = (tag: string, hours: number, d: string, now = NOW): CleanupTag => ({
  tag,
  digest: digest(d),
  created: ago(hours, now),
});
/** planCleanup over `change_*`, older than 24h, at NOW, unless told otherwise. */
const plan = (tags: CleanupTag[], more: Partial<CleanupInput> = {}) =>
  planCleanup({ pattern: 'change_*', olderThanMs: DAY, now: NOW, tags, ...more });
const deleted = (p: ReturnType<typeof planCleanup>) => p.delete.map((d) => d.tag);
const del = (tag: string, d: string, hours: number, ageFrom = 'created') => ({
  tag,
  digest: digest(d),
  ageMs: hours * H,
  ageFrom,
});

void describe('planCleanup: ages (the upstream timedelta.seconds bug)', () => {
  const tags = (now: Date) => [
    made('change_23h', 23, '1', now),
    made('change_25h', 25, '2', now),
    made('change_49h', 49, '3', now),
  ];
  const expected = {
    delete: [del('change_25h', '2', 25), del('change_49h', '3', 49)],
    keep: [
      {
        tag: 'change_23h',
        digest: digest('1'),
        why: 'too-young',
        detail: '23h old (from created), not older than 1d',
      },
    ],
    ignored: 0,
  };

  void it('deletes 25 h and 49 h old tags, keeps the 23 h old one, against --older-than 24h', () => {
    assert.deepEqual(plan(tags(NOW)), expected);
  });

  void it('the same when now is just past midnight, so the tags were made on other calendar days', () => {
    const now = new Date('2026-03-03T00:30:00Z');
    assert.deepEqual(plan(tags(now), { now }), expected);
  });

  void it('a tag exactly as old as the limit is not older than it', () => {
    const result = plan([made('change_24h', 24, '1')]);
    assert.deepEqual(result.delete, []);
    assert.equal(result.keep[0]?.why, 'too-young');
  });
});

void describe('planCleanup: protected digests', () => {
  void it('never deletes a tag whose digest a kept non-matching tag also has', () => {
    assert.deepEqual(plan([made('latest', 100, 'a'), made('change_1', 50, 'a'), made('change_2', 50, 'b')]), {
      delete: [del('change_2', 'b', 50)],
      keep: [
        {
          tag: 'change_1',
          digest: digest('a'),
          why: 'shares-digest',
          detail: 'its digest is also that of kept tag latest',
        },
      ],
      ignored: 1,
    });
  });

  void it('never deletes a tag whose digest a too-young matching tag also has', () => {
    assert.deepEqual(plan([made('change_old', 72, 'a'), made('change_new', 2, 'a')]), {
      delete: [],
      keep: [
        {
          tag: 'change_new',
          digest: digest('a'),
          why: 'too-young',
          detail: '2h old (from created), not older than 1d',
        },
        {
          tag: 'change_old',
          digest: digest('a'),
          why: 'shares-digest',
          detail: 'its digest is also that of kept tag change_new',
        },
      ],
      ignored: 0,
    });
  });

  void it('never deletes a child of a kept index, following chains to a fixpoint', () => {
    // prod's index lists change_2's index, which lists change_1's manifest; change_3 is deleted, so its child is not protected
    const result = plan([
      made('change_1', 60, 'p'),
      { ...made('change_2', 60, 'i'), children: [digest('p')] },
      { ...made('change_3', 60, 'x'), children: [digest('y')] },
      made('change_4', 60, 'y'),
      { ...made('prod', 60, 'r'), children: [digest('i'), digest('q')] },
    ]);
    assert.deepEqual(result, {
      delete: [del('change_3', 'x', 60), del('change_4', 'y', 60)],
      keep: [
        {
          tag: 'change_1',
          digest: digest('p'),
          why: 'listed-by-index',
          detail: 'its digest is listed by the index of kept tag change_2',
        },
        {
          tag: 'change_2',
          digest: digest('i'),
          why: 'listed-by-index',
          detail: 'its digest is listed by the index of kept tag prod',
        },
      ],
      ignored: 1,
    });
  });

  void it('two deletable tags of one digest are both deleted', () => {
    assert.deepEqual(deleted(plan([made('change_a', 30, 'a'), made('change_b', 40, 'a')])), [
      'change_a',
      'change_b',
    ]);
  });
});

void describe('planCleanup: where the age comes from', () => {
  void it('an epoch or unparseable created time falls back to first-seen; neither known keeps the tag', () => {
    const epoch = '1970-01-01T00:00:00Z';
    const result = plan([
      { tag: 'change_epoch_old', digest: digest('1'), created: epoch, firstSeen: ago(30) },
      { tag: 'change_epoch_young', digest: digest('2'), created: epoch, firstSeen: ago(3) },
      { tag: 'change_garbled', digest: digest('3'), created: 'last tuesday', firstSeen: ago(26) },
      { tag: 'change_epoch_only', digest: digest('4'), created: epoch },
      { tag: 'change_nothing', digest: digest('5') },
      { tag: 'change_bad_seen', digest: digest('6'), firstSeen: 'soon' },
    ]);
    const unknown = 'no created time (missing, epoch or unparseable) and no first-seen time';
    assert.deepEqual(result, {
      delete: [del('change_epoch_old', '1', 30, 'first-seen'), del('change_garbled', '3', 26, 'first-seen')],
      keep: [
        { tag: 'change_bad_seen', digest: digest('6'), why: 'age-unknown', detail: unknown },
        { tag: 'change_epoch_only', digest: digest('4'), why: 'age-unknown', detail: unknown },
        {
          tag: 'change_epoch_young',
          digest: digest('2'),
          why: 'too-young',
          detail: '3h old (from first-seen), not older than 1d',
        },
        { tag: 'change_nothing', digest: digest('5'), why: 'age-unknown', detail: unknown },
      ],
      ignored: 0,
    });
  });

  void it('a real created time wins over first-seen', () => {
    const result = plan([{ tag: 'change_1', digest: digest('1'), created: ago(2), firstSeen: ago(90) }]);
    assert.deepEqual(
      result.keep.map((k) => [k.tag, k.why]),
      [['change_1', 'too-young']],
    );
  });
});

void describe('planCleanup: keep and patterns', () => {
  const tags = [
    made('change_1h', 1, '1'),
    made('change_30h', 30, '2'),
    made('change_40h', 40, '3'),
    made('change_50h', 50, '4'),
    made('change_60h', 60, '5'),
  ];

  void it('keeps the N newest matching tags, young ones counted', () => {
    const kept = plan(tags, { keep: 2 });
    assert.deepEqual(
      kept.keep.map((k) => [k.tag, k.why, k.detail]),
      [
        ['change_1h', 'too-young', '1h old (from created), not older than 1d'],
        ['change_30h', 'newest-kept', '1d 6h old (from created), one of the 2 newest matching tags'],
      ],
    );
    assert.deepEqual(deleted(kept), ['change_40h', 'change_50h', 'change_60h']);
    assert.deepEqual(deleted(plan(tags, { keep: 0 })), [
      'change_30h',
      'change_40h',
      'change_50h',
      'change_60h',
    ]);
    assert.deepEqual(deleted(plan(tags, { keep: 9 })), []);
  });

  void it('several patterns; tags that match none are ignored, counted', () => {
    const result = plan(
      [
        made('pr-12', 48, '1'),
        made('pr-x', 48, '2'),
        made('change_7', 48, '3'),
        made('feature-x', 48, '4'),
        made('main', 48, '5'),
      ],
      {
        pattern: ['change_*', 'pr-[0-9]*'],
      },
    );
    assert.deepEqual(deleted(result), ['change_7', 'pr-12']);
    assert.deepEqual(result.keep, []);
    assert.equal(result.ignored, 3);
  });

  void it('gives the same plan whatever the listing order', () => {
    const shuffled = [tags[3]!, tags[0]!, tags[4]!, tags[2]!, tags[1]!];
    assert.deepEqual(plan(shuffled, { keep: 2 }), plan(tags, { keep: 2 }));
  });
});

void describe('planCleanup: bad input', () => {
  const cases: [string, Partial<CleanupInput>, string][] = [
    ['no pattern', { pattern: [] }, 'expected one or more tag patterns'],
    ['a blank pattern', { pattern: ['change_*', ' '] }, 'expected one or more tag patterns'],
    ['a zero age', { olderThanMs: 0 }, 'found 0'],
    ['a negative keep', { keep: -1 }, 'found -1'],
    ['a fractional keep', { keep: 1.5 }, 'found 1.5'],
    ['an invalid now', { now: new Date('x') }, 'Invalid Date'],
    ['a tag listed twice', { tags: [made('a', 1, '1'), made('a', 2, '2')] }, '"a" twice'],
  ];
  for (const [what, more, needle] of cases) {
    void it(`refuses ${what} as BadInput`, () => {
      assert.throws(
        () => plan([], more),
        (err: unknown) =>
          err instanceof BumpflowError && err.type === FatalFailure.BadInput && err.message.includes(needle),
      );
    });
  }
});

void describe('cleanupSummary', () => {
  void it('one count line, then one line per matching tag', () => {
    const result = plan([made('change_49h', 49, '1'), made('change_23h', 23, '2'), made('latest', 1, '3')]);
    assert.equal(
      cleanupSummary(result),
      [
        'delete 1, keep 1, 1 not matching',
        'delete change_49h (2d 1h old, from created)',
        'keep   change_23h (too-young: 23h old (from created), not older than 1d)',
      ].join('\n'),
    );
  });
});
