import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseCatalog } from '../../src/lib/catalog/catalogFile.js';
import {
  datedBuild,
  datedDirectories,
  latestDatedBuild,
  listingUrlOf,
  versionFromUrl,
} from '../../src/lib/catalog/versionFromUrl.js';
import { fixturesDir } from '../../src/sandbox/paths.js';

const UBUNTU = readFileSync(path.join(fixturesDir, 'openstack-image-manager', 'ubuntu.yml'), 'utf8');

/** An Apache-style index as cloud-images.ubuntu.com serves it (`<pre>`, one `<a>` per entry). */
function ubuntuIndex(names: string[]): string {
  const rows = names.map(
    (n) => `<img src="/cdicons/folder.png" alt="[DIR]"> <a href="${n}">${n}</a>  2026-01-15 02:26  -`,
  );
  return `<html><body><pre><a href="?C=N;O=D">Name</a> <a href="?C=M;O=A">Last modified</a><hr>\n<a href="/releases/">Parent Directory</a>\n${rows.join('\n')}\n</pre></body></html>`;
}

/** A table index as cdimage.debian.org serves it: two links per directory and an absolute parent link. */
function debianIndex(names: string[]): string {
  const rows = names.map(
    (n) =>
      `<tr><td><a href="${n}"><img src="/icons2/folder.png" alt="[DIR]"></a></td><td><a href="${n}">${n}</a></td></tr>`,
  );
  return `<table><tr><td><a href="/cdimage/cloud/bookworm/">Parent Directory</a></td></tr>${rows.join('')}</table>`;
}

describe('version from a dated URL', () => {
  it("agrees with every dated url of the real catalog's version entries", () => {
    const dated = parseCatalog(UBUNTU)
      .images.flatMap((i) => i.versions)
      .filter((v) => !v.url.includes('/current/') && !/\/release\//.test(v.url));
    assert.equal(dated.length, 6);
    for (const v of dated)
      assert.deepEqual(versionFromUrl(v.url), { version: v.version, buildDate: v.buildDate }, v.url);
  });

  it('reads the layouts the distros publish', () => {
    const cases: Array<[string, string | undefined]> = [
      [
        'https://cloud-images.ubuntu.com/releases/24.04/release-20250115/ubuntu-24.04-server-cloudimg-amd64.img',
        '20250115',
      ],
      ['https://cloud-images.ubuntu.com/noble/20250115/noble-server-cloudimg-amd64.img', '20250115'],
      [
        'https://cdimage.debian.org/cdimage/cloud/bookworm/daily/20240411-1714/debian-12-genericcloud-amd64-daily-20240411-1714.qcow2',
        '20240411',
      ],
      [
        'https://cloud.centos.org/centos/9-stream/x86_64/images/CentOS-Stream-GenericCloud-9-20240422.0.x86_64.qcow2',
        '20240422',
      ],
      ['https://cloud-images.ubuntu.com/noble/current/noble-server-cloudimg-amd64.img', undefined],
      ['https://cloud-images.ubuntu.com/noble/20251399/noble-server-cloudimg-amd64.img', undefined],
    ];
    for (const [url, version] of cases) assert.equal(versionFromUrl(url)?.version, version, url);
    assert.equal(versionFromUrl(cases[0]![0])?.buildDate, '2025-01-15');
  });
});

describe('the newest dated build from a directory listing', () => {
  const noble = {
    latestUrl: 'https://cloud-images.ubuntu.com/noble/current/noble-server-cloudimg-amd64.img',
    latestChecksumUrl: 'https://cloud-images.ubuntu.com/noble/current/SHA256SUMS',
  };

  it('reads the listing of the latest directory’s parent, as update.py does', () => {
    assert.equal(listingUrlOf(noble.latestUrl), 'https://cloud-images.ubuntu.com/noble/');
    assert.equal(
      listingUrlOf(
        'https://cloud-images.ubuntu.com/minimal/releases/noble/release/ubuntu-24.04-minimal-cloudimg-amd64.img',
      ),
      'https://cloud-images.ubuntu.com/minimal/releases/noble/',
    );
  });

  it('Ubuntu: dated directories newest first, `current/` and sort links ignored; the dated URLs', () => {
    const html = ubuntuIndex(['20260105/', '20260115/', '20260108/', 'current/']);
    assert.deepEqual(
      datedDirectories(html, 'https://cloud-images.ubuntu.com/noble/').map((d) => d.name),
      ['20260115', '20260108', '20260105'],
    );
    assert.deepEqual(latestDatedBuild(noble, html), {
      version: '20260115',
      buildDate: '2026-01-15',
      directoryUrl: 'https://cloud-images.ubuntu.com/noble/20260115/',
      url: 'https://cloud-images.ubuntu.com/noble/20260115/noble-server-cloudimg-amd64.img',
      checksumUrl: 'https://cloud-images.ubuntu.com/noble/20260115/SHA256SUMS',
      fileName: 'noble-server-cloudimg-amd64.img',
    });
  });

  it('Ubuntu Minimal: `release-<date>/` directories beside `release/`', () => {
    const minimal = {
      latestUrl:
        'https://cloud-images.ubuntu.com/minimal/releases/noble/release/ubuntu-24.04-minimal-cloudimg-amd64.img',
      latestChecksumUrl: 'https://cloud-images.ubuntu.com/minimal/releases/noble/release/SHA256SUMS',
    };
    const build = latestDatedBuild(
      minimal,
      ubuntuIndex(['release/', 'release-20260105/', 'release-20260112/']),
    );
    assert.equal(
      build?.url,
      'https://cloud-images.ubuntu.com/minimal/releases/noble/release-20260112/ubuntu-24.04-minimal-cloudimg-amd64.img',
    );
    assert.equal(build?.version, '20260112');
  });

  it('Debian: `<date>-<build>` directories by build number, the file renamed with both', () => {
    const bookworm = {
      latestUrl:
        'https://cdimage.debian.org/cdimage/cloud/bookworm/daily/latest/debian-12-genericcloud-amd64-daily.qcow2',
      latestChecksumUrl: 'https://cdimage.debian.org/cdimage/cloud/bookworm/daily/latest/SHA512SUMS',
    };
    const html = debianIndex(['20240411-999/', '20240411-1000/', '20240410-1714/', 'latest/']);
    const dirs = datedDirectories(html, listingUrlOf(bookworm.latestUrl));
    assert.deepEqual(
      dirs.map((d) => d.name),
      ['20240411-1000', '20240411-999', '20240410-1714'],
    );
    assert.deepEqual(datedBuild(bookworm, dirs[0]!), {
      version: '20240411',
      buildDate: '2024-04-11',
      directoryUrl: 'https://cdimage.debian.org/cdimage/cloud/bookworm/daily/20240411-1000/',
      url: 'https://cdimage.debian.org/cdimage/cloud/bookworm/daily/20240411-1000/debian-12-genericcloud-amd64-daily-20240411-1000.qcow2',
      checksumUrl: 'https://cdimage.debian.org/cdimage/cloud/bookworm/daily/20240411-1000/SHA512SUMS',
      fileName: 'debian-12-genericcloud-amd64-daily-20240411-1000.qcow2',
    });
  });

  it('ignores links that leave the listing, nested paths, queries and impossible dates; none → undefined', () => {
    const html = [
      '<a href="https://elsewhere.example/noble/20990101/">x</a>',
      '<a href="/jammy/20990102/">x</a>',
      '<a href="20990103/sub/">x</a>',
      '<a href="20990104/?C=M">x</a>',
      '<a href="20251340/">x</a>',
      "<a href='https://cloud-images.ubuntu.com/noble/20260101/'>absolute, same listing</a>",
    ].join('\n');
    assert.deepEqual(
      datedDirectories(html, 'https://cloud-images.ubuntu.com/noble/').map((d) => d.name),
      ['20260101'],
    );
    assert.equal(latestDatedBuild(noble, ubuntuIndex(['current/'])), undefined);
  });
});
