import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, imageCreatedMs, parseDuration, parseTime } from '../../src/lib/kit/duration.js';
import { BumpflowError, FatalFailure } from '../../src/shared/failures.js';

const S = 1_000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

function badInput(...needles: string[]): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(err instanceof BumpflowError, `expected a BumpflowError, got ${String(err)}`);
    assert.equal(err.type, FatalFailure.BadInput);
    for (const n of needles)
      assert.ok(err.message.includes(n), `expected ${JSON.stringify(n)} in: ${err.message}`);
    return true;
  };
}

void describe('parseDuration', () => {
  const cases: [string, number][] = [
    ['90s', 90 * S],
    ['30m', 30 * M],
    ['24h', 24 * H],
    ['7d', 7 * D],
    ['1d12h', D + 12 * H],
    ['1d 12h', D + 12 * H],
    ['1.5h', 90 * M],
    ['2h30m15s', 2 * H + 30 * M + 15 * S],
    [' 49h ', 49 * H],
    ['0.5s', 500],
  ];
  for (const [text, ms] of cases)
    void it(`${JSON.stringify(text)} → ${ms} ms`, () => assert.equal(parseDuration(text), ms));

  for (const bad of [
    '',
    '24',
    'h',
    '0',
    '0s',
    '0h0m',
    '-1h',
    '+1h',
    '1w',
    '24H',
    '1h1d',
    '1h1h',
    '1.h',
    '.5h',
    '1 day',
    '1e3s',
    '24h!',
  ]) {
    void it(`refuses ${JSON.stringify(bad)} with BadInput showing the input`, () => {
      assert.throws(() => parseDuration(bad), badInput('expected a positive duration', JSON.stringify(bad)));
    });
  }

  void it('says why zero is refused', () => {
    assert.throws(() => parseDuration('0m'), badInput('longer than zero'));
  });
});

void describe('formatDuration', () => {
  const cases: [number, string][] = [
    [D + H, '1d 1h'],
    [23 * H, '23h'],
    [25 * H, '1d 1h'],
    [49 * H, '2d 1h'],
    [49 * H + 13 * M + 27 * S, '2d 1h'],
    [D + 5 * M, '1d'],
    [90 * S, '1m 30s'],
    [7 * D, '7d'],
    [999, '0s'],
    [0, '0s'],
    [-2 * H, '-2h'],
  ];
  for (const [ms, text] of cases) void it(`${ms} ms → ${text}`, () => assert.equal(formatDuration(ms), text));

  void it('reads back with parseDuration', () => {
    for (const ms of [49 * H, D + H, 23 * H, 90 * S]) assert.equal(parseDuration(formatDuration(ms)), ms);
  });
});

void describe('imageCreatedMs / parseTime', () => {
  void it('reads RFC 3339 times, with nanoseconds and offsets', () => {
    assert.equal(imageCreatedMs('2026-03-01T14:25:01Z'), Date.UTC(2026, 2, 1, 14, 25, 1));
    assert.equal(imageCreatedMs('2026-03-01T14:25:01.123456789Z'), Date.UTC(2026, 2, 1, 14, 25, 1, 123));
    assert.equal(imageCreatedMs('2026-03-01T15:25:01+01:00'), Date.UTC(2026, 2, 1, 14, 25, 1));
  });

  void it('treats the reproducible-build epoch, missing and unparseable values as no created time', () => {
    for (const value of [
      '1970-01-01T00:00:00Z',
      '1969-12-31T23:59:59Z',
      undefined,
      '',
      'yesterday',
      '2026-03-01',
      '2026-03-01T14:25:01',
    ])
      assert.equal(imageCreatedMs(value), undefined, String(value));
  });

  void it('parseTime keeps the epoch (a first-seen time is bumpflow’s own)', () => {
    assert.equal(parseTime('1970-01-01T00:00:00Z'), 0);
    assert.equal(parseTime('not a time'), undefined);
  });
});
