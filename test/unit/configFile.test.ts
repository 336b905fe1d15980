import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { approvalPolicy, loadConfig, parseConfig, workerEnvironment } from '../../src/configFile.js';
import { approvalFor, branchMatches } from '../../src/lib/bump/approvalPolicy.js';
import { patternProblem } from '../../src/shared/approvalRule.js';
import { repoRoot } from '../../src/sandbox/paths.js';
import { refusedConfig as refused } from '../support/fixtures.js';

describe('config file', () => {
  it('reads the example file shipped with the repo', () => {
    const config = loadConfig(path.join(repoRoot, 'bumpflow.config.example.yaml'));
    assert.deepEqual(config.targets, {
      atmosphere: {
        repo: 'https://github.com/vexxhost/atmosphere',
        varsFile: 'roles/defaults/vars/main.yml',
        images: ['ghcr.io/vexxhost/**'],
      },
    });
    assert.equal(config.registry.mirrors['ghcr.io'], 'https://ghcr-mirror.example.com');
    assert.deepEqual(config.credentials.registries['ghcr-mirror.example.com'], {
      usernameEnv: 'GHCR_MIRROR_USERNAME',
      passwordEnv: 'GHCR_MIRROR_TOKEN',
    });
    assert.equal(config.approval.timeout, '72h');
    assert.deepEqual(approvalPolicy(config), [
      { pattern: 'stable/*', required: true },
      { pattern: 'main', required: true },
    ]);
  });

  it('an empty file is an empty config (everything from the environment)', () => {
    const config = parseConfig('', 'empty.yaml');
    assert.deepEqual(config.targets, {});
    assert.deepEqual(approvalPolicy(config), []);
  });

  it('points at the key and line of each mistake', () => {
    refused(
      'targets:\n  atmosphere:\n    repo: 42\n',
      'targets.atmosphere.repo',
      3,
      /expected string, found 42$/,
    );
    refused(
      'targets:\n  atmosphere:\n    repo: github.com/vexxhost/atmosphere\n',
      'targets.atmosphere.repo',
      3,
      /expected a plain git URL: .*; found "github\.com\/vexxhost\/atmosphere"/,
    );
    refused(
      'targets:\n  atmosphere:\n    repo: https://github.com/vexxhost/atmosphere\n    branch: main\n',
      'targets.atmosphere.branch',
      4,
      /unknown key/,
    );
    refused(
      'registry:\n  mirrors:\n    ghcr.io: ftp://mirror\n',
      'registry.mirrors.ghcr.io',
      3,
      /expected an http\(s\) URL, found "ftp:\/\/mirror"/,
    );
    refused(
      'approval:\n  branches:\n    - pattern: main\n      required: true\n    - pattern: "stable/[0-9]"\n      required: true\n',
      'approval.branches.1.pattern',
      5,
      /expected a branch pattern/,
    );
    refused(
      'approval:\n  timeout: 3 days\n',
      'approval.timeout',
      2,
      /expected an approval timeout as a positive duration from 1s to 366d .*, found "3 days" \(cannot read "ays"\)/,
    );
    refused(
      'approval:\n  branches:\n    - pattern: main\n      required: yes please\n',
      'approval.branches.0.required',
      4,
      /expected boolean/i,
    );
    refused(
      'credentials:\n  github:\n    tokenEnv: ghp_notaname\n',
      'credentials.github.tokenEnv',
      3,
      /expected the NAME of an environment variable/,
    );
    refused('target:\n  atmosphere: {}\n', 'target', 1, /unknown key/);
  });

  it('refuses a secret written into the file, wherever it is', () => {
    refused(
      'credentials:\n  github:\n    token: ghp_0123456789\n',
      'credentials.github.token',
      3,
      /expected the name of an environment variable that holds the secret/,
    );
    refused(
      'credentials:\n  registries:\n    ghcr.io:\n      usernameEnv: U\n      password: hunter2\n',
      'credentials.registries.ghcr.io.password',
      5,
      /tokenEnv|passwordEnv|Env/,
    );
  });

  it('promotion.aliases: a key or alias that is not a tag names the file, the key path and its line', () => {
    refused(
      'promotion:\n  stamp: "{tag}-{date}-{revision:7}"\n  aliases:\n    prod: [latest, "la test"]\n',
      'promotion.aliases.prod.1',
      4,
      /expected a tag of .*, found "la test"$/,
    );
    refused(
      'promotion:\n  aliases:\n    prod: [latest]\n    "pr/od": [stable]\n',
      'promotion.aliases.pr/od',
      4,
      /expected a tag of .* as the key, found "pr\/od"$/,
    );
    assert.deepEqual(
      parseConfig('promotion:\n  aliases:\n    prod: [latest]\n', 'b.yaml').promotion.aliases,
      {
        prod: ['latest'],
      },
    );
  });

  it('refuses a webhook url with credentials in it, without showing them', () => {
    const text = (url: string) =>
      `notifications:\n  - name: ops\n    kind: webhook\n    url: ${url}\n    tokenEnv: HOOK_TOKEN\n`;
    refused(
      text('https://ops:hunter2@hooks.example.com/bumpflow'),
      'notifications.0.url',
      4,
      /expected a webhook URL without credentials: .*tokenEnv.*; found "https:\/\/\*\*\*@hooks\.example\.com\/bumpflow"$/,
    );
    assert.throws(
      () => parseConfig(text('https://token-only@hooks.example.com/x'), 'b.yaml'),
      (e: Error) => /without credentials/.test(e.message) && !/token-only/.test(e.message),
    );
    assert.throws(
      () => parseConfig(text('https://ops:hunter2@hooks.example.com/x'), 'b.yaml'),
      (e: Error) => !/hunter2|ops:/.test(e.message),
    );
    assert.equal(
      parseConfig(text('https://hooks.example.com/bumpflow'), 'b.yaml').notifications[0]?.url,
      'https://hooks.example.com/bumpflow',
    );
  });

  it('refuses YAML that does not parse, with its line', () => {
    assert.throws(
      () => parseConfig('targets:\n  a: [\n', 'x.yaml'),
      /^ConfigError: x\.yaml:\d+: \(top level\): expected valid YAML/,
    );
    assert.throws(
      () => loadConfig('/nonexistent/bumpflow.yaml'),
      /expected a readable config file, found ENOENT/,
    );
  });

  it('fills the worker environment from the sources it names; the environment wins', () => {
    const config = parseConfig(
      [
        'registry:',
        '  mirrors:',
        '    ghcr.io: http://127.0.0.1:5000',
        'credentials:',
        '  github:',
        '    tokenEnv: BOT_TOKEN',
        '    apiUrl: https://github.example.com/api/v3',
        '  registries:',
        '    ghcr.io: { usernameEnv: GHCR_USER, passwordEnv: GHCR_PASS }',
      ].join('\n'),
      'c.yaml',
    );
    const env = workerEnvironment(config, {
      BOT_TOKEN: 'tok-123456',
      GHCR_USER: 'bot',
      GHCR_PASS: 'pw-123456',
    });
    assert.equal(env.GITHUB_TOKEN, 'tok-123456');
    assert.equal(env.GITHUB_API_URL, 'https://github.example.com/api/v3');
    assert.equal(env.BUMPFLOW_REGISTRY_MIRRORS, 'ghcr.io=http://127.0.0.1:5000');
    assert.deepEqual(JSON.parse(env.BUMPFLOW_REGISTRY_AUTH!), {
      'ghcr.io': { username: 'bot', password: 'pw-123456' },
    });
    const explicit = workerEnvironment(config, {
      GITHUB_TOKEN: 'set-directly',
      BUMPFLOW_REGISTRY_MIRRORS: 'ghcr.io=http://other:1',
      BOT_TOKEN: 'tok-123456',
    });
    assert.equal(explicit.GITHUB_TOKEN, 'set-directly');
    assert.equal(explicit.BUMPFLOW_REGISTRY_MIRRORS, 'ghcr.io=http://other:1');
    assert.equal(
      explicit.BUMPFLOW_REGISTRY_AUTH,
      undefined,
      'no credentials when the named variables are unset',
    );
  });
});

describe('approval policy', () => {
  it('matches branch globs: * within a segment, ** across', () => {
    assert.equal(branchMatches('stable/*', 'stable/2025.1'), true);
    assert.equal(branchMatches('stable/*', 'stable/2025.1/hotfix'), false);
    assert.equal(branchMatches('stable/**', 'stable/2025.1/hotfix'), true);
    assert.equal(branchMatches('main', 'main'), true);
    assert.equal(branchMatches('main', 'mainline'), false);
    assert.equal(branchMatches('stable/2025.1', 'stable/2025x1'), false, 'a dot is a dot');
    assert.equal(patternProblem('stable/[0-9]*')?.includes('expected a branch pattern'), true);
    assert.equal(patternProblem('stable/*'), undefined);
  });

  it('the first matching rule decides; unmatched branches need approval', () => {
    const rules = [
      { pattern: 'stable/2023.1', required: false },
      { pattern: 'stable/*', required: true },
      { pattern: 'main', required: false },
    ];
    assert.deepEqual(approvalFor(rules, 'stable/2023.1'), { required: false, rule: rules[0] });
    assert.deepEqual(approvalFor(rules, 'stable/2025.1'), { required: true, rule: rules[1] });
    assert.deepEqual(approvalFor(rules, 'main'), { required: false, rule: rules[2] });
    assert.deepEqual(approvalFor(rules, 'feature/x'), { required: true });
    assert.deepEqual(approvalFor([], 'main'), { required: true });
  });
});
