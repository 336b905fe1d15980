/** Config cases: credentials (GitHub, registries, docker config) and the approval policy. */
import { SECRET, type ConfigCase } from './configCaseKit.js';

export const credentialCases: ConfigCase[] = [
  {
    yaml: `credentials:\n  github:\n    apiUrl: https://bot:${SECRET}@github.example.com/api/v3\n`,
    key: 'credentials.github.apiUrl',
    line: 3,
    says: /^expected a GitHub API URL without credentials: the token belongs in the variable tokenEnv names; found "https:\/\/\*\*\*@github\.example\.com\/api\/v3"/,
  },
  {
    yaml: `credentials:\n  github:\n    apiUrl: https://github.example.com/api/v3?access_token=${SECRET}\n`,
    key: 'credentials.github.apiUrl',
    line: 3,
    says: /^expected an http\(s\) URL, found "https:\/\/github\.example\.com\/api\/v3\?\*\*\*" \(expected no query/,
  },
  {
    yaml: 'credentials:\n  github:\n    apiUrl: github.example.com/api/v3\n',
    key: 'credentials.github.apiUrl',
    line: 3,
    says: /^expected an http\(s\) URL, found "github\.example\.com\/api\/v3" \(not scheme:\/\/host\/path\)/,
  },
  {
    yaml: 'credentials:\n  github:\n    tokenEnv: ghp_notaname\n',
    key: 'credentials.github.tokenEnv',
    line: 3,
    says: /^expected the NAME of an environment variable \(A-Z, 0-9, _\), found "ghp_notaname"/,
  },
  {
    yaml: 'credentials:\n  github:\n    tokenEnv: 1TOKEN\n',
    key: 'credentials.github.tokenEnv',
    line: 3,
    says: /^expected the NAME of an environment variable .*, found "1TOKEN"/,
  },
  {
    yaml: `credentials:\n  github:\n    token: ghp_${SECRET}\n`,
    key: 'credentials.github.token',
    line: 3,
    says: /^expected the name of an environment variable that holds the secret .*, found a value written in the file/,
  },
  {
    yaml: 'credentials:\n  github:\n    appId: 12345\n',
    key: 'credentials.github.appId',
    line: 3,
    says: /^expected one of the documented keys .*, found an unknown key "appId"/,
  },
  {
    yaml: `credentials:\n  github:\n    privateKey: "-----BEGIN ${SECRET}"\n`,
    key: 'credentials.github.privateKey',
    line: 3,
    says: /^expected the name of an environment variable that holds the secret \(e\.g\. privateKeyEnv: GITHUB_TOKEN\), found a value written in the file/,
  },
  {
    yaml: 'credentials:\n  registries:\n    ghcr.io:\n      usernameEnv: bot\n      passwordEnv: GHCR_TOKEN\n',
    key: 'credentials.registries.ghcr.io.usernameEnv',
    line: 4,
    says: /^expected the NAME of an environment variable .*, found "bot"/,
  },
  {
    yaml: 'credentials:\n  registries:\n    ghcr.io:\n      usernameEnv: GHCR_USER\n',
    key: 'credentials.registries.ghcr.io.passwordEnv',
    line: 3,
    says: /^expected string, found nothing/,
  },
  {
    yaml: `credentials:\n  registries:\n    ghcr.io:\n      usernameEnv: GHCR_USER\n      password: ${SECRET}\n`,
    key: 'credentials.registries.ghcr.io.password',
    line: 5,
    says: /^expected the name of an environment variable that holds the secret .*, found a value written in the file/,
  },
  {
    yaml: 'credentials:\n  registries:\n    Ghcr.io:\n      usernameEnv: U\n      passwordEnv: P\n',
    key: 'credentials.registries.Ghcr.io',
    line: 3,
    says: /^expected a registry host such as ghcr\.io .*, found the key "Ghcr\.io"/,
  },
  {
    yaml: "credentials:\n  dockerConfig: ''\n",
    key: 'credentials.dockerConfig',
    line: 2,
    says: /^expected a file path \(relative to the config file\), found ""/,
  },
  {
    yaml: 'credentials:\n  dockerConfig: 5\n',
    key: 'credentials.dockerConfig',
    line: 2,
    says: /^expected string, found 5/,
  },
];

export const approvalCases: ConfigCase[] = [
  {
    yaml: 'approval:\n  timeout: 0s\n',
    key: 'approval.timeout',
    line: 2,
    says: /^expected an approval timeout as a positive duration from 1s to 366d .*, found "0s" \(a duration must be longer than zero\)/,
  },
  {
    yaml: 'approval:\n  timeout: -1h\n',
    key: 'approval.timeout',
    line: 2,
    says: /^expected an approval timeout as .*, found "-1h" \(cannot read "-1h"\)/,
  },
  {
    yaml: 'approval:\n  timeout: 99999999d\n',
    key: 'approval.timeout',
    line: 2,
    says: /^expected an approval timeout as .*, found "99999999d" \(longer than 366d\)/,
  },
  {
    yaml: 'approval:\n  timeout: 3 days\n',
    key: 'approval.timeout',
    line: 2,
    says: /^expected an approval timeout as .*, found "3 days" \(cannot read "ays"\)/,
  },
  {
    yaml: 'approval:\n  timeout: 72\n',
    key: 'approval.timeout',
    line: 2,
    says: /^expected string, found 72/,
  },
  {
    yaml: 'approval:\n  branches: main\n',
    key: 'approval.branches',
    line: 2,
    says: /^expected a list, found "main"/,
  },
  {
    yaml: 'approval:\n  branches:\n    - pattern: main\n',
    key: 'approval.branches.0.required',
    line: 3,
    says: /^expected boolean, found nothing/,
  },
  {
    yaml: 'approval:\n  branches:\n    - pattern: main\n      required: yes please\n',
    key: 'approval.branches.0.required',
    line: 4,
    says: /^expected boolean, found "yes please"/,
  },
  {
    yaml: 'approval:\n  branches:\n    - pattern: "stable/[0-9]*"\n      required: true\n',
    key: 'approval.branches.0.pattern',
    line: 3,
    says: /^expected a branch pattern of letters, digits, \. _ - \/ and \*, found "stable\/\[0-9\]\*"/,
  },
  {
    yaml: 'approval:\n  branches:\n    - pattern: stable/ünïcode\n      required: true\n',
    key: 'approval.branches.0.pattern',
    line: 3,
    says: /^expected a branch pattern of letters, .*, found "stable\/ünïcode"/,
  },
  {
    yaml: 'approval:\n  branches:\n    - pattern: main..x\n      required: true\n',
    key: 'approval.branches.0.pattern',
    line: 3,
    says: /^expected a branch pattern such as main, stable\/\* or stable\/\*\*, found "main\.\.x"/,
  },
  {
    yaml: 'approval:\n  branches:\n    - pattern: stable/\n      required: true\n',
    key: 'approval.branches.0.pattern',
    line: 3,
    says: /^expected a branch pattern such as main, .*, found "stable\/"/,
  },
  {
    yaml: 'approval:\n  branches:\n    - pattern: main\n      required: true\n      approvers: [ops]\n',
    key: 'approval.branches.0.approvers',
    line: 5,
    says: /^expected one of the documented keys .*, found an unknown key "approvers"/,
  },
];
