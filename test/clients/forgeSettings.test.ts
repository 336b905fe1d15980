/** Forge settings and repository URLs: parseRepoUrl, forgeOptionsFromEnvironment, createForge's checks. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createForge, forgeOptionsFromEnvironment, parseRepoUrl } from '../../src/clients/forge/index.js';
import { BumpflowError, FatalFailure } from '../../src/shared/failures.js';
import { TOKEN } from './forgeSupport.js';

void describe('parseRepoUrl', () => {
  for (const [url, expected] of [
    ['https://github.com/vexxhost/atmosphere', { host: 'github.com', owner: 'vexxhost', repo: 'atmosphere' }],
    [
      'https://github.com/vexxhost/atmosphere.git',
      { host: 'github.com', owner: 'vexxhost', repo: 'atmosphere' },
    ],
    [
      'https://github.com/vexxhost/docker-magnum/',
      { host: 'github.com', owner: 'vexxhost', repo: 'docker-magnum' },
    ],
    [
      'https://x-access-token:secret@GitHub.com/vexxhost/atmosphere.git',
      { host: 'github.com', owner: 'vexxhost', repo: 'atmosphere' },
    ],
    ['git@github.com:vexxhost/atmosphere.git', { host: 'github.com', owner: 'vexxhost', repo: 'atmosphere' }],
    [
      'ssh://git@ghe.example.com/vexxhost/magnum-cluster-api.git',
      { host: 'ghe.example.com', owner: 'vexxhost', repo: 'magnum-cluster-api' },
    ],
    ['  https://github.com/openstack/oslo.db  ', { host: 'github.com', owner: 'openstack', repo: 'oslo.db' }],
  ] as const) {
    void test(`parses ${url.trim()}`, () => {
      assert.deepEqual(parseRepoUrl(url), expected);
    });
  }

  for (const url of [
    '',
    'vexxhost/atmosphere',
    'https://github.com/vexxhost',
    'https://github.com/vexxhost/atmosphere/tree/main',
    'file:///srv/git/atmosphere.git',
    'https://github.com/-bad/x',
  ]) {
    void test(`refuses ${JSON.stringify(url)} as BadInput`, () => {
      assert.throws(
        () => parseRepoUrl(url),
        (err: unknown) =>
          err instanceof BumpflowError &&
          err.type === FatalFailure.BadInput &&
          err.message.includes(JSON.stringify(url)),
      );
    });
  }

  void test('never echoes credentials of a URL it refuses', () => {
    assert.throws(
      () => parseRepoUrl('https://user:hunter2@github.com/only-owner'),
      (err: unknown) =>
        err instanceof BumpflowError &&
        !err.message.includes('hunter2') &&
        err.message.includes('https://github.com/only-owner'),
    );
  });
});

void describe('settings', () => {
  void test('forgeOptionsFromEnvironment: GITHUB_API_URL, GITHUB_TOKEN, GH_TOKEN as fallback', () => {
    assert.deepEqual(forgeOptionsFromEnvironment({}), {});
    assert.deepEqual(
      forgeOptionsFromEnvironment({
        GITHUB_API_URL: 'https://ghe.example.com/api/v3',
        GITHUB_TOKEN: 't1',
        GH_TOKEN: 't2',
      }),
      {
        baseUrl: 'https://ghe.example.com/api/v3',
        token: 't1',
      },
    );
    assert.deepEqual(forgeOptionsFromEnvironment({ GH_TOKEN: 't2\n' }), { token: 't2' });
    assert.deepEqual(forgeOptionsFromEnvironment({ GITHUB_TOKEN: '', GH_TOKEN: 't2', GITHUB_API_URL: ' ' }), {
      token: 't2',
    });
  });

  void test('createForge refuses a base URL that is not a plain http(s) URL, without echoing credentials', () => {
    for (const baseUrl of [
      'api.github.com',
      'ftp://ghe.example.com',
      'https://u:hunter2@ghe.example.com/api/v3',
    ]) {
      assert.throws(
        () => createForge({ baseUrl, token: TOKEN }),
        (err: unknown) =>
          err instanceof BumpflowError &&
          err.type === FatalFailure.BadInput &&
          !err.message.includes('hunter2') &&
          !err.message.includes(TOKEN),
      );
    }
    assert.throws(
      () => createForge({ baseUrl: 'https://ghe.example.com/api/v3', timeoutMs: 0 }),
      (err: unknown) => err instanceof BumpflowError && err.type === FatalFailure.BadInput,
    );
  });
});
