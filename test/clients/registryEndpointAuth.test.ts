/**
 * Credentials per endpoint (issue 19, part 5): a request for ghcr.io that
 * goes to a mirror presents the mirror's own credentials (configured under
 * its host[:port], as containerd's hosts.toml and docker's config.json key
 * them), never ghcr.io's; cached headers and tokens stay with the endpoint
 * that earned them; and no credential goes over plain http except to
 * loopback. The mirrors are real distribution registries on loopback, each
 * behind a recording front that keeps every Authorization header it saw.
 * The plain-http cases off loopback are in registryEndpointHttp.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
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
import { listenOnLoopback } from '../../src/sandbox/loopback.js';
import { startRegistry, type RunningRegistry } from '../../src/sandbox/registry.js';
import { startTokenIssuer, type RunningTokenIssuer } from '../../src/sandbox/tokenIssuer.js';
import { rejectsWith } from './registryHelpers.js';

const REPOSITORY = 'vexxhost/magnum';
const ghcr = (tag: string) => ({ registry: 'ghcr.io', repository: REPOSITORY, tag });
const LABELS: ImageLabels = {
  source: 'https://github.com/vexxhost/docker-magnum',
  revision: '5e1f0c2d3b4a69788796a5b4c3d2e1f0a9b8c7d6',
  version: 'main',
};
/** ghcr.io's credentials: they must never reach a mirror */
const UPSTREAM = { username: 'ghcr-bot', password: 'ghp-upstream-4f9a0c7e21d3' };
/** the mirror's own */
const MIRROR = { username: 'mirror-bot', password: 'pw-mirror-8b2e6d10f5a7' };

/** Every form the upstream secret could take on the wire or in a message. */
const UPSTREAM_FORMS = [
  UPSTREAM.password,
  Buffer.from(`${UPSTREAM.username}:${UPSTREAM.password}`).toString('base64'),
  Buffer.from(UPSTREAM.password).toString('base64'),
];
const basic = (u: { username: string; password: string }) =>
  `Basic ${Buffer.from(`${u.username}:${u.password}`).toString('base64')}`;

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  status: number;
}

interface RecordingFront {
  url: string;
  host: string;
  seen: Seen[];
  close(): Promise<void>;
}

/** A loopback proxy before `upstream` that records each request's Authorization; `hostHeader` rewrites Host. */
async function startRecordingFront(upstream: string, hostHeader?: () => string): Promise<RecordingFront> {
  const target = new URL(upstream);
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const record: Seen = {
      method: req.method ?? '',
      url: req.url ?? '',
      authorization: req.headers.authorization,
      status: 0,
    };
    seen.push(record);
    const headers: http.OutgoingHttpHeaders = { ...req.headers };
    for (const h of ['connection', 'keep-alive', 'transfer-encoding', 'upgrade']) delete headers[h];
    if (hostHeader) headers.host = hostHeader();
    const out = http.request(
      { hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers },
      (answer) => {
        record.status = answer.statusCode ?? 0;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', () => res.writeHead(502).end());
    req.pipe(out);
  });
  return { ...(await listenOnLoopback(server)), seen };
}

function assertNoUpstreamSecret(seen: readonly Seen[], where: string): void {
  for (const s of seen)
    for (const form of UPSTREAM_FORMS)
      assert.ok(
        !(s.authorization ?? '').includes(form),
        `${where} received ghcr.io's secret in ${s.method} ${s.url}`,
      );
}

void describe('credentials per endpoint, against real mirrors on loopback', () => {
  let dir: string;
  let registry: RunningRegistry;
  let front: RecordingFront;

  /** A client as the worker builds it, from these environment variables (and no docker config unless given). */
  function workerClient(env: NodeJS.ProcessEnv): RegistryClient {
    const full = {
      DOCKER_CONFIG: path.join(dir, 'none'),
      BUMPFLOW_REGISTRY_MIRRORS: `ghcr.io=${front.url}`,
      ...env,
    };
    return createRegistryClient({
      mirrors: mirrorsFromEnvironment(full),
      credentials: credentialsFromEnvironment(full),
    });
  }

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'bumpflow-endpoint-auth-'));
    registry = await startRegistry({ auth: MIRROR });
    front = await startRecordingFront(registry.url);
  });
  after(async () => {
    await front?.close();
    await registry?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  void test("with only ghcr.io's credentials, the mirror's 401 is AuthRefused and the mirror never sees them", async () => {
    const client = workerClient({ BUMPFLOW_REGISTRY_AUTH: JSON.stringify({ 'ghcr.io': UPSTREAM }) });
    front.seen.length = 0;
    const err = await rejectsWith(client.resolveDigest(ghcr('main')), FatalFailure.AuthRefused);
    assert.ok(err.message.includes(`none configured for ${front.host}`), err.message);
    assert.match(err.message, /ghcr\.io's are never sent to its mirror/);
    await rejectsWith(pushLabelledImage(client, ghcr('evil'), LABELS), FatalFailure.AuthRefused);

    assert.ok(
      front.seen.some((s) => s.status === 401),
      'the mirror challenged',
    );
    assertNoUpstreamSecret(front.seen, 'the mirror');
    assert.deepEqual(
      front.seen.filter((s) => s.authorization !== undefined),
      [],
      'nothing was presented to the mirror',
    );
    const shown = `${err.message} ${JSON.stringify(err.details)}`;
    for (const form of UPSTREAM_FORMS) assert.ok(!shown.includes(form), 'no secret in the failure');
  });

  void test("with the mirror's own credentials (BUMPFLOW_REGISTRY_AUTH by host:port) it pushes and reads", async () => {
    const client = workerClient({
      BUMPFLOW_REGISTRY_AUTH: JSON.stringify({ 'ghcr.io': UPSTREAM, [front.host]: MIRROR }),
    });
    front.seen.length = 0;
    const { digest } = await pushLabelledImage(client, ghcr('main'), LABELS);
    assert.equal(await client.resolveDigest(ghcr('main')), digest);
    assert.deepEqual((await client.getImageConfig(ghcr('main'))).labels, imageLabels(LABELS));

    const presented = new Set(front.seen.flatMap((s) => (s.authorization ? [s.authorization] : [])));
    assert.deepEqual([...presented], [basic(MIRROR)], "only the mirror's own credentials were presented");
    assertNoUpstreamSecret(front.seen, 'the mirror');
  });

  void test("the mirror's credentials from a docker config.json (keyed http://host:port) work too", async () => {
    const config = path.join(dir, 'docker');
    await mkdir(config);
    const auth = Buffer.from(`${MIRROR.username}:${MIRROR.password}`).toString('base64');
    await writeFile(
      path.join(config, 'config.json'),
      JSON.stringify({
        auths: { [`http://${front.host}`]: { auth }, 'ghcr.io': { auth: UPSTREAM_FORMS[1] } },
      }),
    );
    const client = workerClient({ DOCKER_CONFIG: config });
    front.seen.length = 0;
    assert.match(await client.resolveDigest(ghcr('main')), /^sha256:[a-f0-9]{64}$/);
    assert.ok(front.seen.some((s) => s.authorization === basic(MIRROR)));
    assertNoUpstreamSecret(front.seen, 'the mirror');
  });

  void test('a header earned at one endpoint is not sent to another (an upload Location on another host)', async () => {
    // front A makes the registry build upload Locations on front B's host; both reach the same registry
    const other = await startRecordingFront(registry.url);
    const a = await startRecordingFront(registry.url, () => other.host);
    try {
      const env = {
        DOCKER_CONFIG: path.join(dir, 'none'),
        BUMPFLOW_REGISTRY_MIRRORS: `ghcr.io=${a.url}`,
        BUMPFLOW_REGISTRY_AUTH: JSON.stringify({ [a.host]: MIRROR }),
      };
      const client = createRegistryClient({
        mirrors: mirrorsFromEnvironment(env),
        credentials: credentialsFromEnvironment(env),
      });
      const err = await rejectsWith(
        pushLabelledImage(client, ghcr('elsewhere'), LABELS, { salt: 'elsewhere' }),
        FatalFailure.AuthRefused,
      );
      assert.ok(err.message.includes(`none configured for ${other.host}`), err.message);
      assert.ok(
        a.seen.some((s) => s.authorization === basic(MIRROR)),
        'front A got its credentials',
      );
      assert.ok(other.seen.length > 0, 'the upload went on to front B');
      assert.deepEqual(
        other.seen.filter((s) => s.authorization !== undefined),
        [],
        "front A's cached header was never sent to front B",
      );
    } finally {
      await other.close();
      await a.close();
    }
  });
});

void describe('credentials per endpoint, with a token-auth mirror on loopback', () => {
  let issuer: RunningTokenIssuer;
  let registry: RunningRegistry;

  before(async () => {
    issuer = await startTokenIssuer({
      service: 'mirror-registry',
      users: [{ ...MIRROR, grants: { '*': ['pull', 'push'] } }],
    });
    registry = await startRegistry({ tokenAuth: issuer.tokenAuth });
  });
  after(async () => {
    await registry?.close();
    await issuer?.close();
  });

  const client = (auth: Record<string, unknown>) => {
    const env = {
      DOCKER_CONFIG: path.join(os.tmpdir(), `bumpflow-no-docker-config-${process.pid}`),
      BUMPFLOW_REGISTRY_MIRRORS: `ghcr.io=${registry.url}`,
      BUMPFLOW_REGISTRY_AUTH: JSON.stringify(auth),
    };
    return createRegistryClient({
      mirrors: mirrorsFromEnvironment(env),
      credentials: credentialsFromEnvironment(env),
    });
  };

  void test("the mirror's token realm gets the mirror's credentials, never ghcr.io's", async () => {
    issuer.requests.length = 0;
    const err = await rejectsWith(
      client({ 'ghcr.io': UPSTREAM }).resolveDigest(ghcr('main')),
      FatalFailure.AuthRefused,
    );
    assert.match(err.message, /no credentials \(anonymous\)/);
    assert.ok(issuer.requests.length > 0, 'the realm was asked (anonymously)');
    assert.deepEqual(
      issuer.requests.map((r) => r.account),
      issuer.requests.map(() => undefined),
      "ghcr.io's user was never presented to the mirror's realm",
    );

    issuer.requests.length = 0;
    const mirrored = client({ 'ghcr.io': UPSTREAM, [new URL(registry.url).host]: MIRROR });
    await pushLabelledImage(mirrored, ghcr('main'), LABELS);
    assert.ok(issuer.requests.length > 0);
    assert.deepEqual([...new Set(issuer.requests.map((r) => r.account))], [MIRROR.username]);
  });
});
