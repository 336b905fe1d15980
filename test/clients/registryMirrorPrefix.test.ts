/**
 * Mirrors whose names carry a repository prefix, on real parts: a real
 * distribution registry holding host-prefixed names (`/v2/ghcr.io/vexxhost/
 * nova/…`) read and written as `ghcr.io/vexxhost/nova` through the prefix
 * `ghcr.io`; and a Harbor-style proxy project (src/sandbox/prefixFront.ts:
 * `/v2/ghcr-proxy/<name>/…`, its challenges and token realm naming the
 * prefixed name) before a registry with bearer-token auth, where the client
 * asks for the prefixed scope with the mirror's own credentials and never
 * ghcr.io's. skopeo, reading the registries directly, cross-checks.
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
import { generateKeyPair, signImage } from '../../src/sandbox/cosign.js';
import { imageLabels, pushLabelledImage, type ImageLabels } from '../../src/sandbox/images.js';
import { startPrefixFront, type RunningPrefixFront } from '../../src/sandbox/prefixFront.js';
import { startRegistry, type RunningRegistry } from '../../src/sandbox/registry.js';
import { startTokenIssuer, type RunningTokenIssuer } from '../../src/sandbox/tokenIssuer.js';
import { rejectsWith, skopeo } from './registryHelpers.js';

const NAME = 'vexxhost/nova';
const LABELS: ImageLabels = {
  source: 'https://github.com/vexxhost/docker-nova',
  revision: '9b1d3c5e7f9a1b3c5d7e9f1a3b5c7d9e1f3a5b7c',
  version: '2025.1',
};
const ghcr = (tag: string, repository = NAME) => ({ registry: 'ghcr.io', repository, tag });
const noCreds = ['--tls-verify=false', '--no-creds'];

/** A client recording the path of every request it sends. */
function recordingClient(
  mirrors: string,
  paths: string[],
  extra: { credentials?: (host: string) => undefined } = {},
): RegistryClient {
  return createRegistryClient({
    mirrors: mirrorsFromEnvironment({ BUMPFLOW_REGISTRY_MIRRORS: mirrors }),
    fetch: (input, init) => {
      paths.push(new URL(input instanceof Request ? input.url : String(input)).pathname);
      return fetch(input, init);
    },
    ...extra,
  });
}

void describe('a registry holding host-prefixed names, through a mirror with the prefix ghcr.io', () => {
  let registry: RunningRegistry;
  let keyDir: string;
  let digest: string;
  const skopeoDigest = async (repository: string, tag: string) =>
    (
      await skopeo([
        'inspect',
        ...noCreds,
        '--format',
        '{{.Digest}}',
        `docker://${registry.host}/${repository}:${tag}`,
      ])
    ).trim();

  before(async () => {
    registry = await startRegistry();
    // pushed under the repository name ghcr.io/vexxhost/nova, directly (no mirror, no prefix involved)
    const direct = createRegistryClient();
    ({ digest } = await pushLabelledImage(
      direct,
      { registry: registry.host, repository: `ghcr.io/${NAME}`, tag: '2025.1' },
      LABELS,
    ));
    keyDir = await mkdtemp(path.join(os.tmpdir(), 'bumpflow-prefix-key-'));
    const key = await generateKeyPair(keyDir);
    await signImage({
      ref: `${registry.host}/ghcr.io/${NAME}@${digest}`,
      key: key.privateKeyPath,
      password: key.password,
    });
  });
  after(async () => {
    await registry?.close();
    if (keyDir) await rm(keyDir, { recursive: true, force: true });
  });

  void test('resolves, reads, lists and finds signatures of ghcr.io/vexxhost/nova:2025.1 at /v2/ghcr.io/vexxhost/nova', async () => {
    assert.equal(
      await skopeoDigest(`ghcr.io/${NAME}`, '2025.1'),
      digest,
      'skopeo: the registry holds the prefixed name',
    );
    const paths: string[] = [];
    const client = recordingClient(`ghcr.io=${registry.url};prefix=ghcr.io`, paths);
    assert.equal(await client.resolveDigest(ghcr('2025.1')), digest);
    const config = await client.getImageConfig(ghcr('2025.1'));
    assert.deepEqual(config.labels, imageLabels(LABELS));
    assert.deepEqual((await client.listTags(ghcr('2025.1'))).sort(), [
      '2025.1',
      `${digest.replace(':', '-')}.sig`,
    ]);
    const signatures = await client.findSignatures({ registry: 'ghcr.io', repository: NAME, digest });
    assert.deepEqual(
      signatures.map((s) => s.source),
      ['sig-tag'],
    );
    assert.ok(paths.length > 5, `requests were made, found ${paths.length}`);
    for (const p of paths)
      assert.ok(p.startsWith(`/v2/ghcr.io/${NAME}/`), `a request outside the prefix: ${p}`);

    // the same mirror without the prefix does not reach the image: the prefix is what does
    const flat = recordingClient(`ghcr.io=${registry.url}`, []);
    const err = await rejectsWith(flat.resolveDigest(ghcr('2025.1')), FatalFailure.ManifestUnknown);
    assert.match(err.message, /ghcr\.io\/vexxhost\/nova:2025\.1/);
  });

  void test('writes through the prefix land under the prefixed name: a tag, and a copy that mounts from the prefixed source', async () => {
    const paths: string[] = [];
    const client = recordingClient(`ghcr.io=${registry.url};prefix=ghcr.io`, paths);
    const written = await client.moveTag({ registry: 'ghcr.io', repository: NAME, digest, tag: 'stable' });
    assert.equal(written.outcome, 'created');
    assert.equal(await skopeoDigest(`ghcr.io/${NAME}`, 'stable'), digest);

    const copy = await client.copyImage({
      from: { registry: 'ghcr.io', repository: NAME, digest },
      to: { registry: 'ghcr.io', repository: 'vexxhost/nova-copy', tag: '1' },
    });
    assert.ok(
      copy.blobs.mounted > 0,
      `blobs mounted from ghcr.io/${NAME}, found ${JSON.stringify(copy.blobs)}`,
    );
    assert.equal(copy.blobs.uploaded, 0, 'nothing streamed: every mount named the prefixed source');
    assert.equal(await skopeoDigest('ghcr.io/vexxhost/nova-copy', '1'), digest);
    for (const p of paths) assert.match(p, /^\/v2\/ghcr\.io\/vexxhost\/nova(-copy)?\//);
    // and nothing was written under the bare names
    await assert.rejects(skopeo(['list-tags', ...noCreds, `docker://${registry.host}/${NAME}`]));
  });
});

void describe('a Harbor-style proxy project (names under ghcr-proxy/) before a registry with token auth', () => {
  const SERVICE = 'bumpflow-prefix-registry';
  const MIRROR = { username: 'harbor-robot', password: 'pw-mirror-4e1b7a9c' };
  const GHCR = { username: 'ghcr-bot', password: 'pw-ghcr-never-sent-5d2f' };
  let issuer: RunningTokenIssuer;
  let registry: RunningRegistry;
  let front: RunningPrefixFront;
  let dockerConfig: string;
  let digest: string;
  const skopeoCreds = ['--tls-verify=false', '--creds', `${MIRROR.username}:${MIRROR.password}`];

  /** A client as the worker builds it, from the environment, recording which hosts' credentials it looked up. */
  function workerClient(prefix: string, asked: Set<string>): RegistryClient {
    const env: NodeJS.ProcessEnv = {
      DOCKER_CONFIG: dockerConfig,
      BUMPFLOW_REGISTRY_MIRRORS: `ghcr.io=${front.url};prefix=${prefix}`,
      // the mirror's own credentials under its host, and ghcr.io's, which must never go to the mirror
      BUMPFLOW_REGISTRY_AUTH: JSON.stringify({ [front.host]: MIRROR, 'ghcr.io': GHCR }),
    };
    const lookup = credentialsFromEnvironment(env);
    return createRegistryClient({
      mirrors: mirrorsFromEnvironment(env),
      credentials: (host) => {
        asked.add(host);
        return lookup(host);
      },
    });
  }

  before(async () => {
    dockerConfig = await mkdtemp(path.join(os.tmpdir(), 'bumpflow-docker-config-'));
    issuer = await startTokenIssuer({
      service: SERVICE,
      // ghcr.io's user is valid at the token service too: a leak would work, and only the records can tell
      users: [
        { ...MIRROR, grants: { '*': ['pull', 'push'] } },
        { ...GHCR, grants: { '*': ['pull', 'push'] } },
      ],
    });
    registry = await startRegistry({ tokenAuth: issuer.tokenAuth });
    front = await startPrefixFront({ upstream: registry.url, prefix: 'ghcr-proxy' });
    const direct = createRegistryClient({
      credentials: (host) => (host === registry.host ? MIRROR : undefined),
    });
    ({ digest } = await pushLabelledImage(
      direct,
      { registry: registry.host, repository: NAME, tag: '2025.1' },
      LABELS,
    ));
    issuer.requests.splice(0);
  });
  after(async () => {
    await front?.close();
    await registry?.close();
    await issuer?.close();
    if (dockerConfig) await rm(dockerConfig, { recursive: true, force: true });
  });

  void test("reads ghcr.io/vexxhost/nova at /v2/ghcr-proxy/vexxhost/nova with the mirror's credentials and the prefixed scope", async () => {
    const asked = new Set<string>();
    const client = workerClient('ghcr-proxy', asked);
    assert.equal(await client.resolveDigest(ghcr('2025.1')), digest);
    assert.deepEqual((await client.getImageConfig(ghcr('2025.1'))).labels, imageLabels(LABELS));
    assert.deepEqual(await client.listTags(ghcr('2025.1')), ['2025.1']);

    const registryPaths = front.requests.filter((r) => !r.url.startsWith('/service/token'));
    assert.ok(registryPaths.length >= 3);
    for (const r of registryPaths) assert.ok(r.url.startsWith(`/v2/ghcr-proxy/${NAME}/`), r.url);
    const tokenAsks = front.requests.filter((r) => r.url.startsWith('/service/token'));
    assert.ok(tokenAsks.length >= 1, 'the token came from the realm the front named');
    for (const r of tokenAsks) {
      const scopes = new URL(r.url, front.url).searchParams.getAll('scope');
      assert.ok(
        scopes.includes(`repository:ghcr-proxy/${NAME}:pull`),
        `the prefixed scope, found ${scopes.join(' ')}`,
      );
      for (const scope of scopes) assert.match(scope, /^repository:ghcr-proxy\//, 'only names on the mirror');
      assert.equal(r.status, 200);
    }
    const issued = issuer.requests.splice(0);
    assert.ok(issued.length >= 1);
    for (const t of issued) {
      assert.equal(t.account, MIRROR.username, "the mirror's user, never ghcr.io's");
      assert.deepEqual(t.granted, [{ type: 'repository', name: NAME, actions: ['pull'] }]);
    }
    // whose credentials: only the mirror's host was ever looked up; no request carried ghcr.io's
    assert.deepEqual([...asked], [front.host]);
    for (const r of front.requests) {
      const basic = /^Basic (.+)$/.exec(r.authorization ?? '');
      if (basic)
        assert.equal(Buffer.from(basic[1]!, 'base64').toString(), `${MIRROR.username}:${MIRROR.password}`);
      assert.ok(
        !(r.authorization ?? '').includes(
          Buffer.from(`${GHCR.username}:${GHCR.password}`).toString('base64'),
        ),
      );
    }
  });

  void test('a tag written through the project lands on the registry; another prefix is not served', async () => {
    const asked = new Set<string>();
    const client = workerClient('ghcr-proxy', asked);
    const written = await client.moveTag({ registry: 'ghcr.io', repository: NAME, digest, tag: 'stable' });
    assert.equal(written.outcome, 'created');
    const seen = (
      await skopeo([
        'inspect',
        ...skopeoCreds,
        '--format',
        '{{.Digest}}',
        `docker://${registry.host}/${NAME}:stable`,
      ])
    ).trim();
    assert.equal(seen, digest, 'skopeo, on the registry itself');
    const pushes = issuer.requests.splice(0).filter((t) => t.scopes.some((s) => s.endsWith(':pull,push')));
    assert.ok(pushes.length >= 1 && pushes.every((t) => t.account === MIRROR.username));
    assert.deepEqual([...asked], [front.host]);

    const wrong = workerClient('other-proxy', new Set());
    const err = await rejectsWith(wrong.resolveDigest(ghcr('2025.1')), FatalFailure.ManifestUnknown);
    assert.match(err.message, /ghcr\.io \(via http:\/\/127\.0\.0\.1:\d+, prefix other-proxy\)/);
  });
});
