/** CLI cases: `promote`, and the `<image>` every tag command takes. */
import { duration, IMAGE, SECRET, type CliCase } from './cliCaseKit.js';

const promote = (...args: string[]) => ['promote', IMAGE, '--from', 'staging', '--to', 'prod', ...args];
export const TAG =
  'expected a tag of letters, digits, _ \\. - \\(not starting with \\. or -, at most 128 characters\\), found';
const STAMP = 'expected a stamp template such as \\{tag\\}-\\{date\\}-\\{revision:7\\}, found';

/** `<image>` of every tag command: the same check. */
export const imageCases = (command: (image: string) => string[]): CliCase[] => [
  {
    args: command(''),
    code: 2,
    says: /bumpflow: <image>: expected an image repository such as ghcr\.io\/vexxhost\/magnum, without whitespace, found ""/,
  },
  {
    args: command('ghcr.io/vexxhost/ magnum'),
    code: 2,
    says: /bumpflow: <image>: expected an image repository .*, without whitespace, found "ghcr\.io\/vexxhost\/ magnum"/,
  },
  {
    args: command('GHCR.io/Vexxhost/Magnum'),
    code: 2,
    says: /bumpflow: <image>: expected a lower-case repository path .*, found "Vexxhost\/Magnum" in "GHCR\.io\/Vexxhost\/Magnum"/,
  },
  {
    args: command(`${IMAGE}:prod`),
    code: 2,
    says: /bumpflow: <image>: expected an image repository without tag or digest \(registry\/path\), found "ghcr\.io\/vexxhost\/magnum:prod"/,
  },
  {
    args: command(`${IMAGE}@sha256:${'a'.repeat(64)}`),
    code: 2,
    says: /bumpflow: <image>: expected an image repository without tag or digest .*, found "ghcr\.io\/vexxhost\/magnum@sha256:a{64}"/,
  },
  {
    args: command('https://ghcr.io/vexxhost/magnum'),
    code: 2,
    says: /bumpflow: <image>: expected a registry host such as ghcr\.io at the start of "https:\/\/ghcr\.io\/vexxhost\/magnum", found "https:"/,
  },
  {
    args: command(`bot:${SECRET}@ghcr.io/vexxhost/magnum`),
    code: 2,
    says: /bumpflow: <image>: expected a registry host such as ghcr\.io at the start of "\*\*\*@ghcr\.io\/vexxhost\/magnum", found "\*\*\*@ghcr\.io"/,
  },
  {
    args: command('../../etc/passwd'),
    code: 2,
    says: /bumpflow: <image>: expected a registry host such as ghcr\.io at the start of "\.\.\/\.\.\/etc\/passwd", found "\.\."/,
  },
  {
    args: command('ghcr.io/ünï/magnum'),
    code: 2,
    says: /bumpflow: <image>: expected a repository path of lower-case components separated by \/, found "ünï\/magnum"/,
  },
  {
    args: command(`ghcr.io/${'a/'.repeat(130)}x`),
    code: 2,
    says: /bumpflow: <image>: expected an image name of at most 255 characters, found 269/,
  },
];

export const promoteCases: CliCase[] = [
  ...imageCases((image) => ['promote', image, '--from', 'staging', '--to', 'prod']),
  {
    args: ['promote', IMAGE, '--to', 'prod'],
    code: 2,
    says: /error: required option '--from <tag\|digest>' not specified/,
  },
  {
    args: ['promote', IMAGE, '--from', 'staging'],
    code: 2,
    says: /error: required option '--to <tag\.\.\.>' not specified/,
  },
  {
    args: ['promote', IMAGE, '--from', '', '--to', 'prod'],
    code: 2,
    says: new RegExp(`bumpflow: --from: ${TAG} ""`),
  },
  {
    args: ['promote', IMAGE, '--from', 'stag ing', '--to', 'prod'],
    code: 2,
    says: new RegExp(`bumpflow: --from: ${TAG} "stag ing"`),
  },
  {
    args: ['promote', IMAGE, '--from', '.staging', '--to', 'prod'],
    code: 2,
    says: new RegExp(`bumpflow: --from: ${TAG} "\\.staging"`),
  },
  {
    args: ['promote', IMAGE, '--from', 'x'.repeat(129), '--to', 'prod'],
    code: 2,
    says: new RegExp(`bumpflow: --from: ${TAG} "x{129}"`),
  },
  {
    args: ['promote', IMAGE, '--from', 'sha256:xyz', '--to', 'prod'],
    code: 2,
    says: /bumpflow: --from: expected a digest of the form sha256:<64 lowercase hex>, found "sha256:xyz"/,
  },
  {
    args: ['promote', IMAGE, '--from', `sha256:${'A'.repeat(64)}`, '--to', 'prod'],
    code: 2,
    says: /bumpflow: --from: expected a digest of the form sha256:<64 lowercase hex>, found "sha256:A{64}"/,
  },
  {
    args: ['promote', IMAGE, '--from', 'staging', '--to', ''],
    code: 2,
    says: new RegExp(`bumpflow: --to: ${TAG} ""`),
  },
  {
    args: ['promote', IMAGE, '--from', 'staging', '--to', 'prod,pr od'],
    code: 2,
    says: new RegExp(`bumpflow: --to: ${TAG} "pr od" \\(in "prod,pr od"\\)`),
  },
  {
    args: ['promote', IMAGE, '--from', 'staging', '--to', '-prod'],
    code: 2,
    says: new RegExp(`bumpflow: --to: ${TAG} "-prod"`),
  },
  {
    args: ['promote', IMAGE, '--from', 'staging', '--to', 'prod/latest'],
    code: 2,
    says: new RegExp(`bumpflow: --to: ${TAG} "prod/latest"`),
  },
  {
    args: promote('--stamp', ''),
    code: 2,
    says: new RegExp(`bumpflow: --stamp: ${STAMP} "": the template is empty`),
  },
  {
    args: promote('--stamp', '{tag}-{date}'),
    code: 2,
    says: new RegExp(`bumpflow: --stamp: ${STAMP} "\\{tag\\}-\\{date\\}": no \\{revision\\}`),
  },
  {
    args: promote('--stamp', '{tag}-{when}-{revision}'),
    code: 2,
    says: new RegExp(`bumpflow: --stamp: ${STAMP} .*: unknown placeholder \\{when\\}`),
  },
  {
    args: promote('--stamp', '{tag}-{revision:3}'),
    code: 2,
    says: new RegExp(
      `bumpflow: --stamp: ${STAMP} .*: \\{revision:3\\} asks for 3 characters of the revision \\(expected 7 to 40\\)`,
    ),
  },
  {
    args: promote('--stamp', 'prod {revision}'),
    code: 2,
    says: new RegExp(
      `bumpflow: --stamp: ${STAMP} "prod \\{revision\\}": with sample values it gives "prod 0123`,
    ),
  },
  {
    args: promote('--stamp', '{tag}-{revision}}'),
    code: 2,
    says: new RegExp(`bumpflow: --stamp: ${STAMP} .*: a brace that opens or closes no placeholder`),
  },
  {
    args: promote('--no-stamp', '--stamp', '{tag}-{revision:7}'),
    code: 2,
    says: /bumpflow: --stamp: expected either --stamp <template> or --no-stamp, found both \(--stamp "\{tag\}-\{revision:7\}" and --no-stamp\)/,
  },
  {
    args: promote('--cleanup'),
    code: 2,
    says: /bumpflow: --from: expected a change tag change_<N>_<tag> with --cleanup .*, found "staging"/,
  },
  {
    args: promote('--cleanup-older-than', '1d'),
    code: 2,
    says: /bumpflow: --cleanup-older-than: expected --cleanup beside it .*, found "1d" alone/,
  },
  {
    args: [
      'promote',
      IMAGE,
      '--from',
      'change_1_latest',
      '--to',
      'latest',
      '--cleanup',
      '--cleanup-older-than',
      '0s',
    ],
    code: 2,
    says: duration('--cleanup-older-than', '0s', 'a duration must be longer than zero'),
  },
  {
    args: promote('--approval-timeout', '0s'),
    code: 2,
    says: duration('--approval-timeout', '0s', 'a duration must be longer than zero'),
  },
  {
    args: promote('--approval-timeout', '72'),
    code: 2,
    says: duration('--approval-timeout', '72', 'cannot read "72"'),
  },
  {
    args: promote('--approval-timeout', '1.5.5h'),
    code: 2,
    says: duration('--approval-timeout', '1.5.5h', 'cannot read'),
  },
];
