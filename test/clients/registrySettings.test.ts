/** Registry mirrors and credentials from the worker's environment and docker config.json. */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { credentialsFromEnvironment, mirrorsFromEnvironment } from '../../src/clients/registry/index.js';
import { FatalFailure } from '../../src/shared/failures.js';
import { rejectsWith } from './registryHelpers.js';

void describe('registry settings from the environment', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'bumpflow-docker-config-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  void test('credentialsFromEnvironment reads BUMPFLOW_REGISTRY_AUTH first, then a docker config.json', async () => {
    await writeFile(
      path.join(dir, 'config.json'),
      JSON.stringify({
        auths: {
          'ghcr.io': { auth: Buffer.from('file-user:file-pat').toString('base64') },
          'quay.io': { auth: Buffer.from('quay-bot:quay:pw').toString('base64') },
          'https://index.docker.io/v1/': { username: 'hub-user', password: 'hub-pw' },
          'registry.example.com': {
            auth: Buffer.from('oauth:').toString('base64'),
            identitytoken: 'refresh-token',
          },
        },
        credsStore: 'desktop',
      }),
    );
    const env = {
      DOCKER_CONFIG: dir,
      BUMPFLOW_REGISTRY_AUTH: JSON.stringify({
        'ghcr.io': { username: 'env-user', password: 'env-pat' },
        'harbor.local:8443': { token: 'env-token' },
      }),
    };
    const lookup = credentialsFromEnvironment(env);
    assert.deepEqual(
      lookup('ghcr.io'),
      { username: 'env-user', password: 'env-pat' },
      'the environment wins',
    );
    assert.deepEqual(lookup('quay.io'), { username: 'quay-bot', password: 'quay:pw' });
    assert.deepEqual(lookup('docker.io'), { username: 'hub-user', password: 'hub-pw' });
    assert.deepEqual(lookup('registry.example.com'), { identityToken: 'refresh-token', username: 'oauth' });
    assert.deepEqual(lookup('harbor.local:8443'), { token: 'env-token' });
    assert.equal(lookup('gcr.io'), undefined);

    const fileOnly = credentialsFromEnvironment({ DOCKER_CONFIG: dir });
    assert.deepEqual(fileOnly('ghcr.io'), { username: 'file-user', password: 'file-pat' });

    const nothing = credentialsFromEnvironment({ DOCKER_CONFIG: path.join(dir, 'absent') });
    assert.equal(nothing('ghcr.io'), undefined);
  });

  void test('credentialsFromEnvironment rejects malformed input without echoing secrets', async () => {
    const notJson = await rejectsWith(
      Promise.resolve().then(() =>
        credentialsFromEnvironment({
          DOCKER_CONFIG: dir,
          BUMPFLOW_REGISTRY_AUTH: '{"ghcr.io": {"password": "leaky-1"',
        }),
      ),
      FatalFailure.BadInput,
    );
    assert.ok(!notJson.message.includes('leaky-1'));
    const badEntry = await rejectsWith(
      Promise.resolve().then(() =>
        credentialsFromEnvironment({
          DOCKER_CONFIG: dir,
          BUMPFLOW_REGISTRY_AUTH: JSON.stringify({ 'ghcr.io': { password: 'leaky-2' } }),
        }),
      ),
      FatalFailure.BadInput,
    );
    assert.match(badEntry.message, /"ghcr\.io"/);
    assert.ok(!badEntry.message.includes('leaky-2'));

    const broken = path.join(dir, 'broken');
    await mkdir(broken);
    await writeFile(
      path.join(broken, 'config.json'),
      JSON.stringify({ auths: { 'ghcr.io': { auth: Buffer.from('no-colon-leaky-3').toString('base64') } } }),
    );
    const badFile = await rejectsWith(
      Promise.resolve().then(() => credentialsFromEnvironment({ DOCKER_CONFIG: broken })),
      FatalFailure.BadInput,
    );
    assert.match(badFile.message, /ghcr\.io/);
    assert.ok(!badFile.message.includes('leaky-3'));
  });

  void test('mirrorsFromEnvironment parses host=url pairs and rejects garbage', async () => {
    assert.deepEqual(
      mirrorsFromEnvironment({
        BUMPFLOW_REGISTRY_MIRRORS: 'ghcr.io=http://127.0.0.1:5000,quay.io=https://mirror.local',
      }),
      {
        'ghcr.io': [{ url: 'http://127.0.0.1:5000' }],
        'quay.io': [{ url: 'https://mirror.local' }],
      },
    );
    assert.deepEqual(
      mirrorsFromEnvironment({ BUMPFLOW_REGISTRY_MIRRORS: ' GHCR.io = https://mirror.local/ghcr/ , ' }),
      { 'ghcr.io': [{ url: 'https://mirror.local/ghcr' }] },
    );
    assert.deepEqual(mirrorsFromEnvironment({}), {});
    assert.deepEqual(mirrorsFromEnvironment({ BUMPFLOW_REGISTRY_MIRRORS: '  ' }), {});
    for (const garbage of [
      'ghcr.io',
      'ghcr.io=',
      '=http://127.0.0.1:5000',
      'ghcr.io=ftp://mirror',
      'ghcr.io=127.0.0.1:5000',
      'ghcr io=http://x',
      'ghcr.io=http://a,ghcr.io=http://b',
      'ghcr.io=http://x/?q=1',
    ]) {
      const err = await rejectsWith(
        Promise.resolve().then(() => mirrorsFromEnvironment({ BUMPFLOW_REGISTRY_MIRRORS: garbage })),
        FatalFailure.BadInput,
      );
      assert.match(err.message, /BUMPFLOW_REGISTRY_MIRRORS/);
    }
    const withPassword = await rejectsWith(
      Promise.resolve().then(() =>
        mirrorsFromEnvironment({ BUMPFLOW_REGISTRY_MIRRORS: 'ghcr.io=https://u:hunter2@mirror' }),
      ),
      FatalFailure.BadInput,
    );
    assert.ok(!withPassword.message.includes('hunter2'));
  });
});
