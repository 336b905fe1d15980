import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseCatalog, updatableImages, type CatalogImage } from '../../src/lib/catalog/catalogFile.js';
import { findChecksum, type ChecksumFormat } from '../../src/lib/catalog/checksums.js';
import { datedDirectories, latestDatedBuild, listingUrlOf } from '../../src/lib/catalog/versionFromUrl.js';
import {
  rewriteCatalogUrls,
  startImageMirror,
  type RunningImageMirror,
} from '../../src/sandbox/imageMirror.js';
import { BumpflowError, FatalFailure } from '../../src/shared/failures.js';
import { fixturesDir } from '../../src/sandbox/paths.js';

const UBUNTU = readFileSync(path.join(fixturesDir, 'openstack-image-manager', 'ubuntu.yml'), 'utf8');

async function get(url: string): Promise<{ status: number; body: Buffer; headers: Headers }> {
  const res = await fetch(url, { redirect: 'manual' });
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()), headers: res.headers };
}

async function text(url: string): Promise<string> {
  const res = await get(url);
  assert.equal(res.status, 200, url);
  return res.body.toString('utf8');
}

function sha(algorithm: 'sha256' | 'sha512', bytes: Buffer): string {
  return createHash(algorithm).update(bytes).digest('hex');
}

describe('loopback image mirror, laid out from the real Ubuntu catalog', () => {
  let mirror: RunningImageMirror;
  let images: CatalogImage[];
  const byName = (name: string): CatalogImage => images.find((i) => i.name === name)!;

  before(async () => {
    mirror = await startImageMirror({ catalog: UBUNTU });
    images = parseCatalog(mirror.rewrite(UBUNTU)).images;
  });
  after(async () => {
    await mirror.close();
  });

  it('rewrites the distro URLs to the mirror and leaves mirror_url alone', () => {
    const plain = rewriteCatalogUrls(UBUNTU, mirror.origin);
    assert.ok(!plain.includes('https://cloud-images.ubuntu.com/'));
    assert.equal(
      plain.split('https://nbg1.your-objectstorage.com/').length,
      UBUNTU.split('https://nbg1.your-objectstorage.com/').length,
    );
    assert.equal(
      byName('Ubuntu 24.04').latestUrl,
      `${mirror.origin}/noble/current/noble-server-cloudimg-amd64.img`,
    );
  });

  it('serves each updatable image: listing, dated directory, checksum file and image, the checksum matching', async () => {
    for (const image of updatableImages({ images })) {
      const listing = await text(listingUrlOf(image.latestUrl!));
      const dirs = datedDirectories(listing, listingUrlOf(image.latestUrl!));
      assert.deepEqual(
        dirs.map((d) => d.version),
        [image.versions[0]!.version],
        image.name,
      );
      const build = latestDatedBuild(
        { latestUrl: image.latestUrl!, latestChecksumUrl: image.latestChecksumUrl! },
        listing,
      )!;
      // the dated URL is the one the catalog already records (the layout the fixture points at)
      assert.equal(build.url, image.versions[0]!.url, image.name);
      const sums = await text(build.checksumUrl);
      const bytes = (await get(build.url)).body;
      assert.ok(bytes.length > 1000);
      const entry = findChecksum(sums, build.fileName, { source: build.checksumUrl });
      assert.equal(entry.hex, sha('sha256', bytes));
      assert.equal(`sha256:${entry.hex}`, image.versions[0]!.checksum, 'rewrite put the served checksum in');
      assert.match(sums, / \*[^\n]+\.manifest\n/, 'Ubuntu writes GNU binary-mode lines for every file');
    }
  });

  it('publishes a newer dated build; the listing, `current/` and the dated directory show it', async () => {
    const noble = byName('Ubuntu 24.04');
    const published = mirror.publish('Ubuntu 24.04', '20260115');
    assert.equal(published.url, `${mirror.origin}/noble/20260115/noble-server-cloudimg-amd64.img`);
    const listing = await text(`${mirror.origin}/noble/`);
    assert.match(listing, /<a href="20260115\/">20260115\/<\/a>/);
    const build = latestDatedBuild(
      { latestUrl: noble.latestUrl!, latestChecksumUrl: noble.latestChecksumUrl! },
      listing,
    )!;
    assert.equal(build.version, '20260115');
    assert.equal(build.buildDate, '2026-01-15');
    const dated = (await get(build.url)).body;
    const current = (await get(noble.latestUrl!)).body;
    assert.ok(dated.equals(current) && dated.equals(published.bytes));
    const entry = findChecksum(await text(noble.latestChecksumUrl!), 'noble-server-cloudimg-amd64.img');
    assert.equal(entry.hex, sha('sha256', dated));
    assert.notEqual(`sha256:${entry.hex}`, noble.versions[0]!.checksum);
    const head = await fetch(build.url, { method: 'HEAD' });
    assert.equal(head.headers.get('last-modified'), 'Thu, 15 Jan 2026 02:26:00 GMT');
    const index = await text(build.directoryUrl);
    assert.match(index, /<a href="SHA256SUMS">SHA256SUMS<\/a>/);
  });

  it('Minimal images live under `release-<date>/` beside `release/`', async () => {
    const minimal = byName('Ubuntu 24.04 Minimal');
    mirror.publish('Ubuntu 24.04 Minimal', '20260112');
    const listing = await text(listingUrlOf(minimal.latestUrl!));
    assert.match(listing, /href="release-20260112\/"/);
    assert.match(listing, /href="release\/"/);
    const build = latestDatedBuild(
      { latestUrl: minimal.latestUrl!, latestChecksumUrl: minimal.latestChecksumUrl! },
      listing,
    )!;
    assert.equal(
      build.url,
      `${mirror.origin}/minimal/releases/noble/release-20260112/ubuntu-24.04-minimal-cloudimg-amd64.img`,
    );
    assert.equal(
      findChecksum(await text(build.checksumUrl), build.fileName).hex,
      sha('sha256', (await get(build.url)).body),
    );
  });

  for (const format of ['gnu', 'bsd', 'bsd-sized', 'centos'] satisfies ChecksumFormat[])
    for (const algorithm of ['sha256', 'sha512'] as const)
      it(`serves ${format} checksum files with ${algorithm} when a test asks`, async () => {
        mirror.setStyle({ format, algorithm }, 'Ubuntu 22.04');
        const jammy = byName('Ubuntu 22.04');
        const sums = await text(jammy.latestChecksumUrl!);
        const entry = findChecksum(sums, 'jammy-server-cloudimg-amd64.img');
        assert.equal(entry.algorithm, algorithm);
        assert.equal(entry.format, format === 'gnu' ? 'gnu' : 'bsd');
        assert.equal(entry.hex, sha(algorithm, (await get(jammy.latestUrl!)).body));
        if (format === 'centos') assert.match(sums, /^-----BEGIN PGP SIGNED MESSAGE-----\n/);
      });

  it('a build whose checksum file omits the image → ChecksumNotFound from the reader', async () => {
    const b = mirror.publish('Ubuntu 22.04 Minimal', '20260201', { listed: false });
    const sums = await text(b.checksumUrl);
    assert.throws(
      () => findChecksum(sums, b.fileName, { source: b.checksumUrl }),
      (err: unknown) =>
        err instanceof BumpflowError &&
        err.type === FatalFailure.ChecksumNotFound &&
        err.message.includes(b.checksumUrl),
    );
    assert.equal((await get(b.url)).status, 200, 'the image file itself is there');
  });

  it('answers 404 for what it does not serve and redirects a directory without its slash', async () => {
    assert.equal((await get(`${mirror.origin}/noble/20991231/SHA256SUMS`)).status, 404);
    assert.equal((await get(`${mirror.origin}/plucky/`)).status, 404);
    const redirect = await get(`${mirror.origin}/noble/20260115`);
    assert.equal(redirect.status, 301);
    assert.equal(redirect.headers.get('location'), '/noble/20260115/');
    assert.ok(mirror.requests.some((r) => r.path === '/noble/20991231/SHA256SUMS' && r.status === 404));
  });
});
