/** CLI cases: `retag`. */
import { COMMIT, duration, IMAGE, REPO, SECRET, type CliCase } from './cliCaseKit.js';

const MANIFEST = 'build-tools/image-tags.yaml';
const retag = (...args: string[]) => [
  'retag',
  '--manifest',
  REPO,
  '--path',
  MANIFEST,
  '--ref',
  COMMIT,
  ...args,
];
export const PATH = 'expected a relative path inside the repository .*, found';
export const CREDENTIALS =
  'expected a repository URL without credentials: .*; found "https://\\*\\*\\*@github\\.com/o/r"';
const MIRROR = (side: string) =>
  `expected a mirror ${side} of the form registry/namespace \\(such as docker\\.io/starlingx .*\\), without scheme, credentials or whitespace, found`;

export const retagCases: CliCase[] = [
  {
    args: ['retag', '--path', MANIFEST],
    code: 2,
    says: /error: required option '--manifest <repo-url>' not specified/,
  },
  {
    args: ['retag', '--manifest', REPO],
    code: 2,
    says: /error: required option '--path <file>' not specified/,
  },
  {
    args: ['retag', '--manifest', '', '--path', MANIFEST],
    code: 2,
    says: /bumpflow: --manifest: expected a plain git URL: .*the URL is empty; found ""/,
  },
  {
    args: ['retag', '--manifest', `https://ops:${SECRET}@github.com/o/r`, '--path', MANIFEST],
    code: 2,
    says: new RegExp(`bumpflow: --manifest: ${CREDENTIALS}`),
  },
  {
    args: ['retag', '--manifest', 'ftp://mirror/o/r', '--path', MANIFEST],
    code: 2,
    says: /bumpflow: --manifest: expected a plain git URL: .*the scheme "ftp" .*; found "ftp:\/\/mirror\/o\/r"/,
  },
  {
    args: ['retag', '--manifest', 'https://github.com/o/r`id`', '--path', MANIFEST],
    code: 2,
    says: /bumpflow: --manifest: expected a plain git URL: .*no shell metacharacters such as "`"; found "https:\/\/github\.com\/o\/r`id`"/,
  },
  {
    args: ['retag', '--manifest', REPO, '--path', ''],
    code: 2,
    says: new RegExp(`bumpflow: --path: ${PATH} "" \\(empty\\)`),
  },
  {
    args: ['retag', '--manifest', REPO, '--path', '../../etc/passwd'],
    code: 2,
    says: new RegExp(`bumpflow: --path: ${PATH} "\\.\\./\\.\\./etc/passwd" \\(a \\.\\. segment\\)`),
  },
  {
    args: ['retag', '--manifest', REPO, '--path', '/etc/passwd'],
    code: 2,
    says: new RegExp(`bumpflow: --path: ${PATH} "/etc/passwd" \\(an absolute path\\)`),
  },
  {
    args: ['retag', '--manifest', REPO, '--path', 'build tools/x.yaml'],
    code: 2,
    says: new RegExp(
      `bumpflow: --path: ${PATH} "build tools/x\\.yaml" \\(whitespace or a control character\\)`,
    ),
  },
  {
    args: ['retag', '--manifest', REPO, '--path', 'build-tools\\x.yaml'],
    code: 2,
    says: new RegExp(`bumpflow: --path: ${PATH} "build-tools\\\\\\\\x\\.yaml" \\(a backslash\\)`),
  },
  {
    args: ['retag', '--manifest', REPO, '--path', 'a//b.yaml'],
    code: 2,
    says: new RegExp(`bumpflow: --path: ${PATH} "a//b\\.yaml" \\(an empty segment\\)`),
  },
  {
    args: ['retag', '--manifest', REPO, '--path', MANIFEST, '--ref', ''],
    code: 2,
    says: /bumpflow: --ref: expected a valid branch name \(not empty\), found ""/,
  },
  {
    args: ['retag', '--manifest', REPO, '--path', MANIFEST, '--ref', 'main..x'],
    code: 2,
    says: /bumpflow: --ref: expected a valid branch name \(no '\.\.'\), found "main\.\.x"/,
  },
  {
    args: ['retag', '--manifest', REPO, '--path', MANIFEST, '--ref', 'a b'],
    code: 2,
    says: /bumpflow: --ref: expected a valid branch name \(no space, control character .*\), found "a b"/,
  },
  {
    args: ['retag', '--manifest', REPO, '--path', MANIFEST, '--ref', 'stable/'],
    code: 2,
    says: /bumpflow: --ref: expected a valid branch name \(no leading or trailing '\/'\), found "stable\/"/,
  },
  {
    args: ['retag', '--manifest', REPO, '--path', MANIFEST, '--ref', 'abcdef1'],
    code: 2,
    says: /bumpflow: --ref: expected a branch or a commit of 12 to 40 hex digits, found "abcdef1"/,
  },
  {
    args: ['retag', '--manifest', REPO, '--path', MANIFEST, '--ref', 'stable/ünïcode'],
    code: 2,
    says: /bumpflow: --ref: expected a branch name \(letters, digits, .*\) or a commit sha, found "stable\/ünïcode"/,
  },
  {
    args: ['retag', '--manifest', REPO, '--path', MANIFEST, '--ref', 'HEAD@{1}'],
    code: 2,
    says: /bumpflow: --ref: expected a valid branch name \(no '@\{'\), found "HEAD@\{1\}"/,
  },
  {
    args: retag('--approval-timeout', '0s'),
    code: 2,
    says: duration('--approval-timeout', '0s', 'a duration must be longer than zero'),
  },
  {
    args: retag('--approval-timeout', '400d'),
    code: 2,
    says: duration('--approval-timeout', '400d', 'longer than 366d'),
  },
  {
    args: retag('--approval-timeout', 'tomorrow'),
    code: 2,
    says: duration('--approval-timeout', 'tomorrow', 'cannot read "tomorrow"'),
  },
  {
    args: retag('--mirror', 'docker.io/starlingx'),
    code: 2,
    says: /bumpflow: --mirror: expected FROM=TO such as docker\.io\/starlingx=registry\.local:5000\/starlingx, found "docker\.io\/starlingx"/,
  },
  {
    args: retag('--mirror', '=registry.local/x'),
    code: 2,
    says: /bumpflow: --mirror: expected FROM=TO .*, found "=registry\.local\/x"/,
  },
  {
    args: retag('--mirror', `docker.io/starlingx=https://ops:${SECRET}@registry.local/x`),
    code: 2,
    says: new RegExp(`bumpflow: --mirror: ${MIRROR('target')} "https://\\*\\*\\*@registry\\.local/x"`),
  },
  {
    args: retag('--mirror', `docker.io/starlingx=ops:${SECRET}@registry.local/x`),
    code: 2,
    says: new RegExp(`bumpflow: --mirror: ${MIRROR('target')} "\\*\\*\\*@registry\\.local/x"`),
  },
  {
    args: retag('--mirror', 'docker io/x=registry.local/x'),
    code: 2,
    says: new RegExp(`bumpflow: --mirror: ${MIRROR('prefix')} "docker io/x"`),
  },
  {
    args: retag('--mirror', 'docker.io=registry.local/x'),
    code: 2,
    says: new RegExp(`bumpflow: --mirror: ${MIRROR('prefix')} "docker\\.io"`),
  },
  {
    args: retag('--repush', ''),
    code: 2,
    says: /bumpflow: --repush: expected an image repository such as ghcr\.io\/vexxhost\/magnum, without whitespace, found ""/,
  },
  {
    args: retag('--repush', 'docker.io/starlingx/Dex'),
    code: 2,
    says: /bumpflow: --repush: expected a lower-case repository path .*, found "starlingx\/Dex"/,
  },
  {
    args: retag('--repush', `${IMAGE}:1.0`),
    code: 2,
    says: /bumpflow: --repush: expected an image repository without tag or digest .*, found "ghcr\.io\/vexxhost\/magnum:1\.0"/,
  },
];
