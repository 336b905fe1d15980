/** CLI cases: `catalog`, and the program itself (unknown commands, --config, a config file it reads). */
import { duration, IMAGE, REPO, SECRET, type CliCase } from './cliCaseKit.js';
import { CREDENTIALS, PATH } from './cliCasesRetag.js';

const catalog = (...args: string[]) => [
  'catalog',
  '--repo',
  REPO,
  '--path',
  'etc/images/ubuntu.yml',
  ...args,
];

const scheduled = (...words: string[]) => [
  'schedule',
  'create',
  'images',
  '--every',
  '1d',
  '--',
  'catalog',
  ...words,
];

export const catalogCases: CliCase[] = [
  // a schedule's catalog words go through the catalog command's own parser
  {
    args: scheduled('--repo', REPO, '--path', 'etc/images/ubuntu.yml', '--path', 'etc/images/ubuntu.yml'),
    code: 2,
    says: /bumpflow: <command>: expected catalog options after --, found --path: expected each catalog once, found "etc\/images\/ubuntu\.yml" twice/,
  },
  {
    args: scheduled('--repo', REPO, '--dir', 'etc/images', '--path', 'etc/images/ubuntu.yml'),
    code: 2,
    says: /bumpflow: --dir: expected either --dir <folder> \(every catalog in it\) or --path <file> \(the catalogs named\), not both; found --dir "etc\/images" and --path "etc\/images\/ubuntu\.yml"/,
  },
  {
    args: scheduled('--repo', `https://me:${SECRET}@github.com/o/r`, '--path', 'x.yml'),
    code: 2,
    says: new RegExp(`bumpflow: <command>: expected catalog options after --, found --repo: ${CREDENTIALS}`),
  },
  {
    args: scheduled('--repo', REPO, '--path', 'etc/images/ubuntu.yml', '--keep', '0'),
    code: 2,
    says: /bumpflow: <command>: expected catalog options after --, found --keep: expected a whole number from 1 to 100, found "0"/,
  },
  {
    args: scheduled('--repo', REPO, '--path', 'etc/images/ubuntu.yml', 'extra'),
    code: 2,
    says: /bumpflow: <command>: expected catalog options after --, found too many arguments/,
  },
  {
    args: ['catalog', '--path', 'etc/images/ubuntu.yml'],
    code: 2,
    says: /error: required option '--repo <url>' not specified/,
  },
  {
    args: ['catalog', '--repo', REPO, '--path', 'etc/images/debian.yml', '--path', 'etc/images/debian.yml'],
    code: 2,
    says: /bumpflow: --path: expected each catalog once, found "etc\/images\/debian\.yml" twice/,
  },
  {
    args: ['catalog', '--repo', REPO, '--path', 'etc/images/ubuntu.yml', '--dir', 'etc/images'],
    code: 2,
    says: /bumpflow: --dir: expected either --dir <folder> .*, not both; found --dir "etc\/images" and --path "etc\/images\/ubuntu\.yml"/,
  },
  {
    args: ['catalog', '--repo', REPO, '--dir', '../images'],
    code: 2,
    says: new RegExp(`bumpflow: --dir: ${PATH} "\\.\\./images" \\(a \\.\\. segment\\)`),
  },
  {
    args: ['catalog', '--repo', REPO, '--path', 'etc/images/ubuntu.yml', '--path', 'etc//images/debian.yml'],
    code: 2,
    says: new RegExp(`bumpflow: --path: ${PATH} "etc//images/debian\\.yml" \\(an empty segment\\)`),
  },
  {
    args: ['catalog', '--repo', `https://me:${SECRET}@github.com/o/r`, '--path', 'x.yml'],
    code: 2,
    says: new RegExp(`bumpflow: --repo: ${CREDENTIALS}`),
  },
  {
    args: ['catalog', '--repo', 'osism/openstack-image-manager', '--path', 'x.yml'],
    code: 2,
    says: /bumpflow: --repo: expected a plain git URL: .*; found "osism\/openstack-image-manager"/,
  },
  {
    args: ['catalog', '--repo', REPO, '--path', ''],
    code: 2,
    says: new RegExp(`bumpflow: --path: ${PATH} "" \\(empty\\)`),
  },
  {
    args: ['catalog', '--repo', REPO, '--path', '../etc/x.yml'],
    code: 2,
    says: new RegExp(`bumpflow: --path: ${PATH} "\\.\\./etc/x\\.yml" \\(a \\.\\. segment\\)`),
  },
  {
    args: ['catalog', '--repo', REPO, '--path', '/etc/images/ubuntu.yml'],
    code: 2,
    says: new RegExp(`bumpflow: --path: ${PATH} "/etc/images/ubuntu\\.yml" \\(an absolute path\\)`),
  },
  {
    args: ['catalog', '--repo', REPO, '--path', 'etc/./images/ubuntu.yml'],
    code: 2,
    says: new RegExp(`bumpflow: --path: ${PATH} "etc/\\./images/ubuntu\\.yml" \\(a \\. segment\\)`),
  },
  {
    args: catalog('--branch', ''),
    code: 2,
    says: /bumpflow: --branch: expected a valid branch name \(not empty\), found ""/,
  },
  {
    args: catalog('--branch', 'main..x'),
    code: 2,
    says: /bumpflow: --branch: expected a valid branch name \(no '\.\.'\), found "main\.\.x"/,
  },
  {
    args: catalog('--branch', '-main'),
    code: 2,
    says: /bumpflow: --branch: expected a valid branch name \(no leading '-'\), found "-main"/,
  },
  {
    args: catalog('--branch', 'HEAD'),
    code: 2,
    says: /bumpflow: --branch: expected a valid branch name \(not 'HEAD'\), found "HEAD"/,
  },
  {
    args: catalog('--branch', 'feature/x.lock'),
    code: 2,
    says: /bumpflow: --branch: expected a valid branch name \(no component ending with '\.lock': "x\.lock"\), found "feature\/x\.lock"/,
  },
  {
    args: catalog('--keep', '0'),
    code: 2,
    says: /bumpflow: --keep: expected a whole number from 1 to 100, found "0"/,
  },
  {
    args: catalog('--keep', '101'),
    code: 2,
    says: /bumpflow: --keep: expected a whole number from 1 to 100, found "101"/,
  },
  {
    args: catalog('--keep', 'two'),
    code: 2,
    says: /bumpflow: --keep: expected a whole number from 1 to 100, found "two"/,
  },
  {
    args: catalog('--wait-seconds', '-1'),
    code: 2,
    says: /bumpflow: --wait-seconds: expected a whole number from 0 to 3600, found "-1"/,
  },
  {
    args: catalog('--wait-seconds', '3601'),
    code: 2,
    says: /bumpflow: --wait-seconds: expected a whole number from 0 to 3600, found "3601"/,
  },
  {
    args: catalog('--wait-seconds', '2.5'),
    code: 2,
    says: /bumpflow: --wait-seconds: expected a whole number from 0 to 3600, found "2\.5"/,
  },
  {
    args: catalog('--approval-timeout', '367d'),
    code: 2,
    says: duration('--approval-timeout', '367d', 'longer than 366d'),
  },
  {
    args: catalog('--approval-timeout', '0.1s'),
    code: 2,
    says: duration('--approval-timeout', '0.1s', 'shorter than 1s'),
  },
];

export const programCases: CliCase[] = [
  { args: ['deploy'], code: 2, says: /error: unknown command 'deploy'/ },
  { args: ['--bogus', 'list'], code: 2, says: /error: unknown option '--bogus'/ },
  { args: ['--config'], code: 2, says: /error: option '--config <file>' argument missing/ },
  {
    args: ['--config', '', 'bump', 'magnum', '--target', 'atmosphere'],
    code: 2,
    says: /bumpflow: --config \(or BUMPFLOW_CONFIG\): \(top level\): expected the path of a config file, found ""/,
  },
  {
    args: ['--config', '/nonexistent/bumpflow.yaml', 'bump', 'magnum', '--target', 'atmosphere'],
    code: 2,
    says: /bumpflow: \/nonexistent\/bumpflow\.yaml: \(top level\): expected a readable config file, found ENOENT/,
  },
  {
    args: ['bump', 'magnum', '--target', 'atmosphere'],
    config: 'targets:\n  atmosphere: [\n',
    code: 2,
    says: /bumpflow: \S+bumpflow\.yaml:\d+: \(top level\): expected valid YAML, found: /,
  },
  {
    args: ['promote', IMAGE, '--from', 'staging', '--to', 'prod'],
    config: "promotion:\n  stamp: '{tag}-{date}'\n",
    code: 2,
    says: /bumpflow: \S+bumpflow\.yaml:2: promotion\.stamp: expected a stamp template .*, found "\{tag\}-\{date\}": no \{revision\}/,
  },
  {
    args: ['cleanup', IMAGE, '--tags', 'x*', '--older-than', '1d'],
    config: 'cleanup:\n  approveAbove: -1\n',
    code: 2,
    says: /bumpflow: \S+bumpflow\.yaml:2: cleanup\.approveAbove: expected a number of at least 0, found -1/,
  },
  {
    args: ['sweep', '--repo', REPO],
    config: 'approval:\n  timeout: 0s\n',
    code: 2,
    says: /bumpflow: \S+bumpflow\.yaml:2: approval\.timeout: expected an approval timeout as a positive duration .*, found "0s"/,
  },
];
