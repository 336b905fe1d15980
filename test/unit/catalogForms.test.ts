/**
 * Each distro's resolution form (src/lib/catalog/resolutionForm.ts) on the
 * real vendored catalogs and on what the real mirrors served when OSISM
 * captured them for update.py's golden test (fixtures/openstack-image-manager/mirrors):
 * the same images and checksums update.py finds there.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseCatalog } from '../../src/lib/catalog/catalogFile.js';
import {
  checksumOfFile,
  impliedAlgorithm,
  latestFileChecksum,
  naturalCompare,
  newestMatching,
  resolutionForm,
  versionFromLastModified,
  type ResolutionForm,
} from '../../src/lib/catalog/resolutionForm.js';
import { latestDatedBuild } from '../../src/lib/catalog/versionFromUrl.js';
import { FatalFailure } from '../../src/shared/failures.js';
import { fixturesDir } from '../../src/sandbox/paths.js';
import { throwsTyped } from '../support/typedFailures.js';

const DIR = path.join(fixturesDir, 'openstack-image-manager');
const fixture = (...parts: string[]) => readFileSync(path.join(DIR, ...parts), 'utf8');
const mirrored = (...parts: string[]) => fixture('mirrors', ...parts);

const STREAM9 = {
  latestUrl:
    'https://cloud.centos.org/centos/9-stream/x86_64/images/CentOS-Stream-GenericCloud-9-HEREBE\\d+\\.\\dDRAGONS.x86_64.qcow2',
  latestChecksumUrl: 'https://cloud.centos.org/centos/9-stream/x86_64/images/CHECKSUM',
};
const CENTOS7 = {
  latestUrl:
    'https://cloud.centos.org/centos/7/images/CentOS-7-x86_64-GenericCloud-HEREBE\\d+\\.qcow2$DRAGONS',
  latestChecksumUrl: 'https://cloud.centos.org/centos/7/images/sha256sum.txt',
};
const ALMA9 = {
  latestUrl:
    'https://repo.almalinux.org/almalinux/9/cloud/x86_64/images/AlmaLinux-9-GenericCloud-latest.x86_64.qcow2',
  latestChecksumUrl: 'https://repo.almalinux.org/almalinux/9/cloud/x86_64/images/CHECKSUM',
};
const ROCKY9 = {
  latestUrl:
    'https://download.rockylinux.org/pub/rocky/9/images/x86_64/Rocky-9-GenericCloud.latest.x86_64.qcow2',
  latestChecksumUrl:
    'https://download.rockylinux.org/pub/rocky/9/images/x86_64/Rocky-9-GenericCloud.latest.x86_64.qcow2.CHECKSUM',
};

function formOf<K extends ResolutionForm['kind']>(
  image: { latestUrl: string; latestChecksumUrl: string },
  kind: K,
): Extract<ResolutionForm, { kind: K }> {
  const form = resolutionForm(image, 'test');
  assert.equal(form.kind, kind, image.latestUrl);
  return form as Extract<ResolutionForm, { kind: K }>;
}

const options = (image: { latestChecksumUrl: string }) => ({
  source: image.latestChecksumUrl,
  checksumUrl: image.latestChecksumUrl,
});

describe('the resolution form of every image of the real catalogs', () => {
  it('is told apart by latest_url, as update.py handles each catalog file', () => {
    const expected: Record<string, ResolutionForm['kind']> = {
      almalinux: 'latest-file',
      centos: 'name-pattern',
      debian: 'dated-directories',
      rockylinux: 'latest-file',
      ubuntu: 'dated-directories',
    };
    let images = 0;
    for (const [distro, kind] of Object.entries(expected))
      for (const image of parseCatalog(fixture(`${distro}.yml`)).images) {
        if (image.latestUrl === undefined || image.latestChecksumUrl === undefined) continue;
        const form = resolutionForm(
          { latestUrl: image.latestUrl, latestChecksumUrl: image.latestChecksumUrl },
          distro,
        );
        assert.equal(form.kind, kind, `${distro}: ${image.name}`);
        if (form.kind === 'latest-file')
          assert.equal(form.ownChecksumFile, distro === 'rockylinux', image.name);
        images++;
      }
    assert.equal(images, 22, 'every image with latest_url (disabled ones too)');
  });
});

describe('CentOS: the newest name in CHECKSUM matching HEREBE…DRAGONS', () => {
  it('finds the newest GenericCloud compose in the real Stream 9 CHECKSUM (BSD lines, size comments)', () => {
    const form = formOf(STREAM9, 'name-pattern');
    assert.equal(form.directoryUrl, 'https://cloud.centos.org/centos/9-stream/x86_64/images/');
    const found = newestMatching(mirrored('centos_stream9', 'CHECKSUM'), form, options(STREAM9));
    assert.equal(found.fileName, 'CentOS-Stream-GenericCloud-9-20260714.1.x86_64.qcow2');
    assert.equal(found.url, `${form.directoryUrl}CentOS-Stream-GenericCloud-9-20260714.1.x86_64.qcow2`);
    assert.equal(found.entry.hex, '2aa1716dc75fc5485df1b221d3d930f276024d70024f68f9ee047dad0e03d85d');
    assert.equal(found.entry.format, 'bsd');
  });

  it('CentOS 7: the pattern holds the extension and `$`; GNU lines of sha256sum.txt', () => {
    const form = formOf(CENTOS7, 'name-pattern');
    const found = newestMatching(mirrored('centos7', 'sha256sum.txt'), form, options(CENTOS7));
    assert.equal(
      found.url,
      'https://cloud.centos.org/centos/7/images/CentOS-7-x86_64-GenericCloud-2211.qcow2',
    );
    assert.equal(found.entry.hex, '284aab2b23d91318f169ff464bce4d53404a15a0618ceb34562838c59af4adea');
  });

  it('orders composes naturally (20260301.10 after 20260301.9) and matches whole names only', () => {
    const line = (name: string, c: string) => `SHA256 (${name}) = ${c.repeat(64)}`;
    const stream9 = formOf(STREAM9, 'name-pattern');
    const real = [
      line('CentOS-Stream-GenericCloud-9-20260301.2.x86_64.qcow2', 'a'),
      line('CentOS-Stream-GenericCloud-9-20260228.9.x86_64.qcow2', 'b'),
      line('CentOS-Stream-GenericCloud-9-20260301.10.x86_64.qcow2', 'c'), // `\d+\.\d`: one digit, as update.py's
      line('CentOS-Stream-GenericCloud-9-20991231.0.x86_64.qcow2.xz', 'd'),
      line('CentOS-Stream-GenericCloud-9-latest.x86_64.qcow2', 'e'),
    ].join('\n');
    assert.equal(newestMatching(real, stream9, options(STREAM9)).entry.hex, 'a'.repeat(64));
    const wider = formOf(
      { ...STREAM9, latestUrl: STREAM9.latestUrl.replace('\\.\\d', '\\.\\d+') },
      'name-pattern',
    );
    assert.equal(newestMatching(real, wider, options(STREAM9)).entry.hex, 'c'.repeat(64));
  });

  it('a CHECKSUM naming no file of the pattern → ChecksumNotFound, the pattern and what is there', () => {
    const form = formOf(STREAM9, 'name-pattern');
    const text = `SHA256 (CentOS-Stream-GenericCloud-9-latest.x86_64.qcow2) = ${'e'.repeat(64)}\n`;
    throwsTyped(
      () => newestMatching(text, form, options(STREAM9)),
      FatalFailure.ChecksumNotFound,
      'CentOS-Stream-GenericCloud-9-HEREBE\\\\d+\\\\.\\\\dDRAGONS.x86_64.qcow2',
      'found none among 1: CentOS-Stream-GenericCloud-9-latest.x86_64.qcow2',
    );
    throwsTyped(
      () => newestMatching('# nothing here\n', form, options(STREAM9)),
      FatalFailure.ChecksumNotFound,
      'found no sha256 or sha512 line',
    );
  });

  it('a latest_url whose markers do not hold a regular expression → MalformedCatalog', () => {
    const at = (name: string) => ({
      ...STREAM9,
      latestUrl: `${STREAM9.latestUrl.replace(/[^/]+$/, '')}${name}`,
    });
    throwsTyped(
      () => resolutionForm(at('CentOS-HEREBE(\\d+DRAGONS.qcow2'), 'centos.yml line 60'),
      FatalFailure.MalformedCatalog,
      'centos.yml line 60: expected latest_url',
      'which is not one',
    );
    throwsTyped(
      () => resolutionForm(at('CentOS-HEREBE\\d+.qcow2'), 'centos.yml'),
      FatalFailure.MalformedCatalog,
      'HEREBE<regular expression>DRAGONS; found "CentOS-HEREBE\\\\d+.qcow2"',
    );
  });
});

describe('AlmaLinux and Rocky: latest_url itself, in a checksum file', () => {
  it("AlmaLinux: the `-latest.` name's line of the directory's CHECKSUM (GNU lines)", () => {
    const form = formOf(ALMA9, 'latest-file');
    assert.equal(form.ownChecksumFile, false);
    const entry = latestFileChecksum(mirrored('almalinux9', 'CHECKSUM'), form, options(ALMA9));
    assert.equal(entry.name, 'AlmaLinux-9-GenericCloud-latest.x86_64.qcow2');
    assert.equal(entry.hex, 'c397eed7023e92c841155831b1f47e26300e5bef0f0256c129322307c897a251');
  });

  it('AlmaLinux: a CHECKSUM without the `-latest.` name → ChecksumNotFound, even with dated names there', () => {
    const form = formOf(ALMA9, 'latest-file');
    const text = `${'c'.repeat(64)}  AlmaLinux-9-GenericCloud-9.8-20260526.x86_64.qcow2\n`;
    throwsTyped(
      () => latestFileChecksum(text, form, options(ALMA9)),
      FatalFailure.ChecksumNotFound,
      'AlmaLinux-9-GenericCloud-latest.x86_64.qcow2',
    );
  });

  it('Rocky: its own `.CHECKSUM` naming the `.latest.` file (as captured)', () => {
    const form = formOf(ROCKY9, 'latest-file');
    assert.equal(form.ownChecksumFile, true);
    const entry = latestFileChecksum(mirrored('rocky9', 'CHECKSUM'), form, options(ROCKY9));
    assert.equal(entry.hex, '92c206cc6f790c61583247eefe87890f8828420662c17cacf247cec78ab4eec8');
  });

  it("Rocky: its own `.CHECKSUM` a link to the build's, naming the dated file → that line, as update.py maps it", () => {
    const form = formOf(ROCKY9, 'latest-file');
    const dated = 'Rocky-9-GenericCloud-Base-9.6-20250531.0.x86_64.qcow2';
    const text = `# ${dated}: 645988352 bytes\nSHA256 (${dated}) = ${'f'.repeat(64)}\n`;
    assert.equal(latestFileChecksum(text, form, options(ROCKY9)).hex, 'f'.repeat(64));
  });

  it('Rocky: its own `.CHECKSUM` naming several files, another one, or none → ChecksumNotFound saying which', () => {
    const form = formOf(ROCKY9, 'latest-file');
    const sha = (name: string, c: string) => `SHA256 (${name}) = ${c.repeat(64)}`;
    const two = [
      sha('Rocky-9-GenericCloud-Base-9.6-20250531.0.x86_64.qcow2', 'a'),
      sha('Rocky-9-GenericCloud-LVM-9.6-20250531.0.x86_64.qcow2', 'b'),
    ].join('\n');
    throwsTyped(
      () => latestFileChecksum(two, form, options(ROCKY9)),
      FatalFailure.ChecksumNotFound,
      'found 2 files',
    );
    throwsTyped(
      () =>
        latestFileChecksum(
          sha('Rocky-9-Container-Base-9.6-20250531.0.x86_64.tar.xz', 'a'),
          form,
          options(ROCKY9),
        ),
      FatalFailure.ChecksumNotFound,
      'only "Rocky-9-Container-Base-9.6-20250531.0.x86_64.tar.xz", which is not a build of it',
    );
    throwsTyped(
      () =>
        latestFileChecksum('# Rocky-9-GenericCloud.latest.x86_64.qcow2: 1 bytes\n', form, options(ROCKY9)),
      FatalFailure.ChecksumNotFound,
      'found no sha256 or sha512 line',
    );
  });
});

describe('Ubuntu and Debian: the newest dated directory of the listing, its checksum file', () => {
  it('Ubuntu 24.04: `20260705/` of the real listing, its line in the real SHA256SUMS (GNU binary)', () => {
    const noble = {
      latestUrl: 'https://cloud-images.ubuntu.com/noble/current/noble-server-cloudimg-amd64.img',
      latestChecksumUrl: 'https://cloud-images.ubuntu.com/noble/current/SHA256SUMS',
    };
    assert.equal(formOf(noble, 'dated-directories').listingUrl, 'https://cloud-images.ubuntu.com/noble/');
    const build = latestDatedBuild(noble, mirrored('ubuntu2404', 'index.html'))!;
    assert.equal(build.url, 'https://cloud-images.ubuntu.com/noble/20260705/noble-server-cloudimg-amd64.img');
    const entry = checksumOfFile(mirrored('ubuntu2404', 'SHA256SUMS'), build.fileName, {
      source: build.checksumUrl,
      checksumUrl: build.checksumUrl,
    });
    assert.equal(entry.hex, 'ffe6203da54deeb6db5d2a98a83f9ec8e55f149d3f7ba622e1abe5fa966ee3d6');
  });

  it('Debian 13 daily: `20260717-2542/` of the real table listing, the renamed file in the real SHA512SUMS', () => {
    const trixie = {
      latestUrl:
        'https://cdimage.debian.org/cdimage/cloud/trixie/daily/latest/debian-13-genericcloud-amd64-daily.qcow2',
      latestChecksumUrl: 'https://cdimage.debian.org/cdimage/cloud/trixie/daily/latest/SHA512SUMS',
    };
    formOf(trixie, 'dated-directories');
    const build = latestDatedBuild(trixie, mirrored('debian13', 'index.html'))!;
    assert.equal(build.version, '20260717');
    assert.equal(build.fileName, 'debian-13-genericcloud-amd64-daily-20260717-2542.qcow2');
    const entry = checksumOfFile(mirrored('debian13', 'SHA512SUMS'), build.fileName, {
      source: build.checksumUrl,
      checksumUrl: build.checksumUrl,
      algorithm: 'sha512',
    });
    assert.equal(
      `${entry.algorithm}:${entry.hex}`,
      'sha512:fcc52bdff35697583f9331b64c688db6681fea98c024a1db185d8857b167f4e' +
        '1838ead7037f18c12e432229354b1253f29e881a040ce0f5636801576e715b4b8',
    );
  });

  it('a checksum file whose name says one algorithm and holds another → MalformedChecksumFile', () => {
    const file = 'debian-13-genericcloud-amd64-daily-20260717-2542.qcow2';
    const checksumUrl = 'https://cdimage.debian.org/cdimage/cloud/trixie/daily/20260717-2542/SHA512SUMS';
    throwsTyped(
      () => checksumOfFile(`${'a'.repeat(64)}  ${file}\n`, file, { source: 'SHA512SUMS', checksumUrl }),
      FatalFailure.MalformedChecksumFile,
      `SHA512SUMS: expected a sha512 line for "${file}" (the file's name says sha512); found a sha256 line (64 hex digits) at line 1`,
    );
    assert.equal(impliedAlgorithm('https://x/SHA256SUMS'), 'sha256');
    assert.equal(impliedAlgorithm('https://x/centos/7/images/sha256sum.txt'), 'sha256');
    assert.equal(impliedAlgorithm('https://x/CHECKSUM'), undefined);
    assert.equal(impliedAlgorithm(ROCKY9.latestChecksumUrl), undefined);
  });
});

describe('the build date of an undated image and the natural order', () => {
  it("reads Last-Modified's IMF-fixdate (GMT) as update.py's strptime does, nothing else", () => {
    assert.deepEqual(versionFromLastModified('Tue, 20 Jan 2026 14:03:11 GMT'), {
      version: '20260120',
      buildDate: '2026-01-20',
    });
    for (const bad of [
      undefined,
      '',
      'Tuesday, 20-Jan-26 14:03:11 GMT',
      'Tue Jan 20 14:03:11 2026',
      'Tue, 20 Jan 2026 14:03:11 +0000',
      'Sat, 31 Feb 2026 00:00:00 GMT',
    ])
      assert.equal(versionFromLastModified(bad), undefined, String(bad));
  });

  it('compares digit runs as numbers', () => {
    const names = ['a-10.x', 'a-9.x', 'a-010.y', 'a-2.x', 'b', 'a-9'];
    assert.deepEqual([...names].sort(naturalCompare), ['a-2.x', 'a-9', 'a-9.x', 'a-10.x', 'a-010.y', 'b']);
  });
});
