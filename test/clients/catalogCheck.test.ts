/**
 * The catalog update's mirror read (`checkImage`, src/activities/catalog/catalogCheck.ts)
 * over real HTTP against the loopback distro mirror laid out from each
 * vendored real catalog: every image with latest_url is found as its
 * versions[0] records it (the mirror serves each distro's layout and the
 * product reads each form), a newer build is found with the version update.py
 * records (the dated directory, or the image's Last-Modified day), and an
 * image its checksum file names that is missing or undated fails typed.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { imageChecker } from '../../src/activities/catalog/catalogCheck.js';
import { createHttpFetch } from '../../src/clients/httpFetch.js';
import { parseCatalog, updatableImages, type CatalogImage } from '../../src/lib/catalog/catalogFile.js';
import type { CatalogImageRef } from '../../src/shared/catalog.js';
import { BumpflowError, FatalFailure } from '../../src/shared/failures.js';
import { DISTRO_CATALOGS, fixtureCatalog } from '../../src/sandbox/catalogWorld.js';
import { startImageMirror, type RunningImageMirror } from '../../src/sandbox/imageMirror.js';
import { checksumOf } from '../support/catalog.js';

const checkImage = imageChecker(createHttpFetch({ timeoutMs: 5_000 }));

function refOf(image: CatalogImage): CatalogImageRef {
  const first = image.versions[0]!;
  return {
    name: image.name,
    line: image.line,
    latestUrl: image.latestUrl!,
    latestChecksumUrl: image.latestChecksumUrl!,
    current: { version: first.version, buildDate: first.buildDate, checksum: first.checksum, url: first.url },
  };
}

async function withMirror(
  distro: (typeof DISTRO_CATALOGS)[number],
  fn: (mirror: RunningImageMirror, images: CatalogImage[]) => Promise<void>,
): Promise<void> {
  const fixture = await fixtureCatalog(distro);
  const mirror = await startImageMirror({ catalog: fixture });
  try {
    await fn(mirror, parseCatalog(mirror.rewrite(fixture)).images);
  } finally {
    await mirror.close();
  }
}

describe('checkImage on the loopback mirror of every real catalog', () => {
  for (const distro of DISTRO_CATALOGS)
    it(`${distro}.yml: every enabled image found as versions[0] records it, without reading the image`, async () => {
      await withMirror(distro, async (mirror, images) => {
        const enabled = updatableImages({ images });
        assert.ok(enabled.length > 0);
        for (const image of enabled) {
          const first = image.versions[0]!;
          const found = await checkImage({ image: refOf(image) });
          assert.deepEqual(
            { version: found.version, buildDate: found.buildDate, checksum: found.checksum, url: found.url },
            { version: first.version, buildDate: first.buildDate, checksum: first.checksum, url: first.url },
            image.name,
          );
        }
        assert.deepEqual(
          mirror.requests.filter((r) => r.method !== 'GET' || r.status !== 200),
          [],
          'only GETs of listings and checksum files, all there',
        );
      });
    });

  it('an undated image (CentOS, AlmaLinux, Rocky): a newer build dated by its Last-Modified, read by HEAD', async () => {
    for (const [distro, name] of [
      ['centos', 'CentOS Stream 9'],
      ['almalinux', 'AlmaLinux 9'],
      ['rockylinux', 'Rocky 9'],
    ] as const)
      await withMirror(distro, async (mirror, images) => {
        const next = mirror.publish(name, '20260301');
        const found = await checkImage({ image: refOf(images.find((i) => i.name === name)!) });
        assert.deepEqual(found, {
          version: '20260301',
          buildDate: '2026-03-01',
          checksum: checksumOf('sha256', next.bytes),
          url: next.url,
          checksumUrl: images.find((i) => i.name === name)!.latestChecksumUrl,
        });
        const heads = mirror.requests.filter((r) => r.method === 'HEAD');
        assert.deepEqual(heads, [{ method: 'HEAD', path: new URL(next.url).pathname, status: 200 }], distro);
      });
  });

  it('the image a checksum file names missing → ImageNotFound; served without Last-Modified → NoDatedBuild', async () => {
    await withMirror('centos', async (mirror, images) => {
      const image = refOf(images.find((i) => i.name === 'CentOS Stream 9')!);
      const next = mirror.publish('CentOS Stream 9', '20260301');
      const path = new URL(next.url).pathname;
      const failsWith = async (type: string, fragment: string) =>
        assert.rejects(checkImage({ image }), (err: unknown) => {
          assert.ok(err instanceof BumpflowError, String(err));
          assert.equal(err.type, type);
          assert.ok(err.message.includes(fragment), err.message);
          return true;
        });
      mirror.faults.missing.add(path);
      await failsWith(FatalFailure.ImageNotFound, `CentOS Stream 9 (line ${image.line}): expected the image`);
      mirror.faults.missing.clear();
      mirror.faults.undated.add(path);
      await failsWith(FatalFailure.NoDatedBuild, `${next.url} to answer 200 with a Last-Modified date`);
      mirror.faults.undated.clear();
      assert.equal((await checkImage({ image })).version, '20260301');
    });
  });
});
