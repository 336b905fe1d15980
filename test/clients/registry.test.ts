/**
 * The registry client against a real CNCF distribution registry (Debian's
 * docker-registry 2.8) on loopback, anonymous and with htpasswd basic auth,
 * cross-checked with skopeo. Misbehaving servers are in
 * registryFaults.test.ts, environment settings in registrySettings.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  createRegistryClient,
  type RegistryClient,
  type RegistryCredentials,
} from '../../src/clients/registry/index.js';
import { MediaType } from '../../src/clients/registry/schema.js';
import { FatalFailure, TransientFailure } from '../../src/shared/failures.js';
import { imageLabels, pushLabelledImage, type ImageLabels } from '../../src/sandbox/images.js';
import { startRegistry, type RunningRegistry } from '../../src/sandbox/registry.js';
import { rejectsWith, sha256, skopeo, skopeoRaw } from './registryHelpers.js';

const REPOSITORY = 'vexxhost/magnum';
const SOURCE = 'https://github.com/vexxhost/docker-magnum';
const REVISION = '3f2a9c1d5e7b8a60c0ffee0123456789abcdef01';
const LABELS: ImageLabels = { source: SOURCE, revision: REVISION, version: 'main' };
const ghcr = (tag: string) => ({ registry: 'ghcr.io', repository: REPOSITORY, tag });

void describe('registry client against a real distribution registry', () => {
  let registry: RunningRegistry;
  let client: RegistryClient;
  let indexDigest: string;

  before(async () => {
    registry = await startRegistry();
    client = createRegistryClient({ mirrors: { 'ghcr.io': registry.url } });
    ({ digest: indexDigest } = await pushLabelledImage(client, ghcr('main'), LABELS));
  });
  after(async () => {
    await registry?.close();
  });

  void test('pushes a buildx-shaped index and resolves the digest its tag points at', async () => {
    assert.equal(await client.resolveDigest(ghcr('main')), indexDigest);

    const index = await client.getManifest(ghcr('main'));
    assert.equal(index.digest, indexDigest);
    assert.equal(index.mediaType, MediaType.ociIndex);
    assert.equal(sha256(index.body), indexDigest);
    const entries = (
      index.json as {
        manifests: Array<{
          digest: string;
          mediaType: string;
          platform: { os: string; architecture: string };
          annotations?: Record<string, string>;
        }>;
      }
    ).manifests;
    assert.deepEqual(
      entries.map((m) => `${m.platform.os}/${m.platform.architecture}`),
      ['linux/amd64', 'linux/arm64', 'unknown/unknown', 'unknown/unknown'],
    );
    const [amd64, arm64, ...attestations] = entries;
    for (const [i, attestation] of attestations.entries()) {
      assert.equal(attestation.annotations?.['vnd.docker.reference.type'], 'attestation-manifest');
      assert.equal(attestation.annotations?.['vnd.docker.reference.digest'], [amd64, arm64][i]!.digest);
      const manifest = await client.getManifest({
        registry: 'ghcr.io',
        repository: REPOSITORY,
        digest: attestation.digest,
      });
      const layers = (manifest.json as { layers: Array<{ mediaType: string }> }).layers;
      assert.deepEqual(
        layers.map((l) => l.mediaType),
        [MediaType.inToto],
      );
    }
  });

  void test('skopeo, an independent client, sees the same digest, bytes, config and labels', async () => {
    const image = `docker://${registry.host}/${REPOSITORY}:main`;
    const common = ['--tls-verify=false', '--no-creds'];
    assert.equal(sha256(await skopeoRaw(['inspect', ...common, '--raw', image])), indexDigest);
    assert.equal(
      (await skopeo(['inspect', ...common, '--format', '{{.Digest}}', image])).trim(),
      indexDigest,
    );

    const amd64 = await client.getImageConfig(ghcr('main'));
    const rawConfig = await skopeoRaw([
      'inspect',
      ...common,
      '--override-os',
      'linux',
      '--override-arch',
      'amd64',
      '--config',
      '--raw',
      image,
    ]);
    assert.equal(sha256(rawConfig), amd64.configDigest);

    const arm64 = JSON.parse(
      await skopeo(['inspect', ...common, '--override-os', 'linux', '--override-arch', 'arm64', image]),
    ) as {
      Architecture: string;
      Labels: Record<string, string>;
    };
    assert.equal(arm64.Architecture, 'arm64');
    assert.deepEqual(arm64.Labels, imageLabels(LABELS));
  });

  void test('reads the labels of the linux/amd64 image of an index, another platform on request, and names the platforms when one is missing', async () => {
    const index = await client.getManifest(ghcr('main'));
    const [amd64Entry, arm64Entry] = (index.json as { manifests: Array<{ digest: string }> }).manifests;

    const amd64 = await client.getImageConfig(ghcr('main'));
    assert.equal(amd64.manifestDigest, amd64Entry!.digest);
    assert.deepEqual(amd64.labels, imageLabels(LABELS));
    assert.equal(amd64.labels['org.opencontainers.image.version'], 'main');
    assert.equal(amd64.labels['org.opencontainers.image.revision'], REVISION);
    assert.equal(amd64.labels['org.opencontainers.image.source'], SOURCE);
    assert.equal((amd64.config as { architecture: string }).architecture, 'amd64');
    assert.equal((amd64.config as { rootfs: { diff_ids: string[] } }).rootfs.diff_ids.length, 1);

    const arm64 = await client.getImageConfig(
      { registry: 'ghcr.io', repository: REPOSITORY, digest: indexDigest },
      { os: 'linux', architecture: 'arm64' },
    );
    assert.equal(arm64.manifestDigest, arm64Entry!.digest);
    assert.equal((arm64.config as { architecture: string }).architecture, 'arm64');
    assert.notEqual(arm64.configDigest, amd64.configDigest);

    const err = await rejectsWith(
      client.getImageConfig(ghcr('main'), { os: 'linux', architecture: 's390x' }),
      FatalFailure.ManifestUnknown,
    );
    assert.match(err.message, /linux\/s390x/);
    assert.match(err.message, /ghcr\.io\/vexxhost\/magnum:main/);
    assert.match(err.message, /linux\/amd64, linux\/arm64, unknown\/unknown \(attestation\)/);
  });

  void test('reads the labels of a single OCI image manifest', async () => {
    const labels = { ...LABELS, version: '2025.1', revision: 'a'.repeat(40) };
    const { digest } = await pushLabelledImage(client, ghcr('2025.1'), labels, { singleManifest: true });
    const manifest = await client.getManifest(ghcr('2025.1'));
    assert.equal(manifest.mediaType, MediaType.ociManifest);
    assert.equal(manifest.digest, digest);
    const config = await client.getImageConfig(ghcr('2025.1'));
    assert.equal(config.manifestDigest, digest);
    assert.deepEqual(config.labels, imageLabels(labels));
  });

  void test('reads the labels of Docker v2 schema 2 images: a manifest and a manifest list', async () => {
    const labels = { ...LABELS, version: '2024.2', description: 'Magnum for 2024.2' };
    const single = await pushLabelledImage(client, ghcr('2024.2-v2'), labels, {
      dockerV2: true,
      singleManifest: true,
    });
    const manifest = await client.getManifest(ghcr('2024.2-v2'));
    assert.equal(manifest.mediaType, MediaType.dockerManifest);
    const config = await client.getImageConfig(ghcr('2024.2-v2'));
    assert.equal(config.manifestDigest, single.digest);
    assert.equal(config.labels['org.opencontainers.image.description'], 'Magnum for 2024.2');
    assert.deepEqual(config.labels, imageLabels(labels));

    const list = await pushLabelledImage(client, ghcr('2024.2'), labels, { dockerV2: true });
    const top = await client.getManifest(ghcr('2024.2'));
    assert.equal(top.mediaType, MediaType.dockerList);
    assert.equal(top.digest, list.digest);
    assert.equal(
      (top.json as { manifests: unknown[] }).manifests.length,
      2,
      'a Docker list carries no attestations',
    );
    const fromList = await client.getImageConfig(ghcr('2024.2'));
    assert.equal(
      fromList.configDigest,
      config.configDigest,
      'the amd64 image of the list is the single v2 image',
    );
    assert.equal(fromList.manifestDigest, single.digest);
  });

  void test('digests are deterministic for the same inputs and differ with another salt or other labels', async () => {
    const again = await pushLabelledImage(client, ghcr('main-copy'), LABELS);
    assert.equal(again.digest, indexDigest);
    const salted = await pushLabelledImage(client, ghcr('main-salted'), LABELS, { salt: 'rebuild' });
    assert.notEqual(salted.digest, indexDigest);
    const relabelled = await pushLabelledImage(client, ghcr('main-relabelled'), {
      ...LABELS,
      revision: 'b'.repeat(40),
    });
    assert.notEqual(relabelled.digest, indexDigest);
    assert.notEqual(relabelled.digest, salted.digest);
    assert.equal(await client.resolveDigest(ghcr('main-salted')), salted.digest);
  });

  void test('a moved tag resolves to the new digest, and the old one stays fetchable by digest', async () => {
    const first = await pushLabelledImage(client, ghcr('moving'), LABELS, { salt: 'one' });
    assert.equal(await client.resolveDigest(ghcr('moving')), first.digest);
    const second = await pushLabelledImage(
      client,
      ghcr('moving'),
      { ...LABELS, revision: 'c'.repeat(40) },
      { salt: 'two' },
    );
    assert.notEqual(second.digest, first.digest);
    assert.equal(await client.resolveDigest(ghcr('moving')), second.digest);
    const old = await client.getImageConfig({
      registry: 'ghcr.io',
      repository: REPOSITORY,
      digest: first.digest,
    });
    assert.equal(old.labels['org.opencontainers.image.revision'], REVISION);
    const now = await client.getImageConfig(ghcr('moving'));
    assert.equal(now.labels['org.opencontainers.image.revision'], 'c'.repeat(40));
  });

  void test('an unknown tag or repository is a non-retryable ManifestUnknown naming the reference', async () => {
    const tag = await rejectsWith(client.resolveDigest(ghcr('no-such-tag')), FatalFailure.ManifestUnknown);
    assert.equal(tag.retryable, false);
    assert.match(tag.message, /ghcr\.io\/vexxhost\/magnum:no-such-tag/);
    const repo = await rejectsWith(
      client.getManifest({ registry: 'ghcr.io', repository: 'vexxhost/nothing', tag: 'main' }),
      FatalFailure.ManifestUnknown,
    );
    assert.match(repo.message, /ghcr\.io\/vexxhost\/nothing:main/);
    assert.match(repo.message, /HTTP 404 (?:MANIFEST|NAME)_UNKNOWN/);
    const digest = `sha256:${'0'.repeat(64)}`;
    const byDigest = await rejectsWith(
      client.getImageConfig({ registry: 'ghcr.io', repository: REPOSITORY, digest }),
      FatalFailure.ManifestUnknown,
    );
    assert.match(byDigest.message, new RegExp(digest));
  });

  void test('the mirror maps ghcr.io to the loopback registry, and a loopback host is spoken to over plain HTTP', async () => {
    const urls: string[] = [];
    const recording: typeof fetch = (input, init) => {
      urls.push(input instanceof Request ? input.url : input.toString());
      return fetch(input, init);
    };
    const mirrored = createRegistryClient({ mirrors: { 'ghcr.io': registry.url }, fetch: recording });
    assert.equal(await mirrored.resolveDigest(ghcr('main')), indexDigest);
    await mirrored.getImageConfig(ghcr('main'));
    assert.ok(urls.length >= 4, `expected several requests, found ${urls.length}`);
    for (const url of urls)
      assert.ok(
        url.startsWith(`${registry.url}/v2/${REPOSITORY}/`),
        `expected a request to the mirror, found ${url}`,
      );

    const direct = createRegistryClient();
    assert.equal(
      await direct.resolveDigest({ registry: registry.host, repository: REPOSITORY, tag: 'main' }),
      indexDigest,
    );
  });

  void test('deleteManifest removes a manifest by digest, and its tag with it', async () => {
    const { digest } = await pushLabelledImage(client, ghcr('temporary'), LABELS, {
      singleManifest: true,
      salt: 'temporary',
    });
    await client.deleteManifest({ registry: 'ghcr.io', repository: REPOSITORY, digest });
    await rejectsWith(
      client.getManifest({ registry: 'ghcr.io', repository: REPOSITORY, digest }),
      FatalFailure.ManifestUnknown,
    );
    await rejectsWith(client.resolveDigest(ghcr('temporary')), FatalFailure.ManifestUnknown);
    await rejectsWith(client.deleteManifest(ghcr('main')), FatalFailure.BadInput);
  });

  void test('a stopped registry is a retryable RegistryUnavailable, and it works again after start()', async () => {
    await registry.stop();
    const err = await rejectsWith(client.resolveDigest(ghcr('main')), TransientFailure.RegistryUnavailable);
    assert.equal(err.retryable, true);
    assert.ok(err.cause !== undefined, 'the cause is kept');
    assert.match(err.message, /ECONNREFUSED/);
    assert.match(err.message, /ghcr\.io \(via http:\/\/127\.0\.0\.1:\d+\)/);
    await rejectsWith(client.getImageConfig(ghcr('main')), TransientFailure.RegistryUnavailable);

    await registry.start();
    assert.equal(await client.resolveDigest(ghcr('main')), indexDigest);
    const config = await client.getImageConfig(ghcr('main'));
    assert.deepEqual(config.labels, imageLabels(LABELS));
  });
});

void describe('registry client against a registry with htpasswd basic auth over plain HTTP', () => {
  const USER = 'bumpflow';
  const PASSWORD = 'pw-7f3e9a1c5b2d';
  let registry: RunningRegistry;
  let digest: string;
  const asked: string[] = [];

  before(async () => {
    registry = await startRegistry({ auth: { username: USER, password: PASSWORD } });
  });
  after(async () => {
    await registry?.close();
  });

  function clientWith(creds: RegistryCredentials | undefined): RegistryClient {
    return createRegistryClient({
      mirrors: { 'ghcr.io': registry.url },
      credentials: (host) => {
        asked.push(host);
        return creds;
      },
    });
  }

  void test('with the right credentials it pushes, resolves and reads labels (and skopeo agrees)', async () => {
    const client = clientWith({ username: USER, password: PASSWORD });
    ({ digest } = await pushLabelledImage(client, ghcr('main'), LABELS));
    assert.equal(await client.resolveDigest(ghcr('main')), digest);
    assert.deepEqual((await client.getImageConfig(ghcr('main'))).labels, imageLabels(LABELS));
    assert.ok(asked.length > 0);
    assert.deepEqual(
      [...new Set(asked)],
      [registry.host],
      'credentials are looked up by the host contacted (the mirror), not the logical ghcr.io',
    );

    const image = `docker://${registry.host}/${REPOSITORY}:main`;
    assert.equal(
      (
        await skopeo([
          'inspect',
          '--tls-verify=false',
          '--creds',
          `${USER}:${PASSWORD}`,
          '--format',
          '{{.Digest}}',
          image,
        ])
      ).trim(),
      digest,
    );
    await assert.rejects(
      skopeo(['inspect', '--tls-verify=false', '--no-creds', '--format', '{{.Digest}}', image]),
      /unauthorized|authentication required/i,
    );
  });

  void test('a wrong password is a non-retryable AuthRefused naming registry and repository, never the secret', async () => {
    const wrong = 'not-the-password-91b2';
    const client = clientWith({ username: USER, password: wrong });
    const err = await rejectsWith(client.resolveDigest(ghcr('main')), FatalFailure.AuthRefused);
    assert.equal(err.retryable, false);
    assert.match(err.message, /ghcr\.io/);
    assert.match(err.message, /vexxhost\/magnum/);
    const shown = `${err.message} ${JSON.stringify(err.details)}`;
    for (const secret of [wrong, PASSWORD, Buffer.from(`${USER}:${wrong}`).toString('base64')])
      assert.ok(!shown.includes(secret), 'no secret in the failure');
    await rejectsWith(pushLabelledImage(client, ghcr('evil'), LABELS), FatalFailure.AuthRefused);
  });

  void test('no credentials where they are required is AuthRefused too', async () => {
    const client = clientWith(undefined);
    const err = await rejectsWith(client.getImageConfig(ghcr('main')), FatalFailure.AuthRefused);
    assert.ok(err.message.includes(`none configured for ${registry.host}`), err.message);
    assert.match(err.message, /ghcr\.io's are never sent to its mirror/);
    assert.match(err.message, /vexxhost\/magnum/);
  });
});
