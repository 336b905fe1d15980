/** CLI cases: `rollback`, `cleanup` and `tags`. */
import { duration, IMAGE, type CliCase } from './cliCaseKit.js';
import { imageCases, TAG } from './cliCasesPromote.js';

const rollback = (...args: string[]) => ['rollback', IMAGE, ...args];
const cleanup = (...args: string[]) => [
  'cleanup',
  IMAGE,
  '--tags',
  'change_*',
  '--older-than',
  '24h',
  ...args,
];
const GLOB = 'expected a tag glob such as prod, prod-\\* or \\{prod,latest\\} .*, found';

export const rollbackCases: CliCase[] = [
  ...imageCases((image) => ['rollback', image]).slice(0, 4),
  { args: rollback('--tag', ''), code: 2, says: new RegExp(`bumpflow: --tag: ${TAG} ""`) },
  { args: rollback('--tag', 'pr od'), code: 2, says: new RegExp(`bumpflow: --tag: ${TAG} "pr od"`) },
  { args: rollback('--alias', ''), code: 2, says: new RegExp(`bumpflow: --alias: ${TAG} ""`) },
  {
    args: rollback('--alias', 'latest,la test'),
    code: 2,
    says: new RegExp(`bumpflow: --alias: ${TAG} "la test" \\(in "latest,la test"\\)`),
  },
  {
    args: rollback('--alias', 'prod'),
    code: 2,
    says: /bumpflow: --alias: expected tags moved with --tag prod, other than it, found "prod"/,
  },
  { args: rollback('--to', ''), code: 2, says: new RegExp(`bumpflow: --to: ${TAG} ""`) },
  {
    args: rollback('--to', 'staging'),
    code: 2,
    says: /bumpflow: --to: expected the rollback target to be a stamp of :prod .*, found "staging"/,
  },
  {
    args: rollback('--to', 'prod-2026-03-01'),
    code: 2,
    says: /bumpflow: --to: expected the rollback target to be a stamp of :prod .*, found "prod-2026-03-01"/,
  },
  {
    args: rollback('--to', 'prod-20260230-abcdef1'),
    code: 2,
    says: /bumpflow: --to: expected the rollback target to be a stamp of :prod .*, found "prod-20260230-abcdef1"/,
  },
  {
    args: rollback('--to', 'bad tag', '--force-target'),
    code: 2,
    says: new RegExp(`bumpflow: --to: ${TAG} "bad tag"`),
  },
  {
    args: rollback('--force-target'),
    code: 2,
    says: /bumpflow: --force-target: expected --to <tag> beside it \(the target it forces\), found no --to/,
  },
  {
    args: rollback('--approval-timeout', '367d'),
    code: 2,
    says: duration('--approval-timeout', '367d', 'longer than 366d'),
  },
];

export const cleanupCases: CliCase[] = [
  {
    args: ['cleanup', IMAGE, '--tags', 'change_{1,2', '--older-than', '24h'],
    code: 2,
    says: new RegExp(`bumpflow: --tags: ${GLOB} "change_\\{1,2", which matches nothing \\(an unclosed`),
  },
  {
    args: ['cleanup', IMAGE, '--tags', 'a},b', '--older-than', '24h'],
    code: 2,
    says: new RegExp(`bumpflow: --tags: ${GLOB} "a\\}", which matches nothing .*\\(in "a\\},b"\\)`),
  },
  ...imageCases((image) => ['cleanup', image, '--tags', 'change_*', '--older-than', '24h']).slice(0, 4),
  {
    args: ['cleanup', IMAGE, '--older-than', '24h'],
    code: 2,
    says: /error: required option '--tags <glob\.\.\.>' not specified/,
  },
  {
    args: ['cleanup', IMAGE, '--tags', 'change_*'],
    code: 2,
    says: /error: required option '--older-than <duration>' not specified/,
  },
  {
    args: ['cleanup', IMAGE, '--tags', '', '--older-than', '24h'],
    code: 2,
    says: new RegExp(`bumpflow: --tags: ${GLOB} ""`),
  },
  {
    args: ['cleanup', IMAGE, '--tags', 'change_[0-9', '--older-than', '24h'],
    code: 2,
    says: new RegExp(
      `bumpflow: --tags: ${GLOB} "change_\\[0-9", which matches nothing \\(an unclosed \\[ or \\{\\)`,
    ),
  },
  {
    args: ['cleanup', IMAGE, '--tags', 'change_[9-0]*', '--older-than', '24h'],
    code: 2,
    says: new RegExp(
      `bumpflow: --tags: ${GLOB} "change_\\[9-0\\]\\*", which matches nothing \\(Range out of order`,
    ),
  },
  {
    args: ['cleanup', IMAGE, '--tags', 'change *', '--older-than', '24h'],
    code: 2,
    says: new RegExp(`bumpflow: --tags: ${GLOB} "change \\*"`),
  },
  {
    args: ['cleanup', IMAGE, '--tags', '../*', '--older-than', '24h'],
    code: 2,
    says: new RegExp(`bumpflow: --tags: ${GLOB} "\\.\\./\\*"`),
  },
  {
    args: ['cleanup', IMAGE, '--tags', 'change_*,', '--older-than', '24h'],
    code: 2,
    says: new RegExp(`bumpflow: --tags: ${GLOB} "" \\(in "change_\\*,"\\)`),
  },
  {
    args: ['cleanup', IMAGE, '--tags', 'change_*', '--older-than', 'soon'],
    code: 2,
    says: duration('--older-than', 'soon', 'cannot read "soon"'),
  },
  {
    args: ['cleanup', IMAGE, '--tags', 'change_*', '--older-than', '0s'],
    code: 2,
    says: duration('--older-than', '0s', 'a duration must be longer than zero'),
  },
  {
    args: ['cleanup', IMAGE, '--tags', 'change_*', '--older-than', '99999d'],
    code: 2,
    says: duration('--older-than', '99999d', 'longer than 3660d'),
  },
  {
    args: cleanup('--keep', '-1'),
    code: 2,
    says: /bumpflow: --keep: expected a whole number from 0 to 10000, found "-1"/,
  },
  {
    args: cleanup('--keep', 'all'),
    code: 2,
    says: /bumpflow: --keep: expected a whole number from 0 to 10000, found "all"/,
  },
  {
    args: cleanup('--keep', '99999999999'),
    code: 2,
    says: /bumpflow: --keep: expected a whole number from 0 to 10000, found "99999999999"/,
  },
  {
    args: cleanup('--approve-above', '1e3'),
    code: 2,
    says: /bumpflow: --approve-above: expected a whole number from 0 to 100000, found "1e3"/,
  },
  {
    args: cleanup('--approve-above', '999999999'),
    code: 2,
    says: /bumpflow: --approve-above: expected a whole number from 0 to 100000, found "999999999"/,
  },
  {
    args: cleanup('--approval-timeout', '1ms'),
    code: 2,
    says: duration('--approval-timeout', '1ms', 'shorter than 1s'),
  },
];

export const tagsCases: CliCase[] = [
  ...imageCases((image) => ['tags', image]),
  { args: ['tags'], code: 2, says: /error: missing required argument 'image'/ },
  { args: ['tags', IMAGE, 'extra'], code: 2, says: /error: too many arguments for 'tags'/ },
];
