/** CLI cases: `bump` (the shared messages are exported for the sweep's cases). */
import { CONFIG, duration, REPO, SECRET, type CliCase } from './cliCaseKit.js';

const bump = (...args: string[]) => ['bump', 'magnum', '--repo', REPO, ...args];

const SERVICE =
  /bumpflow: <service>: expected a service name of lowercase letters, digits, '-' and '_' .*, found /;
const REPO_URL = 'expected a plain git URL: https://host/owner/repo, .*';
export const CREDENTIALS =
  'expected a repository URL without credentials: .*credential helper.*; found "https://\\*\\*\\*@';
export const BUMP_BRANCH = 'expected a branch main or stable/<release> \\(such as stable/2025.1\\), found';
export const PATH = 'expected a relative path inside the repository .*, found';

export const bumpCases: CliCase[] = [
  // <service>
  { args: ['bump', '', '--repo', REPO], code: 2, says: new RegExp(`${SERVICE.source}""$`, 'm') },
  { args: ['bump', '   ', '--repo', REPO], code: 2, says: new RegExp(`${SERVICE.source}"   "`) },
  { args: ['bump', 'mag\tnum', '--repo', REPO], code: 2, says: new RegExp(`${SERVICE.source}"mag\\\\tnum"`) },
  { args: ['bump', 'Magnum', '--repo', REPO], code: 2, says: new RegExp(`${SERVICE.source}"Magnum"`) },
  { args: ['bump', 'magnum;rm', '--repo', REPO], code: 2, says: new RegExp(`${SERVICE.source}"magnum;rm"`) },
  { args: ['bump', 'mägnum', '--repo', REPO], code: 2, says: new RegExp(`${SERVICE.source}"mägnum"`) },
  {
    args: ['bump', '--repo', REPO, '--', '-magnum'],
    code: 2,
    says: new RegExp(`${SERVICE.source}"-magnum"`),
  },
  {
    args: ['bump', '../../etc/passwd', '--repo', REPO],
    code: 2,
    says: /bumpflow: <service>: expected a service name or a full image name .*, found "\.\.\/\.\.\/etc\/passwd" \(expected a registry host/,
  },
  {
    args: ['bump', 'ghcr.io/vexxhost/magnum:latest', '--repo', REPO],
    code: 2,
    says: /bumpflow: <service>: expected a full image name without tag or digest .*, found "ghcr\.io\/vexxhost\/magnum:latest"/,
  },
  {
    args: ['bump', 'ghcr.io/vexxhost/magnum@sha256:xyz', '--repo', REPO],
    code: 2,
    says: /bumpflow: <service>: expected a service name or a full image name .*, found "ghcr\.io\/vexxhost\/magnum@sha256:xyz" \(expected an image reference whose digest is sha256:<64 hex>/,
  },
  {
    args: ['bump', 'ghcr.io/Vexxhost/magnum', '--repo', REPO],
    code: 2,
    says: /bumpflow: <service>: expected a service name or a full image name .*, found "ghcr\.io\/Vexxhost\/magnum" \(expected a lowercase repository path/,
  },
  { args: ['bump', '--repo', REPO], code: 2, says: /error: missing required argument 'service'/ },
  {
    args: [...bump(), 'keystone'],
    code: 2,
    says: /error: too many arguments for 'bump'\. Expected 1 argument but got 2/,
  },
  // --repo, --target, BUMPFLOW_TARGET_REPO
  {
    args: ['bump', 'magnum'],
    code: 2,
    says: /bumpflow: --repo: expected the target repo: .*, found neither/,
  },
  {
    args: ['bump', 'magnum', '--repo', ''],
    code: 2,
    says: new RegExp(`bumpflow: --repo: ${REPO_URL}the URL is empty; found ""`),
  },
  {
    args: ['bump', 'magnum', '--repo', 'https://ops:hunter2@github.com/o/r'],
    code: 2,
    says: new RegExp(`bumpflow: --repo: ${CREDENTIALS}github\\.com/o/r"`),
  },
  {
    args: ['bump', 'magnum', '--repo', 'https://ghp_hunter2@github.com/o/r'],
    code: 2,
    says: new RegExp(`bumpflow: --repo: ${CREDENTIALS}github\\.com/o/r"`),
  },
  {
    args: ['bump', 'magnum', '--repo', 'ftp://github.com/o/r'],
    code: 2,
    says: /bumpflow: --repo: expected a plain git URL: .*the scheme "ftp" is not one of https, ssh, file .*; found "ftp:\/\/github\.com\/o\/r"/,
  },
  {
    args: ['bump', 'magnum', '--repo', 'git://github.com/o/r'],
    code: 2,
    says: /bumpflow: --repo: expected a plain git URL: .*the scheme "git" is not one of .*; found "git:\/\/github\.com\/o\/r"/,
  },
  {
    args: ['bump', 'magnum', '--repo', 'https://git hub.com/o/r'],
    code: 2,
    says: new RegExp(
      `bumpflow: --repo: ${REPO_URL}no whitespace or control characters; found "https://git hub\\.com/o/r"`,
    ),
  },
  {
    args: ['bump', 'magnum', '--repo', 'https://github.com/o/r;id'],
    code: 2,
    says: /bumpflow: --repo: expected a plain git URL: .*no shell metacharacters such as ";"; found "https:\/\/github\.com\/o\/r;id"/,
  },
  {
    args: ['bump', 'magnum', '--repo', '/srv/git/atmosphere'],
    code: 2,
    says: new RegExp(`bumpflow: --repo: ${REPO_URL}; found "/srv/git/atmosphere"`),
  },
  {
    args: ['bump', 'magnum', '--repo', '../../etc/passwd'],
    code: 2,
    says: new RegExp(`bumpflow: --repo: ${REPO_URL}; found "\\.\\./\\.\\./etc/passwd"`),
  },
  {
    args: ['bump', 'magnum', '--repo', 'https://github.com/o/../x'],
    code: 2,
    says: /bumpflow: --repo: expected a plain git URL: .*the path may not contain \. or \.\. segments; found "https:\/\/github\.com\/o\/\.\.\/x"/,
  },
  {
    args: ['bump', 'magnum', '--repo', 'http://github.com/o/r'],
    code: 2,
    says: /bumpflow: --repo: expected a plain git URL: .*plain http is accepted for 127\.0\.0\.1 and localhost only .*; found "http:\/\/github\.com\/o\/r"/,
  },
  {
    args: ['bump', 'magnum', '--repo', 'https://github.com/o/r/tree/main'],
    code: 2,
    says: /bumpflow: --repo: expected a GitHub repository as github\.com\/<owner>\/<repo>, .*; found "https:\/\/github\.com\/o\/r\/tree\/main"/,
  },
  {
    args: ['bump', 'magnum', '--repo', 'https://github.com:99999/o/r'],
    code: 2,
    says: /bumpflow: --repo: expected a plain git URL: .*expected a port from 1 to 65535; found "https:\/\/github\.com:99999\/o\/r"/,
  },
  {
    args: ['bump', 'magnum'],
    env: { BUMPFLOW_TARGET_REPO: `https://ci:${SECRET}@github.com/o/r` },
    code: 2,
    says: new RegExp(`bumpflow: --repo \\(or BUMPFLOW_TARGET_REPO\\): ${CREDENTIALS}github\\.com/o/r"`),
  },
  {
    args: ['bump', 'magnum', '--target', 'atmosphere'],
    code: 2,
    says: /bumpflow: --target: expected a target named in the config file \(known: no config file given \(--config\)\), found "atmosphere"/,
  },
  {
    args: ['bump', 'magnum', '--target', 'nope'],
    config: CONFIG,
    code: 2,
    says: /bumpflow: --target: expected a target named in the config file \(known: atmosphere\), found "nope"/,
  },
  {
    args: ['bump', 'magnum', '--target', 'constructor'],
    config: CONFIG,
    code: 2,
    says: /bumpflow: --target: expected a target named in the config file \(known: atmosphere\), found "constructor"/,
  },
  {
    args: ['bump', 'magnum', '--target', ''],
    config: CONFIG,
    code: 2,
    says: /bumpflow: --target: expected a target named in the config file \(known: atmosphere\), found ""/,
  },
  {
    args: ['bump', 'magnum', '--target', 'atmosphere', '--repo', REPO],
    config: CONFIG,
    code: 2,
    says: /error: option '--repo <url>' cannot be used with option '-t, --target <name>'/,
  },
  {
    args: ['bump', 'magnum', '--target', 'atmosphere'],
    config: `targets:\n  atmosphere:\n    repo: https://bot:${SECRET}@github.com/vexxhost/atmosphere\n`,
    code: 2,
    says: /bumpflow: \S+bumpflow\.yaml:3: targets\.atmosphere\.repo: expected a repository URL without credentials: .*; found "https:\/\/\*\*\*@github\.com\/vexxhost\/atmosphere"/,
  },
  { args: ['bump', 'magnum', '--repo'], code: 2, says: /error: option '--repo <url>' argument missing/ },
  // --branch
  { args: bump('--branch', ''), code: 2, says: new RegExp(`bumpflow: --branch: ${BUMP_BRANCH} ""$`, 'm') },
  {
    args: bump('--branch', 'main,'),
    code: 2,
    says: new RegExp(`bumpflow: --branch: ${BUMP_BRANCH} "" \\(in "main,"\\)`),
  },
  {
    args: bump('--branch', 'stable/ünïcode'),
    code: 2,
    says: new RegExp(`bumpflow: --branch: ${BUMP_BRANCH} "stable/ünïcode"`),
  },
  {
    args: bump('--branch', 'main..x'),
    code: 2,
    says: new RegExp(`bumpflow: --branch: ${BUMP_BRANCH} "main\\.\\.x"`),
  },
  { args: bump('--branch', 'a b'), code: 2, says: new RegExp(`bumpflow: --branch: ${BUMP_BRANCH} "a b"`) },
  {
    args: bump('--branch', 'stable/'),
    code: 2,
    says: new RegExp(`bumpflow: --branch: ${BUMP_BRANCH} "stable/"`),
  },
  {
    args: bump('--branch', 'feature/login'),
    code: 2,
    says: new RegExp(`bumpflow: --branch: ${BUMP_BRANCH} "feature/login"`),
  },
  {
    args: bump('--branch', 'stable/2025.1\t'),
    code: 2,
    says: new RegExp(`bumpflow: --branch: ${BUMP_BRANCH} "stable/2025\\.1\\\\t"`),
  },
  {
    args: bump('--branch', 'stable/2025.1.lock'),
    code: 2,
    says: new RegExp(`bumpflow: --branch: ${BUMP_BRANCH} "stable/2025\\.1\\.lock"`),
  },
  // --reason
  {
    args: bump('--reason', 'because'),
    code: 2,
    says: /bumpflow: --reason: expected a reason as a commit SHA .*, found "because"/,
  },
  {
    args: bump('--reason', '12345678901'),
    code: 2,
    says: /bumpflow: --reason: expected a reason as .*, found "12345678901" \(11 digits are too many/,
  },
  {
    args: bump('--reason', 'https://github.com/o/r/pull/abc'),
    code: 2,
    says: /bumpflow: --reason: expected a reason as .*, found "https:\/\/github\.com\/o\/r\/pull\/abc"/,
  },
  // --vars-file
  {
    args: bump('--vars-file', ''),
    code: 2,
    says: new RegExp(`bumpflow: --vars-file: ${PATH} "" \\(empty\\)`),
  },
  {
    args: bump('--vars-file', '../../etc/passwd'),
    code: 2,
    says: new RegExp(`bumpflow: --vars-file: ${PATH} "\\.\\./\\.\\./etc/passwd" \\(a \\.\\. segment\\)`),
  },
  {
    args: bump('--vars-file', '/etc/passwd'),
    code: 2,
    says: new RegExp(`bumpflow: --vars-file: ${PATH} "/etc/passwd" \\(an absolute path\\)`),
  },
  {
    args: bump('--vars-file', 'roles/main\t.yml'),
    code: 2,
    says: new RegExp(
      `bumpflow: --vars-file: ${PATH} "roles/main\\\\t\\.yml" \\(whitespace or a control character\\)`,
    ),
  },
  {
    args: bump('--vars-file', '-x.yml'),
    code: 2,
    says: new RegExp(`bumpflow: --vars-file: ${PATH} "-x\\.yml" \\(a leading -\\)`),
  },
  {
    args: bump('--vars-file', '.git/config'),
    code: 2,
    says: new RegExp(`bumpflow: --vars-file: ${PATH} "\\.git/config" \\(a \\.git segment\\)`),
  },
  // --approval-timeout
  {
    args: bump('--approval-timeout', '0s'),
    code: 2,
    says: duration('--approval-timeout', '0s', 'a duration must be longer than zero'),
  },
  {
    args: bump('--approval-timeout', '-1h'),
    code: 2,
    says: duration('--approval-timeout', '-1h', 'cannot read "-1h"'),
  },
  {
    args: bump('--approval-timeout', '500ms'),
    code: 2,
    says: duration('--approval-timeout', '500ms', 'shorter than 1s'),
  },
  {
    args: bump('--approval-timeout', '400d'),
    code: 2,
    says: duration('--approval-timeout', '400d', 'longer than 366d'),
  },
  {
    args: bump('--approval-timeout', '1x'),
    code: 2,
    says: duration('--approval-timeout', '1x', 'cannot read "1x"'),
  },
  {
    args: bump('--approval-timeout', '1m1h'),
    code: 2,
    says: duration('--approval-timeout', '1m1h', 'unit h out of order or repeated'),
  },
  { args: bump('--approval-timeout', ''), code: 2, says: duration('--approval-timeout', '', 'empty') },
  { args: bump('--json=yes'), code: 2, says: /error: unknown option '--json=yes'/ },
];
