/** CLI cases: `status` and `list`. */
import { BUMP_ID, type CliCase } from './cliCaseKit.js';
import { id } from './cliCasesGate.js';

export const statusCases: CliCase[] = [
  { args: ['status', ''], code: 2, says: id('', 'empty') },
  { args: ['status', ' '], code: 2, says: id(' ', 'whitespace or a control character') },
  {
    args: ['status', 'bump/vexxhost/atmosphere/mag\tnum'],
    code: 2,
    says: id('bump/vexxhost/atmosphere/mag\tnum', 'whitespace or a control character'),
  },
  { args: ['status', 'magnum'], code: 2, says: id('magnum', 'not one of these forms') },
  { args: ['status', '../../etc/passwd'], code: 2, says: id('../../etc/passwd', 'not one of these forms') },
  {
    args: ['status', 'bump/../../etc/passwd'],
    code: 2,
    says: id('bump/../../etc/passwd', 'a . or .. segment'),
  },
  { args: ['status', 'bump/'], code: 2, says: id('bump/', 'not one of these forms') },
  {
    args: ['status', `bump/${'x'.repeat(1000)}`],
    code: 2,
    says: /bumpflow: <id>: expected a bumpflow workflow id .*\(1005 characters, at most 1000\)/,
  },
  {
    args: ['status', BUMP_ID, '--interval', '0'],
    code: 2,
    says: /bumpflow: --interval: expected a number of seconds from 0\.1 to 3600, found "0"/,
  },
  {
    args: ['status', BUMP_ID, '--watch', '--interval', 'abc'],
    code: 2,
    says: /bumpflow: --interval: expected a number of seconds from 0\.1 to 3600, found "abc"/,
  },
  {
    args: ['status', BUMP_ID, '--watch', '--interval', '-1'],
    code: 2,
    says: /bumpflow: --interval: expected a number of seconds from 0\.1 to 3600, found "-1"/,
  },
  {
    args: ['status', BUMP_ID, '--watch', '--interval', '1e3'],
    code: 2,
    says: /bumpflow: --interval: expected a number of seconds from 0\.1 to 3600, found "1e3"/,
  },
  {
    args: ['status', BUMP_ID, '--watch', '--interval', '3601'],
    code: 2,
    says: /bumpflow: --interval: expected a number of seconds from 0\.1 to 3600, found "3601"/,
  },
  { args: ['status', BUMP_ID, '--watch=yes'], code: 2, says: /error: unknown option '--watch=yes'/ },
  { args: ['status'], code: 2, says: /error: missing required argument 'id'/ },
];

export const listCases: CliCase[] = [
  {
    args: ['list', '--limit', '0'],
    code: 2,
    says: /bumpflow: --limit: expected a whole number from 1 to 10000, found "0"/,
  },
  {
    args: ['list', '--limit', '1.5'],
    code: 2,
    says: /bumpflow: --limit: expected a whole number from 1 to 10000, found "1\.5"/,
  },
  {
    args: ['list', '--limit', '100000'],
    code: 2,
    says: /bumpflow: --limit: expected a whole number from 1 to 10000, found "100000"/,
  },
  {
    args: ['list', '--limit', ''],
    code: 2,
    says: /bumpflow: --limit: expected a whole number from 1 to 10000, found ""/,
  },
  {
    args: ['list', '--limit', '0x10'],
    code: 2,
    says: /bumpflow: --limit: expected a whole number from 1 to 10000, found "0x10"/,
  },
  {
    args: ['list', '--state', 'nope'],
    code: 2,
    says: /bumpflow: --state: expected one of planning, blocked, .*awaiting-approval.*queued, found "nope"/,
  },
  { args: ['list', '--state', ''], code: 2, says: /bumpflow: --state: expected one of .*, found ""/ },
  {
    args: ['list', '--state', "x' OR '1'='1"],
    code: 2,
    says: /bumpflow: --state: expected one of .*, found "x' OR '1'='1"/,
  },
  {
    args: ['list', '--state', 'Awaiting-Approval'],
    code: 2,
    says: /bumpflow: --state: expected one of .*, found "Awaiting-Approval"/,
  },
  {
    args: ['list', '--service', "magnum' OR 1=1"],
    code: 2,
    says: /bumpflow: --service: expected a service name .*, found "magnum' OR 1=1"/,
  },
  {
    args: ['list', '--service', ''],
    code: 2,
    says: /bumpflow: --service: expected a service name .*, found ""/,
  },
  {
    args: ['list', '--service', 'ghcr.io/vexxhost/magnum:latest'],
    code: 2,
    says: /bumpflow: --service: expected a full image name without tag or digest .*, found "ghcr\.io\/vexxhost\/magnum:latest"/,
  },
  {
    args: ['list', '--procedure', 'deploy'],
    code: 2,
    says: /bumpflow: --procedure: expected one of bump, promote, rollback, cleanup, retag, found "deploy"/,
  },
  {
    args: ['list', '--procedure', 'Bump'],
    code: 2,
    says: /bumpflow: --procedure: expected one of bump, .*, found "Bump"/,
  },
  {
    args: ['list', '--procedure', 'promote', '--branches'],
    code: 2,
    says: /bumpflow: --procedure: expected bump \(or no --procedure\) with --branches, which only bumps have, found "promote"/,
  },
  {
    args: ['list', '--procedure', 'cleanup', '--service', 'magnum'],
    code: 2,
    says: /bumpflow: --procedure: expected bump \(or no --procedure\) with --service, which only bumps have, found "cleanup"/,
  },
  { args: ['list', 'extra'], code: 2, says: /error: too many arguments for 'list'/ },
];
