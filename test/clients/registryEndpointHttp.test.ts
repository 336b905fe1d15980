/**
 * No credential over plain http except to loopback (issue 19, part 5): the
 * decision (mayAuthenticate) and the request path refusing a plain-http
 * mirror or token realm elsewhere before anything is sent, looking
 * credentials up by the host contacted. No network at all: a fake fetch
 * records what would have been sent (nothing may reach a non-loopback host).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  createRegistryClient,
  type RegistryClient,
  type RegistryCredentials,
} from '../../src/clients/registry/index.js';
import { mayAuthenticate } from '../../src/clients/registry/endpoints.js';
import { FatalFailure } from '../../src/shared/failures.js';
import { rejectsWith } from './registryHelpers.js';

const ghcr = (tag: string) => ({ registry: 'ghcr.io', repository: 'vexxhost/magnum', tag });
const MIRROR = { username: 'mirror-bot', password: 'pw-mirror-8b2e6d10f5a7' };
const basic = (u: { username: string; password: string }) =>
  `Basic ${Buffer.from(`${u.username}:${u.password}`).toString('base64')}`;

void describe('no credentials over plain http except to loopback (no network: a fake fetch)', () => {
  void test('mayAuthenticate: https anywhere, plain http only to loopback', () => {
    for (const url of [
      'https://mirror.example',
      'https://mirror.example:5000/ghcr',
      'http://127.0.0.1:5000',
      'http://127.9.8.7',
      'http://localhost:5000',
      'http://[::1]:5000',
    ])
      assert.equal(mayAuthenticate(url), true, url);
    for (const url of [
      'http://mirror.example:5000',
      'http://10.0.0.5:5000',
      'http://127.0.0.1.example.com',
      'http://localhost.example.com',
      'http://[::2]:5000',
      'ftp://127.0.0.1',
      'not a url',
    ])
      assert.equal(mayAuthenticate(url), false, url);
  });

  interface Sent {
    url: string;
    authorization: string | null;
  }
  /** A client whose fetch answers every registry request with `challenge` and records what it was sent. */
  function fakeClient(
    mirror: string,
    creds: RegistryCredentials | undefined,
    challenge: string,
    token?: string,
  ): { client: RegistryClient; sent: Sent[]; asked: string[] } {
    const sent: Sent[] = [];
    const asked: string[] = [];
    const fakeFetch: typeof fetch = (input, init) => {
      const url = input instanceof Request ? input.url : input.toString();
      const authorization = new Headers(init?.headers).get('authorization');
      sent.push({ url, authorization });
      if (url.includes('/token')) return Promise.resolve(Response.json({ token: token ?? 'tok' }));
      if (authorization !== null) return Promise.resolve(new Response(null, { status: 404 }));
      return Promise.resolve(new Response(null, { status: 401, headers: { 'www-authenticate': challenge } }));
    };
    const client = createRegistryClient({
      mirrors: { 'ghcr.io': mirror },
      credentials: (host) => {
        asked.push(host);
        return creds;
      },
      fetch: fakeFetch,
    });
    return { client, sent, asked };
  }
  const secretsOf = (creds: RegistryCredentials) => [
    ...Object.values(creds).filter((v): v is string => typeof v === 'string'),
    ...(creds.password ? [Buffer.from(`${creds.username}:${creds.password}`).toString('base64')] : []),
  ];

  const cases: { name: string; creds: RegistryCredentials; challenge: string }[] = [
    { name: 'Basic credentials', creds: MIRROR, challenge: 'Basic realm="mirror"' },
    {
      name: 'a ready token',
      creds: { token: 'rt-91c4e0a2' },
      challenge: 'Bearer realm="https://auth.example/token"',
    },
    {
      name: 'an identity token',
      creds: { identityToken: 'it-5d2b7f30' },
      challenge: 'Bearer realm="https://auth.example/token",service="mirror"',
    },
    {
      name: 'Basic credentials for a token realm',
      creds: MIRROR,
      challenge: 'Bearer realm="https://auth.example/token",service="mirror"',
    },
  ];
  for (const c of cases) {
    void test(`${c.name} for http://mirror.example:5000: refused before anything is sent`, async () => {
      const { client, sent, asked } = fakeClient('http://mirror.example:5000', c.creds, c.challenge);
      const err = await rejectsWith(client.resolveDigest(ghcr('main')), FatalFailure.AuthRefused);
      assert.equal(err.retryable, false);
      assert.deepEqual(asked, ['mirror.example:5000'], "looked up by the mirror's host");
      assert.match(err.message, /expected https \(or a loopback host\)/);
      assert.match(err.message, /found plain http to http:\/\/mirror\.example:5000/);
      assert.match(err.message, /set BUMPFLOW_REGISTRY_MIRRORS to an https:\/\/ URL for ghcr\.io/);
      // only a Bearer challenge can be answered anonymously: then removing the credentials is a fix too
      const removal = /remove the credentials for mirror\.example:5000 from BUMPFLOW_REGISTRY_AUTH/;
      if (c.challenge.startsWith('Bearer')) assert.match(err.message, removal);
      else assert.doesNotMatch(err.message, removal);
      assert.deepEqual(
        sent.map((s) => [s.url, s.authorization]),
        [['http://mirror.example:5000/v2/vexxhost/magnum/manifests/main', null]],
        'one anonymous request, nothing after the challenge (the realm is never asked)',
      );
      const shown = `${err.message} ${JSON.stringify(err.details)}`;
      for (const secret of secretsOf(c.creds)) assert.ok(!shown.includes(secret), 'no secret in the failure');
    });
  }

  void test('a plain-http token realm is refused when credentials would go to it', async () => {
    const { client, sent } = fakeClient(
      'https://mirror.example',
      MIRROR,
      'Bearer realm="http://auth.example/token?x=1",service="mirror"',
    );
    const err = await rejectsWith(client.resolveDigest(ghcr('main')), FatalFailure.AuthRefused);
    assert.match(
      err.message,
      /found a token realm over plain http \(http:\/\/auth\.example\/token\) named by https:\/\/mirror\.example/,
    );
    assert.match(err.message, /remove the credentials for mirror\.example from BUMPFLOW_REGISTRY_AUTH/);
    assert.deepEqual(
      sent.map((s) => s.url),
      ['https://mirror.example/v2/vexxhost/magnum/manifests/main'],
    );
  });

  void test('a Basic challenge over plain http with no credentials configured says to use https', async () => {
    const { client, sent } = fakeClient('http://mirror.example:5000', undefined, 'Basic realm="mirror"');
    const err = await rejectsWith(client.resolveDigest(ghcr('main')), FatalFailure.AuthRefused);
    assert.match(err.message, /BUMPFLOW_REGISTRY_MIRRORS/);
    assert.doesNotMatch(err.message, /remove the credentials/);
    assert.equal(sent.length, 1);
  });

  void test('anonymous tokens over plain http keep working', async () => {
    const { client, sent } = fakeClient(
      'http://mirror.example:5000',
      undefined,
      'Bearer realm="http://mirror.example:5000/token",service="mirror"',
      'tok-anon',
    );
    await rejectsWith(client.resolveDigest(ghcr('main')), FatalFailure.ManifestUnknown);
    assert.deepEqual(
      sent.map((s) => s.authorization),
      [null, null, 'Bearer tok-anon'],
      'challenge, anonymous token, then the token (the fake answers 404)',
    );
  });

  void test('credentials are sent to https and loopback endpoints, looked up by their host', async () => {
    for (const [mirror, host] of [
      ['https://mirror.example/ghcr', 'mirror.example'],
      ['http://127.0.0.1:5000', '127.0.0.1:5000'],
      ['http://[::1]:5000', '[::1]:5000'],
    ] as const) {
      const { client, sent, asked } = fakeClient(mirror, MIRROR, 'Basic realm="mirror"');
      await rejectsWith(client.resolveDigest(ghcr('main')), FatalFailure.ManifestUnknown);
      assert.deepEqual(asked, [host]);
      assert.deepEqual(
        sent.map((s) => s.authorization),
        [null, basic(MIRROR)],
        mirror,
      );
    }
  });

  void test('without a mirror, Docker Hub (registry-1.docker.io) uses the docker.io credentials', async () => {
    const sent: Sent[] = [];
    const asked: string[] = [];
    const client = createRegistryClient({
      credentials: (host) => {
        asked.push(host);
        return host === 'docker.io' ? MIRROR : undefined;
      },
      fetch: (input, init) => {
        const authorization = new Headers(init?.headers).get('authorization');
        sent.push({ url: input.toString(), authorization });
        return Promise.resolve(
          authorization === null
            ? new Response(null, { status: 401, headers: { 'www-authenticate': 'Basic realm="hub"' } })
            : new Response(null, { status: 404 }),
        );
      },
    });
    await rejectsWith(
      client.resolveDigest({ registry: 'docker.io', repository: 'alpine', tag: '3' }),
      FatalFailure.ManifestUnknown,
    );
    assert.deepEqual(asked, ['docker.io']);
    assert.deepEqual(sent.at(-1), {
      url: 'https://registry-1.docker.io/v2/library/alpine/manifests/3',
      authorization: basic(MIRROR),
    });
  });
});
