/**
 * git over HTTP with a GitHub App's installation tokens: real bare repos served by git's own
 * `git http-backend` (src/sandbox/gitHttpServer.ts) behind HTTP Basic auth that accepts exactly the
 * tokens the GitHub stand-in (a test double of GitHub's API) issued and did not revoke or let expire.
 * https://github.com/ is mapped to that server with url.<base>.insteadOf, as the other git tests map it
 * to file paths; https://git.example.org/ to a second server that asks for nothing.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { inspect } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { execa } from 'execa';
import { createForge, forgeOptionsFromEnvironment, type Forge } from '../../src/clients/forge/index.js';
import { webHostOf } from '../../src/clients/forge/gitCredentials.js';
import { createGit, type Git, type PushInput } from '../../src/clients/git/index.js';
import { BumpflowError, FatalFailure } from '../../src/shared/failures.js';
import { createTargetRepo } from '../../src/sandbox/fixtureRepos.js';
import {
  createGitSandbox,
  readBranchFile,
  VARS_PATH,
  type GitSandbox,
} from '../../src/sandbox/gitFixtures.js';
import { startGitHttpServer, type GitHttpServer } from '../../src/sandbox/gitHttpServer.js';
import { startGitHubStandIn, type GitHubStandIn } from '../../src/sandbox/githubStandIn.js';
import {
  AUTHOR,
  bumpedVars,
  DATE,
  fixture,
  MESSAGE,
  NOTE,
  NOTE_PATH,
  rejectsWith,
  TARGET,
} from './gitHelpers.js';
import { assertNoToken, TOKEN } from './forgeSupport.js';

const APP_ID = 4242;
const URL_ = `https://github.com/${TARGET}`;
const OTHER_URL = `https://git.example.org/${TARGET}`;
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const KEY_PEM = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();

let gh: GitHubStandIn;
let sandbox: GitSandbox;
let server: GitHttpServer;
let other: GitHttpServer;
let gitEnv: Record<string, string>;
let argvLog: string;
let cacheCount = 0;
const revoked = new Set<string>();
const logged: string[] = [];
const consoleMethods = ['log', 'info', 'warn', 'error', 'debug'] as const;
const originals = consoleMethods.map((m) => [m, console[m]] as const);

/** What GitHub's git endpoint would accept: a token the stand-in issued, not revoked, not expired. */
function valid(password: string): boolean {
  const issued = gh.app!.tokens.find((t) => t.token === password);
  return issued !== undefined && !revoked.has(password) && Date.now() < Date.parse(issued.expiresAt);
}
function revokeTokens(): void {
  for (const t of gh.app!.tokens) revoked.add(t.token);
  gh.app!.revokeTokens();
}
const issuedTokens = () => gh.app!.tokens.map((t) => t.token);
const secrets = () =>
  issuedTokens().flatMap((t) => [t, Buffer.from(`x-access-token:${t}`).toString('base64')]);

before(async () => {
  for (const m of consoleMethods)
    console[m] = (...args: unknown[]) => logged.push(args.map(String).join(' '));
  gh = await startGitHubStandIn({ token: TOKEN, app: { id: APP_ID, publicKey } });
  gh.app!.install('vexxhost');
  sandbox = await createGitSandbox();
  await createTargetRepo(sandbox);
  const remotes = path.dirname(path.dirname(sandbox.barePath(TARGET)));
  server = await startGitHttpServer({
    root: remotes,
    authorize: (user, password) => user === 'x-access-token' && valid(password),
  });
  other = await startGitHttpServer({ root: remotes });
  // A `git` first on PATH that notes its argv and the names of its GIT_CONFIG keys, then runs git itself.
  const bin = path.join(sandbox.root, 'bin');
  argvLog = path.join(sandbox.root, 'argv.log');
  const realGit = (await execa('sh', ['-c', 'command -v git'])).stdout.trim();
  await mkdir(bin);
  await writeFile(
    path.join(bin, 'git'),
    `#!/bin/sh\n{ printf 'argv:'; printf ' %s' "$@"; printf '\\n'; env | grep '^GIT_CONFIG_KEY_'; } >> '${argvLog}'\nexec '${realGit}' "$@"\n`,
  );
  await chmod(path.join(bin, 'git'), 0o755);
  gitEnv = {
    PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_COUNT: '2',
    GIT_CONFIG_KEY_0: `url.${server.url}/.insteadOf`,
    GIT_CONFIG_VALUE_0: 'https://github.com/',
    GIT_CONFIG_KEY_1: `url.${other.url}/.insteadOf`,
    GIT_CONFIG_VALUE_1: 'https://git.example.org/',
  };
});
after(async () => {
  for (const [m, fn] of originals) console[m] = fn;
  await server?.close();
  await other?.close();
  await gh?.close();
  await sandbox?.close();
});

function appForge(): Forge {
  const env = {
    GITHUB_API_URL: gh.url,
    GITHUB_SERVER_URL: 'https://github.com',
    BUMPFLOW_GITHUB_APP_ID: String(APP_ID),
    BUMPFLOW_GITHUB_APP_PRIVATE_KEY: KEY_PEM,
  };
  return createForge({ ...forgeOptionsFromEnvironment(env), timeoutMs: 5_000 });
}
/** A git client with its own cache, so every call here talks to the remote. */
function gitOf(forge: Forge | undefined, env: Record<string, string> = {}): Git {
  const workDir = path.join(sandbox.root, `cache-${(cacheCount += 1)}`);
  const credentials = forge?.gitCredentials;
  return createGit({ workDir, env: { ...gitEnv, ...env }, ...(credentials ? { credentials } : {}) });
}
async function pushInput(url: string, branch: string, digest: string): Promise<PushInput> {
  return {
    url,
    baseBranch: branch,
    workBranch: `bump-magnum-${branch.replace(/^stable\//, '')}`,
    files: [
      { path: VARS_PATH, content: await bumpedVars(branch, digest.repeat(64)) },
      { path: NOTE_PATH, content: NOTE },
    ],
    message: MESSAGE,
    author: AUTHOR,
    date: DATE,
  };
}
function assertNoSecretIn(text: string, where: string): void {
  for (const secret of secrets()) assert.ok(!text.includes(secret), `a token or its header in ${where}`);
}

void describe('git with the GitHub App', () => {
  void test('ls-remote, a file at a branch and a push go through with the installation token', async () => {
    const git = gitOf(appForge());
    const seenBefore = server.requests.length;
    const heads = await git.lsRemoteHeads(URL_);
    assert.deepEqual([...heads.keys()].sort(), ['main', 'stable/2024.2', 'stable/2025.1']);
    assert.equal(await git.readFile(URL_, { branch: 'main' }, VARS_PATH), await fixture('main.yml'));

    const input = await pushInput(URL_, 'stable/2025.1', 'b');
    const result = await git.pushBranch(input);
    assert.equal(result.pushed, true);
    assert.equal(result.baseSha, heads.get('stable/2025.1'));
    assert.equal(
      await readBranchFile(sandbox, TARGET, 'bump-magnum-2025.1', VARS_PATH),
      input.files[0]?.content,
    );

    const seen = server.requests.slice(seenBefore);
    assert.ok(seen.some((r) => r.method === 'POST' && r.path.endsWith('/git-receive-pack')));
    assert.ok(seen.some((r) => r.method === 'POST' && r.path.endsWith('/git-upload-pack')));
    for (const r of seen) {
      assert.equal(r.user, 'x-access-token', `${r.method} ${r.path}`);
      assert.ok(issuedTokens().includes(r.password ?? ''), 'a token the stand-in issued');
      assert.equal(r.status, 200, `${r.method} ${r.path}`);
    }
  });

  void test('the token reaches git by environment only: never argv, an error or a log line', async () => {
    await writeFile(argvLog, '');
    const forge = appForge();
    // A trace of every header git sends, as an operator debugging would turn on: git's stderr then holds it.
    const git = gitOf(forge, { GIT_TRACE_CURL: '1', GIT_TRACE_REDACT: '0' });
    await git.lsRemoteHeads(URL_);
    const err = await rejectsWith(
      git.readFile(URL_, { branch: 'no-such-branch' }, VARS_PATH),
      FatalFailure.MissingBranch,
    );
    const missing = await rejectsWith(
      git.lsRemoteHeads('https://github.com/vexxhost/no-such-repo'),
      FatalFailure.RepoNotFound,
    );
    assert.match(missing.message, /Authorization: Basic \[REDACTED\]/, 'the trace was quoted, redacted');
    for (const secret of secrets()) {
      assertNoToken(err, secret);
      assertNoToken(missing, secret);
    }

    const previous = process.env.BUMPFLOW_LAUNCHER;
    process.env.BUMPFLOW_LAUNCHER = 'off';
    try {
      await gitOf(forge).lsRemoteHeads(URL_);
    } finally {
      if (previous === undefined) delete process.env.BUMPFLOW_LAUNCHER;
      else process.env.BUMPFLOW_LAUNCHER = previous;
    }
    const log = await readFile(argvLog, 'utf8');
    assert.match(log, /^argv: ls-remote --heads -- https:\/\/github\.com\/vexxhost\/atmosphere$/m);
    assert.match(log, /^argv: fetch /m);
    // the caller's two insteadOf entries keep their numbers; the header is the third
    assert.match(log, /^GIT_CONFIG_KEY_0=url\..*\.insteadOf$/m);
    assert.match(log, /^GIT_CONFIG_KEY_2=http\.extraHeader$/m);
    assertNoSecretIn(log, 'the argv and config keys of git');
    assertNoSecretIn(logged.join('\n'), 'a log line');
  });

  void test('without the hook (a personal token: git’s own credentials) the push is refused: AuthRefused', async () => {
    assert.equal(createForge({ baseUrl: gh.url, token: TOKEN }).gitCredentials, undefined);
    const seenBefore = server.requests.length;
    const err = await rejectsWith(
      gitOf(undefined).pushBranch(await pushInput(URL_, 'main', 'c')),
      FatalFailure.AuthRefused,
    );
    assert.match(err.message, /expected the remote to accept our credentials/);
    const seen = server.requests.slice(seenBefore);
    assert.ok(seen.length > 0 && seen.every((r) => r.status === 401 && !r.authorization));
    assert.equal(
      await readBranchFile(sandbox, TARGET, 'bump-magnum-main', VARS_PATH).catch(() => undefined),
      undefined,
    );
  });

  void test('a revoked token is replaced once and the call goes through', async () => {
    const git = gitOf(appForge());
    await git.lsRemoteHeads(URL_);
    const before = issuedTokens().length;
    revokeTokens();
    const seenBefore = server.requests.length;
    const heads = await git.lsRemoteHeads(URL_);
    assert.ok(heads.has('main'));
    assert.equal(issuedTokens().length, before + 1, 'one new token');
    const seen = server.requests.slice(seenBefore);
    const [refused, ...rest] = seen;
    assert.equal(refused?.status, 401, 'the revoked token is refused once');
    assert.ok(revoked.has(refused?.password ?? ''));
    assert.ok(rest.length > 0 && rest.every((r) => r.status === 200 && r.password === issuedTokens().at(-1)));
  });

  void test('a token near its expiry is replaced before the call: no request refused', async () => {
    gh.app!.tokenLifetimeSeconds = 2;
    try {
      const git = gitOf(appForge());
      await git.lsRemoteHeads(URL_);
      const first = gh.app!.tokens.at(-1)!;
      await new Promise((r) => setTimeout(r, Date.parse(first.expiresAt) - Date.now() + 100));
      const seenBefore = server.requests.length;
      assert.equal(await git.readFile(URL_, { branch: 'main' }, VARS_PATH), await fixture('main.yml'));
      const seen = server.requests.slice(seenBefore);
      assert.ok(seen.length >= 2);
      assert.ok(seen.every((r) => r.status === 200 && r.password !== first.token));
    } finally {
      gh.app!.tokenLifetimeSeconds = 3600;
    }
  });

  void test('a URL on another host gets no credentials: its server sees no Authorization header', async () => {
    const forge = appForge();
    assert.equal(await forge.gitCredentials!(OTHER_URL), undefined);
    assert.equal(await forge.gitCredentials!(`git@github.com:${TARGET}.git`), undefined);
    assert.equal(await forge.gitCredentials!(`http://github.com/${TARGET}`), undefined);
    assert.equal((await forge.gitCredentials!(URL_))?.username, 'x-access-token');

    const seenBefore = other.requests.length;
    const heads = await gitOf(forge).lsRemoteHeads(OTHER_URL);
    assert.ok(heads.has('main'));
    const seen = other.requests.slice(seenBefore);
    assert.ok(seen.length > 0 && seen.every((r) => !r.authorization && r.status === 200));
  });

  void test('the web host: GITHUB_SERVER_URL, else derived from the API root', () => {
    assert.equal(webHostOf('https://api.github.com'), 'github.com');
    assert.equal(webHostOf('https://api.octo.ghe.com'), 'octo.ghe.com');
    assert.equal(webHostOf('https://ghe.example.com/api/v3'), 'ghe.example.com');
    assert.equal(webHostOf(gh.url), new URL(gh.url).host);
    assert.equal(webHostOf(gh.url, 'https://github.com/'), 'github.com');
    assert.throws(
      () => webHostOf(gh.url, 'ftp://user:pw@github.com'),
      (e: unknown) =>
        e instanceof BumpflowError &&
        e.type === FatalFailure.ForgeMisconfigured &&
        /GITHUB_SERVER_URL/.test(e.message) &&
        !e.message.includes('pw') &&
        inspect(e).length > 0,
    );
  });
});
