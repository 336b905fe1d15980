/**
 * The registry client against tiny local servers for what a healthy
 * registry never does: tampered bytes, 429, 5xx, hangs, resets, token
 * services (test stand-ins, each named as such by its handler).
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { after, describe, test } from 'node:test';
import { createRegistryClient } from '../../src/clients/registry/index.js';
import { MediaType } from '../../src/clients/registry/schema.js';
import { FatalFailure, TransientFailure } from '../../src/shared/failures.js';
import { rejectsWith, sha256 } from './registryHelpers.js';

const REPOSITORY = 'vexxhost/magnum';
const ghcr = (tag: string) => ({ registry: 'ghcr.io', repository: REPOSITORY, tag });

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
