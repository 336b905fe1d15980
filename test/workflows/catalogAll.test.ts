/**
 * One catalog update over several files, on real parts: every vendored OSISM
 * catalog (almalinux, centos, debian, rockylinux, ubuntu) committed at
 * etc/images/<distro>.yml in one git bare repo, their URLs moved to the
 * loopback distro mirror serving all of them, the Temporal dev server, the
 * git push, the GitHub stand-in for the PR, and MinIO as the S3 mirror in one
 * case. A run without `path` reads every catalog directly in etc/images/ at
 * one head (`paths` reads the files named): one table, one approval, one
 * commit touching only the changed files, one PR. Every pushed file is
 * compared whole with bytes the test builds itself from the committed text.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ChecksumAlgorithm } from '../../src/lib/catalog/checksums.js';
import type { MirrorBuild } from '../../src/sandbox/imageMirror.js';
import type { CatalogResult, CatalogStatus } from '../../src/shared/catalog.js';
import type { CatalogWorldOptions } from '../../src/sandbox/catalogWorld.js';
import { startTemporal } from '../support/temporal.js';
import { storeOf } from '../clients/s3MirrorHelpers.js';
import {
  approveCatalog as approve,
  checksumOf,
  DISTRO_CATALOGS,
  filesTouchedOn,
  imageBlock,
  inCatalogWorld,
  inImage,
  swapsFor,
  type CatalogRun,
  type CatalogWorld,
} from '../support/catalog.js';

const UBUNTU = 'etc/images/ubuntu.yml';
const DEBIAN = 'etc/images/debian.yml';
const ALMA = 'etc/images/almalinux.yml';
/** every catalog of the world, by path */
const ALL = DISTRO_CATALOGS.map((d) => `etc/images/${d}.yml`).sort();

/** every image the update checks (enabled, with latest_url), and its file */
const CHECKED: Record<string, string> = {
  'AlmaLinux 9': ALMA,
  'CentOS Stream 9': 'etc/images/centos.yml',
  'Debian 11': DEBIAN,
  'Debian 12': DEBIAN,
  'Debian 13': DEBIAN,
  'Rocky 9': 'etc/images/rockylinux.yml',
  'Ubuntu 22.04': UBUNTU,
  'Ubuntu 22.04 Minimal': UBUNTU,
  'Ubuntu 24.04': UBUNTU,
  'Ubuntu 24.04 Minimal': UBUNTU,
};

interface Newer {
  file: string;
  image: string;
  version: string;
  shortname: string;
  algorithm: ChecksumAlgorithm;
}

/** One Ubuntu and one Debian image, in two files, each in its distro's checksum algorithm. */
const TWO: readonly Newer[] = [
  { file: DEBIAN, image: 'Debian 12', version: '20260201', shortname: 'debian-12', algorithm: 'sha512' },
  {
    file: UBUNTU,
    image: 'Ubuntu 24.04',
    version: '20260115',
    shortname: 'ubuntu-24.04',
    algorithm: 'sha256',
  },
];

const awaiting = (s: CatalogStatus) => s.state === 'awaiting-approval';

/** Publishes each newer build; the changed files' expected texts (update.py's swaps on the committed text). */
function publish(
  world: CatalogWorld,
  newer: readonly Newer[],
): { expected: Record<string, string>; builds: Map<string, MirrorBuild> } {
  const expected: Record<string, string> = {};
  const builds = new Map<string, MirrorBuild>();
  for (const n of newer) {
    const old = world.mirror.latest(n.image);
    const next = world.mirror.publish(n.image, n.version);
    builds.set(n.image, next);
    const text = expected[n.file] ?? world.texts[n.file]!;
    expected[n.file] = inImage(text, n.image, swapsFor(old, next, n.shortname, n.algorithm));
  }
  return { expected, builds };
}

/** The 1-based line of the first `needle` at or after `from` in `text`. */
function lineAt(text: string, needle: string, from = 0): number {
  const at = text.indexOf(needle, from);
  assert.ok(at >= 0, `expected ${JSON.stringify(needle)} in the text`);
  return text.slice(0, at).split('\n').length;
}

/** `promise`, or a failure naming `what` after `ms` (a run that waits for approval would never settle). */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`expected ${what} within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The rows come file by file, in the order of `files`. */
function assertFileByFile(s: CatalogStatus): void {
  const order = s.images.map((r) => s.files!.indexOf(r.file!));
  assert.ok(
    order.every((n, i) => n >= 0 && (i === 0 || n >= order[i - 1]!)),
    `rows file by file: ${s.images.map((r) => `${r.file}:${r.image}`).join(', ')}`,
  );
}

/** The update rows as [file, image, new version], by file. */
const updatesOf = (s: CatalogResult) =>
  s.images
    .filter((r) => r.change === 'update')
    .map((r) => [r.file, r.image, r.new?.version])
    .sort();

describe('updateCatalog over every catalog of etc/images/', { timeout: 300_000 }, () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await startTemporal();
  });
  after(async () => {
    await env?.teardown();
  });

  const inAll = <T>(
    slug: string,
    options: CatalogWorldOptions,
    fn: (world: CatalogWorld, run: CatalogRun) => Promise<T>,
  ): Promise<T> => inCatalogWorld(env, slug, { catalogs: DISTRO_CATALOGS, ...options }, fn);

  it('two new builds in two files: one table, one approval, one commit of exactly those files, one PR', async () => {
    await inAll('osism/all-two', {}, async (world, run) => {
      assert.deepEqual(Object.keys(world.texts).sort(), ALL);
      const { expected, builds } = publish(world, TWO);

      const h = await run.start({});
      const waiting = await run.statusWhen(h, awaiting, 'awaiting approval');
      assert.equal(waiting.path, 'etc/images/');
      assert.deepEqual(waiting.files, ALL, 'the five catalogs, by path');
      assert.deepEqual(
        Object.fromEntries(waiting.images.map((r) => [r.image, r.file])),
        CHECKED,
        'every checked image, with its file',
      );
      assertFileByFile(waiting);
      assert.deepEqual(updatesOf(waiting), [
        [DEBIAN, 'Debian 12', '20260201'],
        [UBUNTU, 'Ubuntu 24.04', '20260115'],
      ]);
      for (const n of TWO) {
        const row = waiting.images.find((r) => r.image === n.image)!;
        assert.equal(row.new?.checksum, checksumOf(n.algorithm, builds.get(n.image)!.bytes), n.image);
        assert.equal(row.new?.url, builds.get(n.image)!.url, n.image);
      }
      assert.ok(waiting.skipped.length > 0);
      assert.ok(
        waiting.skipped.every((s) => s.file !== undefined && ALL.includes(s.file)),
        'every skipped image names its file',
      );
      assert.equal(
        waiting.skipped.filter((s) => s.file === UBUNTU).length,
        7,
        "Ubuntu's seven disabled images",
      );
      assert.deepEqual(Object.keys(world.branches()), ['main'], 'nothing pushed before approval');

      await approve(h);
      const result = await run.result(h);
      assert.equal(result.state, 'pr-opened', JSON.stringify(result.error));
      const branch = result.workBranch!;
      assert.match(branch, /^update-images-[0-9a-f]{12}$/);
      assert.deepEqual(Object.keys(world.branches()).sort(), [branch, 'main'].sort(), 'one work branch');
      assert.deepEqual(filesTouchedOn(world, branch), [[DEBIAN, UBUNTU]], 'one commit, the two files');
      const commits = world.commitsOn(branch);
      assert.equal(commits.length, 1);
      for (const n of TWO)
        assert.ok(commits[0]!.includes(n.image), `the commit names ${n.image}:\n${commits[0]}`);
      for (const file of ALL) {
        assert.equal(world.fileOn(branch, file), expected[file] ?? world.texts[file], `${file} on ${branch}`);
        assert.equal(world.fileOn('main', file), world.texts[file], `${file} on main untouched`);
      }
      assert.notEqual(expected[DEBIAN], world.texts[DEBIAN]);
      assert.notEqual(expected[UBUNTU], world.texts[UBUNTU]);

      assert.equal(world.github.pulls.length, 1, 'one PR');
      const pr = world.github.pulls[0]!;
      assert.equal(pr.head, branch);
      assert.equal(pr.base, 'main');
      assert.equal(result.prNumber, pr.number);
      assert.match(pr.title, /2 images/, pr.title);
      for (const n of TWO) {
        assert.ok(pr.body.includes(n.file), `the PR names ${n.file}:\n${pr.body}`);
        assert.ok(pr.body.includes(n.image), `the PR names ${n.image}:\n${pr.body}`);
        assert.ok(pr.body.includes(n.version), `the PR names ${n.version}:\n${pr.body}`);
      }
    });
  });

  it('nothing new in any catalog: no-op without an approval wait, no branch, no PR', async () => {
    await inAll('osism/all-quiet', {}, async (world, run) => {
      const result = await within(run.result(await run.start({})), 60_000, 'a no-op without approval');
      assert.equal(result.state, 'no-op', JSON.stringify(result.error));
      assert.deepEqual(result.files, ALL);
      assert.deepEqual(Object.fromEntries(result.images.map((r) => [r.image, r.file])), CHECKED);
      assert.ok(result.images.every((r) => r.change === 'unchanged'));
      assert.equal(result.approvedBy, undefined, 'never approved');
      assert.equal(result.workBranch, undefined);
      assert.deepEqual(Object.keys(world.branches()), ['main']);
      assert.equal(world.github.pulls.length, 0);
    });
  });

  it('one malformed catalog among them: MalformedCatalog naming the file and line, nothing fetched or pushed', async () => {
    // Debian 12's version entry without its checksum
    const broken = (text: string, file: string) => {
      if (file !== DEBIAN) return text;
      const { start, end } = imageBlock(text, 'Debian 12');
      const part = text.slice(start, end).replace(/ {8}checksum: \n {10}sha512:[0-9a-f]+\n/, '');
      assert.notEqual(part, text.slice(start, end), "Debian 12's checksum removed");
      return text.slice(0, start) + part + text.slice(end);
    };
    await inAll('osism/all-bad', { transform: broken }, async (world, run) => {
      world.mirror.publish('Ubuntu 24.04', '20260115'); // another file has an update
      const text = world.texts[DEBIAN]!;
      const line = lineAt(text, '      - build_date:', imageBlock(text, 'Debian 12').start);
      const failure = await run.failure(await run.start({}));
      assert.equal(failure.type, 'MalformedCatalog', failure.message);
      assert.ok(failure.message.includes(`main:${DEBIAN} line ${line}:`), failure.message);
      assert.match(failure.message, /image #2 \("Debian 12"\) versions\.0\.checksum/);
      assert.deepEqual(world.mirror.requests, [], 'nothing fetched: every file is validated first');
      assert.deepEqual(Object.keys(world.branches()), ['main'], 'no work branch');
      assert.equal(world.github.pulls.length, 0, 'no PR');
    });
  });

  it('a checksum file without one image: ChecksumNotFound naming the file, the image and its line; nothing pushed', async () => {
    await inAll('osism/all-unlisted', {}, async (world, run) => {
      world.mirror.publish('Debian 12', '20260201'); // another file has an update
      world.mirror.publish('Ubuntu 22.04', '20260130', { listed: false });
      const line = lineAt(world.texts[UBUNTU]!, '  - name: Ubuntu 22.04\n');
      const failure = await run.failure(await run.start({}));
      assert.equal(failure.type, 'ChecksumNotFound', failure.message);
      assert.ok(
        failure.message.startsWith(`${UBUNTU}: Ubuntu 22.04 (line ${line})`),
        `the message names the file, the image and its line: ${failure.message}`,
      );
      assert.match(failure.message, /jammy-server-cloudimg-amd64\.img/);
      assert.deepEqual(Object.keys(world.branches()), ['main'], 'no work branch');
      assert.equal(world.github.pulls.length, 0, 'no PR');
    });
  });

  it('with the S3 mirror: both new images uploaded, bytes as served; the PR lists both objects', async () => {
    await inAll('osism/all-mirror', { mirror: true }, async (world, run) => {
      const store = storeOf(world.store!.minio);
      const { expected, builds } = publish(world, TWO);
      const keyOf = (n: Newer) => `openstack-images/${n.shortname}/${n.version}-${n.shortname}.qcow2`;

      const h = await run.start({});
      await run.statusWhen(h, awaiting, 'awaiting approval');
      assert.deepEqual(await store.keys(), [], 'nothing uploaded before approval');
      await approve(h);
      const result = await run.result(h);
      assert.equal(result.state, 'pr-opened', JSON.stringify(result.error));
      for (const file of ALL)
        assert.equal(world.fileOn(result.workBranch!, file), expected[file] ?? world.texts[file], file);

      assert.deepEqual(await store.keys(), TWO.map(keyOf).sort(), 'one object per new image');
      const mirrored = [];
      for (const n of TWO) {
        const res = await fetch(builds.get(n.image)!.url);
        assert.equal(res.status, 200);
        const served = Buffer.from(await res.arrayBuffer());
        assert.ok((await store.objectBytes(keyOf(n))).equals(served), `${keyOf(n)} holds the bytes served`);
        mirrored.push({
          file: n.file,
          image: n.image,
          key: keyOf(n),
          size: served.length,
          checksum: checksumOf(n.algorithm, served),
          uploaded: true,
        });
      }
      assert.deepEqual(await store.uploadsUnder(''), [], 'no upload left in the store');
      const byImage = (a: { image: string }, b: { image: string }) => a.image.localeCompare(b.image);
      assert.deepEqual([...(result.mirrored ?? [])].sort(byImage), mirrored.sort(byImage));
      assert.equal(world.github.pulls.length, 1, 'one PR');
      const body = world.github.pulls[0]!.body;
      for (const m of mirrored) assert.ok(body.includes(`\`${m.key}\``), `the PR lists ${m.key}:\n${body}`);
    });
  });

  it('a README and a subfolder beside the catalogs are not read', async () => {
    const extraFiles = {
      'etc/images/README.md':
        '# Images\n\nOne catalog per distribution; etc/images/old/ keeps retired ones.\n',
      // not a valid catalog either: reading it would fail the run
      'etc/images/old/x.yml': 'images:\n  - name: [unclosed\n',
    };
    await inAll('osism/all-extra', { extraFiles }, async (world, run) => {
      for (const [file, text] of Object.entries(extraFiles)) assert.equal(world.fileOn('main', file), text);
      world.mirror.publish('Rocky 9', '20260301');
      const result = await run.result(await run.start({ dryRun: true }));
      assert.equal(result.state, 'dry-run', JSON.stringify(result.error));
      assert.deepEqual(result.files, ALL, 'only the five catalogs');
      assert.ok(result.images.every((r) => r.file !== undefined && ALL.includes(r.file)));
      assert.deepEqual(updatesOf(result), [['etc/images/rockylinux.yml', 'Rocky 9', '20260301']]);
      assert.deepEqual(Object.keys(world.branches()), ['main'], 'a dry run pushes nothing');
      assert.equal(world.github.pulls.length, 0);
    });
  });

  it('paths: two files named, only those two read', async () => {
    await inAll('osism/all-paths', {}, async (world, run) => {
      const { expected } = publish(world, [TWO[0]!]);
      const alma = world.mirror.publish('AlmaLinux 9', '20260301'); // in a file not named
      const named = [DEBIAN, UBUNTU];

      const h = await run.start({ paths: named });
      const waiting = await run.statusWhen(h, awaiting, 'awaiting approval');
      assert.deepEqual(waiting.files, named);
      assert.equal(waiting.path, named.join(', '));
      assert.deepEqual(
        waiting.images.map((r) => r.image).sort(),
        Object.keys(CHECKED)
          .filter((i) => named.includes(CHECKED[i]!))
          .sort(),
      );
      assert.ok(waiting.images.every((r) => named.includes(r.file!)));
      assert.ok(waiting.skipped.every((s) => named.includes(s.file!)));
      assert.deepEqual(updatesOf(waiting), [[DEBIAN, 'Debian 12', '20260201']]);
      const almaPaths = [alma.checksumUrl, alma.url].map((u) => new URL(u).pathname);
      assert.deepEqual(
        world.mirror.requests.filter((r) => almaPaths.includes(r.path)),
        [],
        "AlmaLinux's mirror never read",
      );

      await approve(h);
      const result = await run.result(h);
      assert.equal(result.state, 'pr-opened', JSON.stringify(result.error));
      const branch = result.workBranch!;
      assert.deepEqual(filesTouchedOn(world, branch), [[DEBIAN]], 'one commit, the one changed file');
      for (const file of ALL)
        assert.equal(world.fileOn(branch, file), expected[file] ?? world.texts[file], file);
      assert.equal(world.github.pulls.length, 1, 'one PR');
    });
  });
});
