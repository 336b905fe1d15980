/**
 * The registry client against a real distribution registry (Debian's
 * docker-registry 2.8) with bearer-token auth, as ghcr.io, quay.io and
 * Docker Hub do it: the registry answers 401 with a Bearer challenge, the
 * loopback token issuer (src/sandbox/tokenIssuer.ts) grants per user and
 * repository, the registry verifies each token's x5c chain against its
 * rootcertbundle. The client is built as the worker builds it (mirrors and
 * credentials from the environment); skopeo, which does the token flow
 * itself, cross-checks every result.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  createRegistryClient,
  credentialsFromEnvironment,
  mirrorsFromEnvironment,
  type RegistryClient,
} from '../../src/clients/registry/index.js';
import { FatalFailure } from '../../src/shared/failures.js';
import { imageLabels, pushLabelledImage, type ImageLabels } from '../../src/sandbox/images.js';
import { startRegistry, type RunningRegistry } from '../../src/sandbox/registry.js';
import { startTokenIssuer, type RunningTokenIssuer } from '../../src/sandbox/tokenIssuer.js';
import { rejectsWith, skopeo } from './registryHelpers.js';

const SERVICE = 'bumpflow-test-registry';
const WRITER = { username: 'bumpflow', password: 'pw-token-5b0e2c71' };
const READER = { username: 'reader', password: 'pw-reader-9d4a1f06' };
const REPOSITORY = 'vexxhost/magnum';
const LABELS: ImageLabels = {
  source: 'https://github.com/vexxhost/docker-magnum',
  revision: '3f2a9c1d5e7b8a60c0ffee0123456789abcdef01',
  version: 'main',
};

void describe('the registry client through a real registry with bearer-token auth', () => {
  let issuer: RunningTokenIssuer;
  let registry: RunningRegistry;
  let dockerConfig: string;
  /** registry requests (not token requests) the clients made */
  let registryRequests = 0;

  /** A client as the worker builds it: mirrors and credentials from the environment. */
  function clientWith(creds: { username: string; password: string } | undefined): RegistryClient {
    const env: NodeJS.ProcessEnv = {
      DOCKER_CONFIG: dockerConfig,
      BUMPFLOW_REGISTRY_MIRRORS: `ghcr.io=${registry.url}`,
      // credentials of the endpoint contacted: the mirror's host, not ghcr.io
      ...(creds ? { BUMPFLOW_REGISTRY_AUTH: JSON.stringify({ [registry.host]: creds }) } : {}),
    };
    return createRegistryClient({
      mirrors: mirrorsFromEnvironment(env),
      credentials: credentialsFromEnvironment(env),
      fetch: (input, init) => {
        if (String(input instanceof Request ? input.url : input).startsWith(registry.url)) registryRequests++;
        return fetch(input, init);
      },
    });
  }
  const repo = (repository = REPOSITORY) => ({ registry: 'ghcr.io', repository });
  const ref = (repository = REPOSITORY) => `docker://${registry.host}/${repository}`;
  const creds = (u: { username: string; password: string }) => [
    '--tls-verify=false',
    '--creds',
    `${u.username}:${u.password}`,
  ];
  const skopeoTags = async (repository = REPOSITORY): Promise<string[]> =>
    (
      JSON.parse(await skopeo(['list-tags', ...creds(WRITER), ref(repository)])) as { Tags: string[] }
    ).Tags.sort();
  const skopeoDigest = async (tag: string): Promise<string> =>
    (await skopeo(['inspect', ...creds(WRITER), '--format', '{{.Digest}}', `${ref()}:${tag}`])).trim();
  /** Token requests since the last call, and forget them. */
  const takeTokenRequests = () => issuer.requests.splice(0);

  before(async () => {
    dockerConfig = await mkdtemp(path.join(os.tmpdir(), 'bumpflow-docker-config-'));
    issuer = await startTokenIssuer({
      service: SERVICE,
      users: [
        { ...WRITER, grants: { '*': ['pull', 'push', 'delete'] } },
        { ...READER, grants: { [REPOSITORY]: ['pull'] } },
      ],
    });
    registry = await startRegistry({ tokenAuth: issuer.tokenAuth });
  });
  after(async () => {
    await registry?.close();
    await issuer?.close();
    if (dockerConfig) await rm(dockerConfig, { recursive: true, force: true });
  });

  void test('pushes a labelled index, lists, resolves and reads labels, one token per scope', async () => {
    const client = clientWith(WRITER);
    takeTokenRequests();
    registryRequests = 0;
    const { digest } = await pushLabelledImage(client, { ...repo(), tag: 'main' }, LABELS);
    const pushTokens = takeTokenRequests();
    assert.ok(registryRequests > 20, `an index push is many requests, found ${registryRequests}`);
    assert.ok(
      pushTokens.length >= 1 && pushTokens.length <= 2,
      `tokens cached per scope, found ${pushTokens.length}`,
    );
    for (const t of pushTokens) {
      assert.equal(t.status, 200);
      assert.equal(t.account, WRITER.username);
      assert.equal(t.service, SERVICE);
      assert.ok(t.scopes.includes(`repository:${REPOSITORY}:pull,push`), `asked ${t.scopes.join(' ')}`);
      assert.deepEqual(t.granted, [{ type: 'repository', name: REPOSITORY, actions: ['pull', 'push'] }]);
    }

    const reads = async () => {
      assert.equal(await client.resolveDigest({ ...repo(), tag: 'main' }), digest);
      assert.equal((await client.getManifest({ ...repo(), digest })).digest, digest);
      assert.deepEqual(await client.listTags(repo()), ['main']);
      const config = await client.getImageConfig({ ...repo(), tag: 'main' });
      assert.deepEqual(config.labels, imageLabels(LABELS));
    };
    await reads();
    const pullTokens = takeTokenRequests();
    assert.deepEqual(
      pullTokens.map((t) => t.scopes),
      [[`repository:${REPOSITORY}:pull`]],
      'one pull token for every read',
    );
    assert.deepEqual(pullTokens[0]!.granted, [{ type: 'repository', name: REPOSITORY, actions: ['pull'] }]);
    registryRequests = 0;
    await reads();
    // what a tag names went to the registry again (HEAD, tag list, GET by tag); what a digest names came from the client's cache
    assert.equal(registryRequests, 3, `the tag reads went to the registry, found ${registryRequests}`);
    assert.deepEqual(takeTokenRequests(), [], 'the cached tokens serve the same reads again');

    // skopeo (its own token flow) sees the same.
    assert.equal(await skopeoDigest('main'), digest);
    assert.deepEqual(await skopeoTags(), ['main']);
    const inspected = JSON.parse(await skopeo(['inspect', ...creds(WRITER), `${ref()}:main`])) as {
      Labels: Record<string, string>;
    };
    assert.deepEqual(inspected.Labels, imageLabels(LABELS), 'the labels skopeo reads (linux/amd64)');
    const skopeoTokens = takeTokenRequests();
    assert.ok(
      skopeoTokens.length > 0 && skopeoTokens.every((t) => t.status === 200 && t.account === WRITER.username),
    );
  });

  void test('writes a tag create-only and moves one with the push scope', async () => {
    const client = clientWith(WRITER);
    takeTokenRequests();
    const one = await pushLabelledImage(client, { ...repo(), tag: 'build-1' }, LABELS, { salt: '1' });
    const two = await pushLabelledImage(client, { ...repo(), tag: 'build-2' }, LABELS, { salt: '2' });
    const write = { ...repo(), digest: one.digest, tag: 'stamp-2026.12.01' };
    assert.deepEqual(await client.tagCreateOnly(write), {
      tag: write.tag,
      digest: one.digest,
      outcome: 'created',
    });
    assert.equal((await client.tagCreateOnly(write)).outcome, 'unchanged');
    await rejectsWith(client.tagCreateOnly({ ...write, digest: two.digest }), FatalFailure.TagExists);
    assert.equal(await skopeoDigest(write.tag), one.digest, 'left where it was');

    const prod = { ...repo(), tag: 'prod' };
    assert.equal((await client.moveTag({ ...prod, digest: one.digest })).outcome, 'created');
    assert.deepEqual(await client.moveTag({ ...prod, digest: two.digest }), {
      tag: 'prod',
      digest: two.digest,
      previousDigest: one.digest,
      outcome: 'moved',
    });
    assert.equal(await skopeoDigest('prod'), two.digest);
    const mine = takeTokenRequests()
      .filter((t) => t.userAgent === 'bumpflow')
      .map((t) => `${t.status} ${t.scopes.join(' ')}`);
    assert.ok(
      mine.length >= 1 && mine.length <= 2,
      `a token per scope (pull, pull,push), found ${mine.join('; ')}`,
    );
    assert.equal(new Set(mine).size, mine.length, `no scope fetched twice: ${mine.join('; ')}`);
    assert.ok(mine.every((t) => t.startsWith('200 ')));
  });

  void test('deletes a tag safely with the delete scope', async () => {
    const client = clientWith(WRITER);
    const repository = 'vexxhost/cleanup';
    const tmp = await pushLabelledImage(client, { ...repo(repository), tag: 'pr-17' }, LABELS, {
      salt: 'pr',
    });
    const kept = await pushLabelledImage(client, { ...repo(repository), tag: 'main' }, LABELS, {
      salt: 'main',
    });
    takeTokenRequests();
    const deleted = await client.deleteTagSafely({ ...repo(repository), tag: 'pr-17' });
    assert.deepEqual(deleted, {
      tag: 'pr-17',
      digest: tmp.digest,
      outcome: 'deleted',
      tagsRemoved: ['pr-17'],
    });
    const deleteTokens = takeTokenRequests().filter((t) =>
      t.scopes.includes(`repository:${repository}:delete`),
    );
    assert.equal(deleteTokens.length, 1, 'one delete token');
    assert.deepEqual(deleteTokens[0]!.granted, [
      { type: 'repository', name: repository, actions: ['delete'] },
    ]);
    assert.deepEqual(await skopeoTags(repository), ['main']);
    await rejectsWith(
      client.getManifest({ ...repo(repository), digest: tmp.digest }),
      FatalFailure.ManifestUnknown,
    );
    assert.equal(await client.resolveDigest({ ...repo(repository), tag: 'main' }), kept.digest);
  });

  void test('refuses a wrong password, no credentials, and writes by a pull-only user (AuthRefused)', async () => {
    const { digest } = await pushLabelledImage(clientWith(WRITER), { ...repo(), tag: 'guarded' }, LABELS, {
      salt: 'guarded',
    });
    const tagsBefore = await skopeoTags();
    takeTokenRequests();

    const wrong = await rejectsWith(
      clientWith({ ...WRITER, password: 'not-the-password' }).resolveDigest({ ...repo(), tag: 'guarded' }),
      FatalFailure.AuthRefused,
    );
    assert.equal(wrong.retryable, false);
    assert.match(wrong.message, /token service/);
    assert.doesNotMatch(wrong.message, /not-the-password|pw-token/, 'no secret in the message');
    await rejectsWith(
      clientWith(undefined).resolveDigest({ ...repo(), tag: 'guarded' }),
      FatalFailure.AuthRefused,
    );
    assert.deepEqual(
      takeTokenRequests().map((t) => [t.account, t.status]),
      [
        [WRITER.username, 401],
        [undefined, 401],
      ],
    );

    const reader = clientWith(READER);
    assert.equal(await reader.resolveDigest({ ...repo(), tag: 'guarded' }), digest, 'the reader may pull');
    const push = await rejectsWith(
      reader.moveTag({ ...repo(), digest, tag: 'reader-was-here' }),
      FatalFailure.AuthRefused,
    );
    assert.doesNotMatch(push.message, new RegExp(READER.password));
    await rejectsWith(
      reader.pushBlob(repo(), Buffer.from('a blob the reader may not push')),
      FatalFailure.AuthRefused,
    );
    await rejectsWith(reader.deleteTagSafely({ ...repo(), tag: 'guarded' }), FatalFailure.AuthRefused);
    await rejectsWith(
      reader.resolveDigest({ ...repo('vexxhost/cleanup'), tag: 'main' }),
      FatalFailure.AuthRefused,
    );
    const readerTokens = takeTokenRequests();
    assert.ok(readerTokens.every((t) => t.status === 200 && t.account === READER.username));
    assert.ok(
      readerTokens.every((t) =>
        t.granted.every(
          (g) => (g.name === REPOSITORY && g.actions.join() === 'pull') || g.actions.length === 0,
        ),
      ),
      `the reader was granted pull on ${REPOSITORY} only: ${JSON.stringify(readerTokens.map((t) => t.granted))}`,
    );
    assert.deepEqual(await skopeoTags(), tagsBefore, 'nothing changed');
    assert.equal(await skopeoDigest('guarded'), digest);
  });

  void test('the registry refuses a token signed by a certificate outside its bundle', async () => {
    const stranger = await startTokenIssuer({
      service: SERVICE,
      users: [{ ...WRITER, grants: { '*': ['pull'] } }],
    });
    try {
      const tokenFrom = async (realm: string): Promise<string> => {
        const url = `${realm}?service=${SERVICE}&scope=repository:${REPOSITORY}:pull`;
        const basic = Buffer.from(`${WRITER.username}:${WRITER.password}`).toString('base64');
        const res = await fetch(url, { headers: { authorization: `Basic ${basic}` } });
        assert.equal(res.status, 200);
        return ((await res.json()) as { token: string }).token;
      };
      const tagsWith = (token: string) =>
        fetch(`${registry.url}/v2/${REPOSITORY}/tags/list`, {
          headers: { authorization: `Bearer ${token}` },
        });
      const trusted = await tagsWith(await tokenFrom(issuer.realm));
      assert.equal(trusted.status, 200, 'the trusted issuer’s token works');
      await trusted.body?.cancel();
      const untrusted = await tagsWith(await tokenFrom(stranger.realm));
      assert.equal(untrusted.status, 401, 'a chain to another root does not');
      await untrusted.body?.cancel();
    } finally {
      await stranger.close();
    }
  });
});
