/** CLI cases: `sweep` and `schedule` (whose words after `--` are a sweep's). */
import { CONFIG, duration, REPO, SECRET, type CliCase } from './cliCaseKit.js';
import { BUMP_BRANCH, CREDENTIALS, PATH } from './cliCasesBump.js';

const sweep = (...args: string[]) => ['sweep', '--repo', REPO, ...args];
const schedule = (...words: string[]) => ['schedule', 'create', 'nightly', '--every', '6h', '--', ...words];

export const sweepCases: CliCase[] = [
  {
    args: ['sweep'],
    code: 2,
    says: /bumpflow: --repo: expected the target repo: --target <name>, or --repo <url> --vars-file <path>, found neither/,
  },
  {
    args: ['sweep', '--repo', `https://ops:${SECRET}@github.com/o/r`],
    code: 2,
    says: new RegExp(`bumpflow: --repo: ${CREDENTIALS}github\\.com/o/r"`),
  },
  {
    args: ['sweep', '--repo', 'ssh://git@github.com:o/r'],
    code: 2,
    says: /bumpflow: --repo: expected a plain git URL: .*the host may carry only a numeric port; found "ssh:\/\/git@github\.com:o\/r"/,
  },
  {
    args: ['sweep', '--target', 'nope'],
    config: CONFIG,
    code: 2,
    says: /bumpflow: --target: expected a target named in the config file \(known: atmosphere\), found "nope"/,
  },
  {
    args: ['sweep', '--target', 'atmosphere', '--repo', REPO],
    config: CONFIG,
    code: 2,
    says: /error: option '--repo <url>' cannot be used with option '-t, --target <name>'/,
  },
  {
    args: sweep('--vars-file', '../vars.yml'),
    code: 2,
    says: new RegExp(`bumpflow: --vars-file: ${PATH} "\\.\\./vars\\.yml" \\(a \\.\\. segment\\)`),
  },
  { args: sweep('--branch', 'a b'), code: 2, says: new RegExp(`bumpflow: --branch: ${BUMP_BRANCH} "a b"`) },
  { args: sweep('--branch', ''), code: 2, says: new RegExp(`bumpflow: --branch: ${BUMP_BRANCH} ""$`, 'm') },
  {
    args: sweep('--branch', 'main,stable/'),
    code: 2,
    says: new RegExp(`bumpflow: --branch: ${BUMP_BRANCH} "stable/" \\(in "main,stable/"\\)`),
  },
  {
    args: sweep('--image', ''),
    code: 2,
    says: /bumpflow: --image: expected an image name prefix such as ghcr\.io\/vexxhost\/ .*, found ""/,
  },
  {
    args: sweep('--image', 'GHCR.io/vexxhost/'),
    code: 2,
    says: /bumpflow: --image: expected an image name prefix .*, found "GHCR\.io\/vexxhost\/"/,
  },
  {
    args: sweep('--image', 'https://ghcr.io/vexxhost/'),
    code: 2,
    says: /bumpflow: --image: expected an image name prefix .*no scheme.*, found "https:\/\/ghcr\.io\/vexxhost\/"/,
  },
  {
    args: sweep('--image', 'ghcr.io/vexx host/'),
    code: 2,
    says: /bumpflow: --image: expected an image name prefix .*, found "ghcr\.io\/vexx host\/"/,
  },
  {
    args: sweep('--report', '--pin'),
    code: 2,
    says: /error: option '--report' cannot be used with option '--pin'/,
  },
  {
    args: [
      'schedule',
      'create',
      'nightly',
      '--every',
      '6h',
      '--',
      'sweep',
      '--repo',
      REPO,
      '--pin',
      '--report',
    ],
    code: 2,
    says: /option '--report' cannot be used with option '--pin'/,
  },
  {
    args: ['sweep', '--target', 'atmosphere', '--report'],
    config: `${CONFIG}    images: ['ghcr.io/vexxhost/[nova']\n`,
    code: 2,
    says: /targets\.atmosphere\.images\.0: expected an image glob such as .*, found "ghcr\.io\/vexxhost\/\[nova", which matches nothing/,
  },
  {
    args: sweep('--concurrency', '0'),
    code: 2,
    says: /bumpflow: --concurrency: expected a whole number from 1 to 32, found "0"/,
  },
  {
    args: sweep('--concurrency', '1.5'),
    code: 2,
    says: /bumpflow: --concurrency: expected a whole number from 1 to 32, found "1\.5"/,
  },
  {
    args: sweep('--concurrency', '99'),
    code: 2,
    says: /bumpflow: --concurrency: expected a whole number from 1 to 32, found "99"/,
  },
  {
    args: sweep('--concurrency', '-4'),
    code: 2,
    says: /bumpflow: --concurrency: expected a whole number from 1 to 32, found "-4"/,
  },
  {
    args: sweep('--concurrency', 'eight'),
    code: 2,
    says: /bumpflow: --concurrency: expected a whole number from 1 to 32, found "eight"/,
  },
  {
    args: sweep('--approval-timeout', 'x'),
    code: 2,
    says: duration('--approval-timeout', 'x', 'cannot read "x"'),
  },
  {
    args: sweep('--approval-timeout', '99999999d'),
    code: 2,
    says: duration('--approval-timeout', '99999999d', 'longer than 366d'),
  },
];

export const scheduleCases: CliCase[] = [
  {
    args: ['schedule', 'create', '', '--every', '6h', '--', 'sweep', '--repo', REPO],
    code: 2,
    says: /bumpflow: <name>: expected a schedule name of lowercase letters, digits, \. _ - .*, found ""/,
  },
  {
    args: ['schedule', 'create', 'Nightly Sweep', '--every', '6h', '--', 'sweep', '--repo', REPO],
    code: 2,
    says: /bumpflow: <name>: expected a schedule name .*, found "Nightly Sweep"/,
  },
  {
    args: ['schedule', 'create', '../x', '--every', '6h', '--', 'sweep', '--repo', REPO],
    code: 2,
    says: /bumpflow: <name>: expected a schedule name .*, found "\.\.\/x"/,
  },
  {
    args: ['schedule', 'create', 'x'.repeat(64), '--every', '6h', '--', 'sweep', '--repo', REPO],
    code: 2,
    says: /bumpflow: <name>: expected a schedule name .*up to 63.*, found "x{64}"/,
  },
  {
    args: ['schedule', 'create', 'nightly', '--every', '30s', '--', 'sweep', '--repo', REPO],
    code: 2,
    says: duration('--every', '30s', 'shorter than 1m'),
  },
  {
    args: ['schedule', 'create', 'nightly', '--every', '1ms', '--', 'sweep', '--repo', REPO],
    code: 2,
    says: duration('--every', '1ms', 'shorter than 1m'),
  },
  {
    args: ['schedule', 'create', 'nightly', '--every', '99999999d', '--', 'sweep', '--repo', REPO],
    code: 2,
    says: duration('--every', '99999999d', 'longer than 366d'),
  },
  {
    args: ['schedule', 'create', 'nightly', '--every', 'daily', '--', 'sweep', '--repo', REPO],
    code: 2,
    says: duration('--every', 'daily', 'cannot read "daily"'),
  },
  {
    args: ['schedule', 'create', 'nightly', '--', 'sweep', '--repo', REPO],
    code: 2,
    says: /error: required option '--every <duration>' not specified/,
  },
  {
    args: ['schedule', 'create', 'nightly', '--every', '6h'],
    code: 2,
    says: /error: missing required argument 'command'/,
  },
  {
    args: schedule('bump', 'magnum'),
    code: 2,
    says: /bumpflow: <command>: expected the command to schedule after --, such as "-- sweep --target atmosphere" or "-- catalog --repo <url> \[--path <file>\]", found "bump magnum"/,
  },
  {
    args: schedule('sweep', '--repo', REPO, '--bogus'),
    code: 2,
    says: /bumpflow: <command>: expected sweep options after --, found unknown option '--bogus'/,
  },
  {
    args: schedule('sweep', '--repo', `https://ops:${SECRET}@github.com/o/r`),
    code: 2,
    says: new RegExp(
      `bumpflow: <command>: expected sweep options after --, found --repo: ${CREDENTIALS}github\\.com/o/r"`,
    ),
  },
  {
    args: schedule('sweep', '--repo', REPO, '--concurrency', '0'),
    code: 2,
    says: /bumpflow: <command>: expected sweep options after --, found --concurrency: expected a whole number from 1 to 32, found "0"/,
  },
  {
    args: schedule('sweep', '--target', 'nope'),
    config: CONFIG,
    code: 2,
    says: /bumpflow: --target: expected a target named in the config file \(known: atmosphere\), found "nope"/,
  },
  {
    args: schedule('sweep', '--repo', REPO, 'extra'),
    code: 2,
    says: /bumpflow: <command>: expected sweep options after --, found too many arguments/,
  },
  {
    args: ['schedule', 'pause', ''],
    code: 2,
    says: /bumpflow: <name>: expected a schedule name .*, found ""/,
  },
  {
    args: ['schedule', 'unpause', 'a b'],
    code: 2,
    says: /bumpflow: <name>: expected a schedule name .*, found "a b"/,
  },
  {
    args: ['schedule', 'delete', 'Nightly'],
    code: 2,
    says: /bumpflow: <name>: expected a schedule name .*, found "Nightly"/,
  },
  {
    args: ['schedule', 'trigger', 'bumpflow/nightly'],
    code: 2,
    says: /bumpflow: <name>: expected a schedule name .*, found "bumpflow\/nightly"/,
  },
  { args: ['schedule', 'trigger'], code: 2, says: /error: missing required argument 'name'/ },
  { args: ['schedule', 'list', 'extra'], code: 2, says: /error: too many arguments for 'list'/ },
  { args: ['schedule', 'rename', 'nightly'], code: 2, says: /error: unknown command 'rename'/ },
];
