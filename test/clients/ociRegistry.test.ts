/**
 * The sandbox's second registry, go-containerregistry's (tools/oci-registry,
 * started by startRegistry({ implementation: 'ggcr' })), spoken to with plain
 * HTTP as curl would: basic auth with one user, the OCI 1.1 referrers API
 * listing an artifact pushed with a `subject`, in-memory storage that a
 * restart empties, and a clear refusal of what only distribution does.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startRegistry, type RunningRegistry } from '../../src/sandbox/registry.js';
import { sha256 } from './registryHelpers.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const EMPTY = 'application/vnd.oci.empty.v1+json';
const auth = { username: 'oci', password: 'pw-0f3a7c21' };
const basic = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;

void describe('the ggcr registry on loopback', () => {
  let registry: RunningRegistry;
  before(async () => {
    registry = await startRegistry({ implementation: 'ggcr', auth });
  });
  after(async () => {
    await registry?.close();
  });

  async function put(path: string, contentType: string, body: Buffer): Promise<Response> {
    return fetch(`${registry.url}${path}`, {
      method: path.includes('/blobs/') ? 'POST' : 'PUT',
      headers: { authorization: basic, 'content-type': contentType },
      body,
    });
  }

  /** An empty config blob and a manifest on it, by digest; its digest and size. */
  async function pushManifest(repository: string, extra: object): Promise<{ digest: string; size: number }> {
    const config = Buffer.from('{}');
    const blob = await put(
      `/v2/${repository}/blobs/uploads/?digest=${sha256(config)}`,
      'application/octet-stream',
      config,
    );
    assert.equal(blob.status, 201);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: EMPTY, digest: sha256(config), size: config.length },
        layers: [],
        ...extra,
      }),
    );
    const res = await put(`/v2/${repository}/manifests/${sha256(manifest)}`, OCI_MANIFEST, manifest);
    assert.equal(res.status, 201);
    return { digest: sha256(manifest), size: manifest.length };
  }

  void test('basic auth: 401 with a Basic challenge without the user, 200 with it', async () => {
    assert.equal(registry.implementation, 'ggcr');
    assert.equal(registry.dataDir, undefined, 'storage is memory');
    const anonymous = await fetch(`${registry.url}/v2/`);
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers.get('www-authenticate'), 'Basic realm="oci-registry"');
    const wrong = await fetch(`${registry.url}/v2/`, {
      headers: { authorization: `Basic ${Buffer.from('oci:nope').toString('base64')}` },
    });
    assert.equal(wrong.status, 401);
    assert.equal((await fetch(`${registry.url}/v2/`, { headers: { authorization: basic } })).status, 200);
  });

  void test('GET /v2/<name>/referrers/<digest> lists an artifact pushed with that subject', async () => {
    const subject = await pushManifest('vexxhost/magnum', {});
    const artifact = await pushManifest('vexxhost/magnum', {
      artifactType: 'application/vnd.example.sbom',
      subject: { mediaType: OCI_MANIFEST, ...subject },
    });
    const res = await fetch(`${registry.url}/v2/vexxhost/magnum/referrers/${subject.digest}`, {
      headers: { authorization: basic, accept: OCI_INDEX },
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), OCI_INDEX);
    const index = (await res.json()) as { mediaType: string; manifests: Array<Record<string, unknown>> };
    assert.equal(index.mediaType, OCI_INDEX);
    // ggcr names the config's mediaType as the artifactType, where the spec says the manifest's artifactType
    assert.deepEqual(index.manifests, [
      { mediaType: OCI_MANIFEST, digest: artifact.digest, size: artifact.size, artifactType: EMPTY },
    ]);
    const none = await fetch(`${registry.url}/v2/vexxhost/magnum/referrers/${artifact.digest}`, {
      headers: { authorization: basic },
    });
    assert.deepEqual(
      ((await none.json()) as { manifests: unknown[] }).manifests,
      [],
      'no referrers: an empty index',
    );
  });

  void test('stop() and start(): the same port, and empty storage', async () => {
    const pushed = await pushManifest('vexxhost/restart', {});
    const url = `${registry.url}/v2/vexxhost/restart/manifests/${pushed.digest}`;
    assert.equal((await fetch(url, { method: 'HEAD', headers: { authorization: basic } })).status, 200);
    const host = registry.host;
    await registry.stop();
    await assert.rejects(fetch(`${registry.url}/v2/`), 'stopped: nothing listens');
    await registry.start();
    assert.equal(registry.host, host);
    assert.equal((await fetch(url, { method: 'HEAD', headers: { authorization: basic } })).status, 404);
  });

  void test('what only distribution does is refused, naming it', async () => {
    const refusals: Array<[string, Parameters<typeof startRegistry>[0]]> = [
      [
        'tokenAuth',
        { tokenAuth: { realm: 'http://127.0.0.1:1/token', service: 's', issuer: 'i', rootCertBundle: '/x' } },
      ],
      ['deletes: false', { deletes: false }],
      ['dataDir', { dataDir: '/tmp/nowhere' }],
    ];
    for (const [what, options] of refusals)
      await assert.rejects(
        startRegistry({ implementation: 'ggcr', ...options }),
        (err: Error) => err.message.includes(what) && err.message.includes("implementation 'distribution'"),
        what,
      );
  });
});
