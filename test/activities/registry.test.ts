/**
 * The registry client against a real CNCF distribution registry (Debian's
 * docker-registry 2.8) on loopback, cross-checked with skopeo, plus tiny local
 * servers for what a healthy registry never does (tampered bytes, 429, 5xx,
 * hangs, resets, token services).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import {
  createRegistryClient,
  credentialsFromEnvironment,
  mirrorsFromEnvironment,
  type RegistryClient,
  type RegistryCredentials,
} from '../../src/activities/registry/client.js';
import { MediaType } from '../../src/activities/registry/schema.js';
import {
  BumpflowError,
  FatalFailure,
  TransientFailure,
  type FailureType,
} from '../../src/shared/failures.js';
import { imageLabels, pushLabelledImage, type ImageLabels } from '../../src/sandbox/images.js';
import { startRegistry, type RunningRegistry } from '../../src/sandbox/registry.js';

const execFileAsync = promisify(execFile);

const REPOSITORY = 'vexxhost/magnum';
const SOURCE = 'https://github.com/vexxhost/docker-magnum';
const REVISION = '3f2a9c1d5e7b8a60c0ffee0123456789abcdef01';
const LABELS: ImageLabels = { source: SOURCE, revision: REVISION, version: 'main' };
const ghcr = (tag: string) => ({ registry: 'ghcr.io', repository: REPOSITORY, tag });

function sha256(data: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** Awaits a promise that must reject with a BumpflowError of `type`; returns the error for more checks. */
async function rejectsWith(promise: Promise<unknown>, type: FailureType): Promise<BumpflowError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof BumpflowError, `expected a BumpflowError ${type}, found ${String(err)}`);
    assert.equal(err.type, type, `expected ${type}, found ${err.type}: ${err.message}`);
    return err;
  }
  return assert.fail(`expected a ${type} failure, found success`);
}

async function skopeo(args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('skopeo', args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

async function skopeoRaw(args: string[]): Promise<Buffer> {
  const { stdout } = await execFileAsync('skopeo', args, { encoding: 'buffer', maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

interface Hit {
  method: string;
  url: string;
  authorization: string | undefined;
  accept: string | undefined;
  body: string;
}

interface FakeServer {
  url: string;
  hits: Hit[];
  close(): Promise<void>;
}

/** A tiny HTTP server on 127.0.0.1 that records every request. */
async function fakeServer(
  handler: (req: http.IncomingMessage, res: http.ServerResponse, hit: Hit) => void,
): Promise<FakeServer> {
  const hits: Hit[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const hit: Hit = {
        method: req.method ?? '',
        url: req.url ?? '',
        authorization: req.headers.authorization,
        accept: req.headers.accept,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      hits.push(hit);
      handler(req, res, hit);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const servers: FakeServer[] = [];
async function serve(handler: Parameters<typeof fakeServer>[0]): Promise<FakeServer> {
  const server = await fakeServer(handler);
  servers.push(server);
  return server;
}
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

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
      ['ghcr.io'],
      'credentials are looked up by the logical host, not the mirror',
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
    assert.match(err.message, /none configured for ghcr\.io/);
    assert.match(err.message, /vexxhost\/magnum/);
  });
});

void describe('registry client against misbehaving registries and token services', () => {
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      config: { mediaType: MediaType.ociConfig, digest: `sha256:${'1'.repeat(64)}`, size: 2 },
      layers: [],
    }),
  );
  const manifestDigest = sha256(manifest);

  void test('bytes that do not hash to the requested digest are a DigestMismatch', async () => {
    const tampered = Buffer.from(manifest.toString('utf8').replace('"layers":[]', '"layers": []'));
    const server = await serve((_req, res) => {
      res
        .writeHead(200, { 'content-type': MediaType.ociManifest, 'docker-content-digest': manifestDigest })
        .end(tampered);
    });
    const client = createRegistryClient({ mirrors: { 'ghcr.io': server.url } });
    const byDigest = await rejectsWith(
      client.getManifest({ registry: 'ghcr.io', repository: REPOSITORY, digest: manifestDigest }),
      FatalFailure.DigestMismatch,
    );
    assert.equal(byDigest.retryable, false);
    assert.match(byDigest.message, new RegExp(`expected .*${manifestDigest}.*found ${sha256(tampered)}`));
    const byTag = await rejectsWith(client.getManifest(ghcr('main')), FatalFailure.DigestMismatch);
    assert.match(byTag.message, /Docker-Content-Digest/);
  });

  void test('a HEAD without Docker-Content-Digest falls back to GET and hashes the manifest', async () => {
    const server = await serve((req, res) => {
      res.writeHead(200, { 'content-type': MediaType.ociManifest });
      res.end(req.method === 'HEAD' ? undefined : manifest);
    });
    const client = createRegistryClient({ mirrors: { 'ghcr.io': server.url } });
    assert.equal(await client.resolveDigest(ghcr('main')), manifestDigest);
    assert.deepEqual(
      server.hits.map((h) => `${h.method} ${h.url}`),
      [`HEAD /v2/${REPOSITORY}/manifests/main`, `GET /v2/${REPOSITORY}/manifests/main`],
    );
    for (const hit of server.hits) {
      for (const type of [
        MediaType.ociIndex,
        MediaType.ociManifest,
        MediaType.dockerList,
        MediaType.dockerManifest,
      ])
        assert.ok(hit.accept?.includes(type), `Accept lists ${type}`);
    }
  });

  void test('429 with Retry-After is a retryable RegistryUnavailable carrying retryAfterMs', async () => {
    const server = await serve((req, res) => {
      const retryAfter = req.url?.includes('dated') ? new Date(Date.now() + 120_000).toUTCString() : '7';
      res.writeHead(429, { 'retry-after': retryAfter, 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'TOOMANYREQUESTS', message: 'slow down' }] }));
    });
    const client = createRegistryClient({ mirrors: { 'ghcr.io': server.url } });
    const err = await rejectsWith(client.resolveDigest(ghcr('main')), TransientFailure.RegistryUnavailable);
    assert.equal(err.retryable, true);
    assert.equal(err.retryAfterMs, 7000);
    const dated = await rejectsWith(client.getManifest(ghcr('dated')), TransientFailure.RegistryUnavailable);
    assert.ok(
      dated.retryAfterMs !== undefined && dated.retryAfterMs > 100_000 && dated.retryAfterMs <= 120_000,
      `found ${dated.retryAfterMs}`,
    );
    assert.match(dated.message, /TOOMANYREQUESTS/);
  });

  void test('5xx, a reset connection and a registry that never answers are retryable RegistryUnavailable', async () => {
    const server = await serve((req, res) => {
      if (req.url?.includes('/manifests/broken')) return void res.writeHead(503).end('upstream gone');
      if (req.url?.includes('/manifests/maintenance'))
        return void res.writeHead(503, { 'retry-after': '3' }).end('back soon');
      if (req.url?.includes('/manifests/reset')) return void req.socket.destroy();
      // /manifests/hang: never answer
    });
    const client = createRegistryClient({ mirrors: { 'ghcr.io': server.url }, timeoutMs: 300 });
    const broken = await rejectsWith(
      client.resolveDigest(ghcr('broken')),
      TransientFailure.RegistryUnavailable,
    );
    assert.match(broken.message, /HTTP 503/);
    assert.equal(broken.retryAfterMs, undefined);
    const maintenance = await rejectsWith(
      client.getManifest(ghcr('maintenance')),
      TransientFailure.RegistryUnavailable,
    );
    assert.equal(maintenance.retryAfterMs, 3000, 'a 503 Retry-After is carried too');
    const reset = await rejectsWith(client.getManifest(ghcr('reset')), TransientFailure.RegistryUnavailable);
    assert.ok(reset.cause !== undefined);
    const started = Date.now();
    const hang = await rejectsWith(client.resolveDigest(ghcr('hang')), TransientFailure.RegistryUnavailable);
    assert.match(hang.message, /no answer within 300 ms/);
    assert.ok(Date.now() - started < 5_000, 'the timeout is honoured');
  });

  void test('a manifest of an unknown media type is UnsupportedMediaType', async () => {
    const schema1 = Buffer.from(
      JSON.stringify({ schemaVersion: 1, name: REPOSITORY, tag: 'old', fsLayers: [] }),
    );
    const server = await serve((_req, res) => {
      res
        .writeHead(200, { 'content-type': 'application/vnd.docker.distribution.manifest.v1+prettyjws' })
        .end(schema1);
    });
    const client = createRegistryClient({ mirrors: { 'ghcr.io': server.url } });
    const err = await rejectsWith(client.getImageConfig(ghcr('old')), FatalFailure.UnsupportedMediaType);
    assert.match(err.message, /manifest\.v1\+prettyjws/);
    await rejectsWith(client.resolveDigest(ghcr('old')), FatalFailure.UnsupportedMediaType);
  });

  void test('Bearer challenges: token fetched with service and scope, basic auth to the realm, cached until expiry', async () => {
    let tokens = 0;
    let lifetime = 300;
    const server = await serve((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/token') {
        if (req.headers.authorization !== `Basic ${Buffer.from('robot:s3cret').toString('base64')}`)
          return void res.writeHead(401).end();
        tokens++;
        return void res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ token: `tok-${tokens}`, expires_in: lifetime }));
      }
      if (!req.headers.authorization?.startsWith('Bearer tok-')) {
        res.writeHead(401, {
          'www-authenticate': `Bearer realm="${server.url}/token",service="fake.registry",scope="repository:${REPOSITORY}:pull"`,
        });
        return void res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED' }] }));
      }
      res
        .writeHead(200, { 'docker-content-digest': manifestDigest, 'content-type': MediaType.ociManifest })
        .end(req.method === 'HEAD' ? undefined : manifest);
    });
    const client = createRegistryClient({
      mirrors: { 'ghcr.io': server.url },
      credentials: () => ({ username: 'robot', password: 's3cret' }),
    });
    assert.equal(await client.resolveDigest(ghcr('main')), manifestDigest);
    assert.equal(await client.resolveDigest(ghcr('main')), manifestDigest);
    assert.equal((await client.getManifest(ghcr('main'))).digest, manifestDigest);
    assert.equal(tokens, 1, 'the token is cached for the (registry, scope)');
    const tokenHit = server.hits.find((h) => h.url.startsWith('/token'));
    const query = new URL(tokenHit!.url, 'http://x').searchParams;
    assert.equal(query.get('service'), 'fake.registry');
    assert.deepEqual(query.getAll('scope'), [`repository:${REPOSITORY}:pull`]);

    // A token about to expire is not reused.
    lifetime = 1;
    const shortLived = createRegistryClient({
      mirrors: { 'ghcr.io': server.url },
      credentials: () => ({ username: 'robot', password: 's3cret' }),
    });
    await shortLived.resolveDigest(ghcr('main'));
    await shortLived.resolveDigest(ghcr('main'));
    assert.equal(tokens, 3);

    const refused = createRegistryClient({
      mirrors: { 'ghcr.io': server.url },
      credentials: () => ({ username: 'robot', password: 'wrong' }),
    });
    const err = await rejectsWith(refused.resolveDigest(ghcr('main')), FatalFailure.AuthRefused);
    assert.match(err.message, /ghcr\.io .*vexxhost\/magnum|vexxhost\/magnum.*ghcr\.io/);
    assert.ok(!err.message.includes('wrong'));
  });

  void test('anonymous Bearer tokens, identity tokens (OAuth2 refresh) and ready tokens', async () => {
    const server = await serve((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/token' && req.method === 'GET') {
        return void res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ token: req.headers.authorization ? 'tok-basic' : 'tok-anonymous' }));
      }
      if (url.pathname === '/token' && req.method === 'POST') {
        return void res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ access_token: 'tok-oauth', expires_in: 300 }));
      }
      if (!req.headers.authorization) {
        res.writeHead(401, {
          'www-authenticate': `Bearer realm="${server.url}/token",service="fake.registry"`,
        });
        return void res.end();
      }
      res.writeHead(200, { 'docker-content-digest': manifestDigest }).end();
    });
    const anonymous = createRegistryClient({ mirrors: { 'ghcr.io': server.url } });
    assert.equal(await anonymous.resolveDigest(ghcr('main')), manifestDigest);
    const anonymousToken = server.hits.find((h) => h.url.startsWith('/token'));
    assert.equal(
      anonymousToken?.authorization,
      undefined,
      'no Authorization to the realm without credentials',
    );
    assert.equal(server.hits.at(-1)?.authorization, 'Bearer tok-anonymous');

    const oauth = createRegistryClient({
      mirrors: { 'ghcr.io': server.url },
      credentials: () => ({ identityToken: 'refresh-me' }),
    });
    assert.equal(await oauth.resolveDigest(ghcr('main')), manifestDigest);
    const post = server.hits.find((h) => h.method === 'POST');
    const form = new URLSearchParams(post?.body);
    assert.equal(form.get('grant_type'), 'refresh_token');
    assert.equal(form.get('refresh_token'), 'refresh-me');
    assert.equal(form.get('scope'), `repository:${REPOSITORY}:pull`);
    assert.equal(server.hits.at(-1)?.authorization, 'Bearer tok-oauth');

    const ready = createRegistryClient({
      mirrors: { 'ghcr.io': server.url },
      credentials: () => ({ token: 'ready-token' }),
    });
    assert.equal(await ready.resolveDigest(ghcr('main')), manifestDigest);
    assert.equal(server.hits.at(-1)?.authorization, 'Bearer ready-token');
  });

  void test('docker.io maps to registry-1.docker.io with library/ for single-segment names', async () => {
    const urls: string[] = [];
    const stub: typeof fetch = (input) => {
      urls.push(input instanceof Request ? input.url : input.toString());
      return Promise.resolve(
        new Response(null, { status: 200, headers: { 'docker-content-digest': manifestDigest } }),
      );
    };
    const client = createRegistryClient({ fetch: stub });
    await client.resolveDigest({ registry: 'docker.io', repository: 'alpine', tag: '3.20' });
    await client.resolveDigest({ registry: 'docker.io', repository: 'vexxhost/magnum', tag: 'main' });
    await client.resolveDigest({
      registry: 'quay.io',
      repository: 'vexxhost/magnum-cluster-api-registry',
      tag: 'v1',
    });
    assert.deepEqual(urls, [
      'https://registry-1.docker.io/v2/library/alpine/manifests/3.20',
      'https://registry-1.docker.io/v2/vexxhost/magnum/manifests/main',
      'https://quay.io/v2/vexxhost/magnum-cluster-api-registry/manifests/v1',
    ]);
  });
});

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
        'ghcr.io': 'http://127.0.0.1:5000',
        'quay.io': 'https://mirror.local',
      },
    );
    assert.deepEqual(
      mirrorsFromEnvironment({ BUMPFLOW_REGISTRY_MIRRORS: ' GHCR.io = https://mirror.local/ghcr/ , ' }),
      { 'ghcr.io': 'https://mirror.local/ghcr' },
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
