/** Config cases: the file itself (YAML, duplicate and unknown keys), targets and registry mirrors. */
import { SECRET, type ConfigCase } from './configCaseKit.js';

const target = (...lines: string[]) =>
  ['targets:', '  atmosphere:', ...lines.map((l) => `    ${l}`), ''].join('\n');
const REPO = '    repo: https://github.com/vexxhost/atmosphere';
const PATH = 'expected a relative path inside the repository .*, found';

export const fileCases: ConfigCase[] = [
  {
    yaml: 'targets:\n  atmosphere: [\n',
    key: '',
    line: 3,
    says: /^expected valid YAML, found: Flow sequence in block collection/,
  },
  {
    yaml: '\ttargets: {}\n',
    key: '',
    line: 1,
    says: /^expected valid YAML, found: Tabs are not allowed as indentation/,
  },
  {
    yaml: 'targets:\n  atmosphere:\n    repo: "unclosed\n',
    key: '',
    line: 4, // where the parser finds the quote unclosed: the end
    says: /^expected valid YAML, found: Missing closing "quote/,
  },
  {
    yaml: 'targets: {}\n---\ncleanup: {}\n',
    key: '',
    line: 2,
    says: /^expected one YAML document, found more than one \(a --- line\)/,
  },
  {
    yaml: 'targets:\n  atmosphere:\n    repo: https://github.com/o/a\n  atmosphere:\n    repo: https://github.com/o/b\n',
    key: 'targets.atmosphere',
    line: 4,
    says: /^expected each key once in a mapping, found "atmosphere" again \(first on line 2\)/,
  },
  {
    yaml: 'cleanup:\n  approveAbove: 1\n  approveAbove: 2\n',
    key: 'cleanup.approveAbove',
    line: 3,
    says: /^expected each key once in a mapping, found "approveAbove" again \(first on line 2\)/,
  },
  {
    yaml: 'targets: &t\n  atmosphere: *t\n',
    key: 'targets.atmosphere',
    line: 2,
    says: /^expected a value, found an alias \(\*name\) to a mapping or list holding it/,
  },
  {
    yaml: '- targets\n- cleanup\n',
    key: '',
    line: 1,
    says: /^expected a mapping, found \["targets","cleanup"\]/,
  },
  { yaml: 'just a sentence\n', key: '', line: 1, says: /^expected a mapping, found "just a sentence"/ },
  {
    yaml: 'target:\n  atmosphere: {}\n',
    key: 'target',
    line: 1,
    says: /^expected one of the documented keys .*, found an unknown key "target"/,
  },
  {
    yaml: 'approvals:\n  timeout: 72h\n',
    key: 'approvals',
    line: 1,
    says: /^expected one of the documented keys .*, found an unknown key "approvals"/,
  },
];

export const targetCases: ConfigCase[] = [
  { yaml: 'targets: []\n', key: 'targets', line: 1, says: /^expected a mapping, found \[\]/ },
  {
    yaml: 'targets:\n  Atmosphere:\n    repo: https://github.com/o/r\n',
    key: 'targets.Atmosphere',
    line: 2,
    says: /^expected a target name of lowercase letters, digits, \. _ -, found the key "Atmosphere"/,
  },
  {
    yaml: 'targets:\n  atmosphere: https://github.com/o/r\n',
    key: 'targets.atmosphere',
    line: 2,
    says: /^expected a mapping, found "https:\/\/github\.com\/o\/r"/,
  },
  {
    yaml: 'targets:\n  atmosphere: {}\n',
    key: 'targets.atmosphere.repo',
    line: 2,
    says: /^expected string, found nothing/,
  },
  { yaml: target('repo: 42'), key: 'targets.atmosphere.repo', line: 3, says: /^expected string, found 42/ },
  {
    yaml: target(`repo: https://bot:${SECRET}@github.com/vexxhost/atmosphere`),
    key: 'targets.atmosphere.repo',
    line: 3,
    says: /^expected a repository URL without credentials: .*credential helper.*; found "https:\/\/\*\*\*@github\.com\/vexxhost\/atmosphere"/,
  },
  {
    yaml: target(`repo: https://ghp_${SECRET}@github.com/vexxhost/atmosphere`),
    key: 'targets.atmosphere.repo',
    line: 3,
    says: /^expected a repository URL without credentials: .*; found "https:\/\/\*\*\*@github\.com\/vexxhost\/atmosphere"/,
  },
  {
    yaml: target('repo: github.com/vexxhost/atmosphere'),
    key: 'targets.atmosphere.repo',
    line: 3,
    says: /^expected a plain git URL: .*; found "github\.com\/vexxhost\/atmosphere"/,
  },
  {
    yaml: target('repo: git://github.com/vexxhost/atmosphere'),
    key: 'targets.atmosphere.repo',
    line: 3,
    says: /^expected a plain git URL: .*the scheme "git" is not one of https, ssh, file .*; found "git:\/\/github\.com\/vexxhost\/atmosphere"/,
  },
  {
    yaml: target("repo: 'https://github.com/o/r; rm -rf /'"),
    key: 'targets.atmosphere.repo',
    line: 3,
    says: /^expected a plain git URL: .*no whitespace or control characters; found "https:\/\/github\.com\/o\/r; rm -rf \/"/,
  },
  {
    yaml: target('repo: /srv/git/atmosphere'),
    key: 'targets.atmosphere.repo',
    line: 3,
    says: /^expected a plain git URL: .*; found "\/srv\/git\/atmosphere"/,
  },
  {
    yaml: target(REPO.trim(), 'varsFile: ../../etc/passwd'),
    key: 'targets.atmosphere.varsFile',
    line: 4,
    says: new RegExp(`^${PATH} "\\.\\./\\.\\./etc/passwd" \\(a \\.\\. segment\\)`),
  },
  {
    yaml: target(REPO.trim(), 'varsFile: /etc/passwd'),
    key: 'targets.atmosphere.varsFile',
    line: 4,
    says: new RegExp(`^${PATH} "/etc/passwd" \\(an absolute path\\)`),
  },
  {
    yaml: target(REPO.trim(), "varsFile: ''"),
    key: 'targets.atmosphere.varsFile',
    line: 4,
    says: new RegExp(`^${PATH} "" \\(empty\\)`),
  },
  {
    yaml: target(REPO.trim(), 'varsFile: [main.yml]'),
    key: 'targets.atmosphere.varsFile',
    line: 4,
    says: /^expected string, found \["main\.yml"\]/,
  },
  {
    // a prefix written as a glob matches no image: the target would sweep nothing
    yaml: target(REPO.trim(), 'images: [ghcr.io/vexxhost/]'),
    key: 'targets.atmosphere.images.0',
    line: 4,
    says: /^expected an image glob such as ghcr\.io\/vexxhost\/\*\* \(every image under ghcr\.io\/vexxhost\/\), found "ghcr\.io\/vexxhost\/", which ends in \/ and matches no image name/,
  },
  {
    yaml: target(REPO.trim(), 'images:', "  - 'ghcr.io/vexxhost/{nova,'"),
    key: 'targets.atmosphere.images.0',
    line: 5,
    says: /^expected an image glob such as ghcr\.io\/acme\/\* or ghcr\.io\/\*\* .*, found "ghcr\.io\/vexxhost\/\{nova,", which matches nothing \(an unclosed \[ or \{\)/,
  },
  {
    yaml: target(REPO.trim(), 'images: [GHCR.io/Vexxhost/**]'),
    key: 'targets.atmosphere.images.0',
    line: 4,
    says: /^expected an image glob such as .*, found "GHCR\.io\/Vexxhost\/\*\*"/,
  },
  {
    yaml: target(REPO.trim(), 'images: []'),
    key: 'targets.atmosphere.images',
    line: 4,
    says: /^expected at least 1 item, found \[\]/,
  },
  {
    yaml: target(REPO.trim(), 'branch: main'),
    key: 'targets.atmosphere.branch',
    line: 4,
    says: /^expected one of the documented keys .*, found an unknown key "branch"/,
  },
  {
    yaml: target(REPO.trim(), 'token: ghp_0123456789'),
    key: 'targets.atmosphere.token',
    line: 4,
    says: /^expected the name of an environment variable that holds the secret \(e\.g\. tokenEnv: GITHUB_TOKEN\), found a value written in the file/,
  },
];

export const registryCases: ConfigCase[] = [
  {
    yaml: `registry:\n  mirrors:\n    ghcr.io: https://bot:${SECRET}@mirror.example.com\n`,
    key: 'registry.mirrors.ghcr.io',
    line: 3,
    says: /^expected a registry mirror URL without credentials: .*credentials\.registries.*; found "https:\/\/\*\*\*@mirror\.example\.com"/,
  },
  {
    yaml: `registry:\n  mirrors:\n    ghcr.io: https://${SECRET}@mirror.example.com\n`,
    key: 'registry.mirrors.ghcr.io',
    line: 3,
    says: /^expected a registry mirror URL without credentials: .*; found "https:\/\/\*\*\*@mirror\.example\.com"/,
  },
  {
    yaml: `registry:\n  mirrors:\n    ghcr.io: https://mirror.example.com/v2?token=${SECRET}\n`,
    key: 'registry.mirrors.ghcr.io',
    line: 3,
    says: /^expected an http\(s\) URL, found "https:\/\/mirror\.example\.com\/v2\?\*\*\*" \(expected no query/,
  },
  {
    yaml: 'registry:\n  mirrors:\n    ghcr.io: ftp://mirror.example.com\n',
    key: 'registry.mirrors.ghcr.io',
    line: 3,
    says: /^expected an http\(s\) URL, found "ftp:\/\/mirror\.example\.com"/,
  },
  {
    yaml: "registry:\n  mirrors:\n    ghcr.io: 'https://mirror example.com'\n",
    key: 'registry.mirrors.ghcr.io',
    line: 3,
    says: /^expected an http\(s\) URL, found "https:\/\/mirror example\.com" \(whitespace or a control character\)/,
  },
  {
    yaml: 'registry:\n  mirrors:\n    ghcr.io: "https://mirror.example.com/\\u0007"\n',
    key: 'registry.mirrors.ghcr.io',
    line: 3,
    says: /^expected an http\(s\) URL, found "https:\/\/mirror\.example\.com\/\\u0007" \(whitespace or a control character\)/,
  },
  {
    yaml: 'registry:\n  mirrors:\n    ghcr.io: https://mirror.example.com:99999\n',
    key: 'registry.mirrors.ghcr.io',
    line: 3,
    says: /^expected an http\(s\) URL, found "https:\/\/mirror\.example\.com:99999" \(expected a port from 1 to 65535\)/,
  },
  {
    yaml: 'registry:\n  mirrors:\n    ghcr.io: https://mir_ror!/v2\n',
    key: 'registry.mirrors.ghcr.io',
    line: 3,
    says: /^expected an http\(s\) URL, found "https:\/\/mir_ror!\/v2" \(expected a host name such as example\.com\)/,
  },
  {
    yaml: 'registry:\n  mirrors:\n    GHCR.IO: https://mirror.example.com\n',
    key: 'registry.mirrors.GHCR.IO',
    line: 3,
    says: /^expected a registry host such as ghcr\.io \(lowercase, an optional :port\), found the key "GHCR\.IO"/,
  },
  {
    yaml: 'registry:\n  mirrors:\n    https://ghcr.io: https://mirror.example.com\n',
    key: 'registry.mirrors.https://ghcr.io',
    line: 3,
    says: /^expected a registry host such as ghcr\.io .*, found the key "https:\/\/ghcr\.io"/,
  },
  {
    yaml: 'registry:\n  mirrors: [https://mirror.example.com]\n',
    key: 'registry.mirrors',
    line: 2,
    says: /^expected a mapping, found \["https:\/\/mirror\.example\.com"\]/,
  },
  {
    yaml: 'registry:\n  insecure: true\n',
    key: 'registry.insecure',
    line: 2,
    says: /^expected one of the documented keys .*, found an unknown key "insecure"/,
  },
];
