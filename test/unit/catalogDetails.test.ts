/**
 * What an operator reads of a catalog update (src/workflows/catalog/details.ts)
 * in a run of one file and of several: the table, the PR's title and body,
 * the commit message; and the several-files run's work branch name.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CatalogImageRow, CatalogStatus } from '../../src/shared/catalog.js';
import {
  catalogDetails,
  commitMessage,
  pullRequestBody,
  pullRequestTitle,
} from '../../src/workflows/catalog/details.js';
import { catalogsWorkBranch } from '../../src/activities/catalog/catalogFiles.js';
import { catalogStatusWith } from '../support/catalogStatus.js';

const sha = (c: string) => `sha256:${c.repeat(64)}`;

function row(image: string, file: string | undefined, change: CatalogImageRow['change']): CatalogImageRow {
  return {
    ...(file === undefined ? {} : { file }),
    image,
    line: 3,
    old: { version: '20260101', checksum: sha('a') },
    ...(change === 'update'
      ? {
          new: {
            version: '20260115',
            buildDate: '2026-01-15',
            checksum: sha('b'),
            url: `http://mirror/${image}.img`,
            checksumUrl: 'http://mirror/SHA256SUMS',
          },
        }
      : {}),
    change,
  };
}

const status = (over: Partial<CatalogStatus>): CatalogStatus =>
  catalogStatusWith({ baseSha: 'c'.repeat(40), approvedBy: 'alice', ...over });

void describe('catalog details', () => {
  void test('a one-file update: no file column, the file in the title', () => {
    const s = status({
      images: [row('Ubuntu 24.04', undefined, 'update'), row('Ubuntu 22.04', undefined, 'unchanged')],
    });
    assert.equal(pullRequestTitle(s), 'Update Ubuntu 24.04 to 20260115 in etc/images/ubuntu.yml');
    assert.match(catalogDetails(s), /^\| image \| line \|/m);
    assert.doesNotMatch(catalogDetails(s), /\| file \|/);
    assert.match(pullRequestBody(s, 'wf'), /^\| image \| old \| new \|/m);
    assert.match(commitMessage(s), /^- Ubuntu 24\.04: 20260101 → 20260115/m);
  });

  void test('several files: a file column, each image with its file, the count of catalogs in the title', () => {
    const files = ['etc/images/debian.yml', 'etc/images/rockylinux.yml', 'etc/images/ubuntu.yml'];
    const s = status({
      path: 'etc/images/',
      files,
      images: [
        row('Debian 12', files[0], 'update'),
        row('Rocky 9', files[1], 'unchanged'),
        row('Ubuntu 24.04', files[2], 'update'),
      ],
      skipped: [{ file: files[2], image: 'Ubuntu 14.04', line: 3, why: 'disabled: enable is false' }],
    });
    assert.equal(pullRequestTitle(s), 'Update 2 images in 2 catalogs');
    const details = catalogDetails(s);
    assert.match(details, /^\| file \| image \| line \|/m);
    assert.match(details, /^\| etc\/images\/rockylinux\.yml \| Rocky 9 \| 3 \| 20260101 .*\| unchanged \|/m);
    assert.match(
      details,
      /Left alone: etc\/images\/ubuntu\.yml: Ubuntu 14\.04 \(disabled: enable is false\)$/m,
    );
    const body = pullRequestBody(s, 'wf');
    assert.match(body, /of `etc\/images\/` \(3 catalogs read\)/);
    assert.match(body, /^\| etc\/images\/debian\.yml \| Debian 12 \| 20260101 \| 20260115 \|/m);
    assert.doesNotMatch(body, /Rocky 9/, 'an unchanged image is not in the PR');
    const message = commitMessage(s);
    assert.match(message, /^- etc\/images\/debian\.yml: Debian 12: 20260101 → 20260115/m);
    assert.match(message, /^- etc\/images\/ubuntu\.yml: Ubuntu 24\.04: 20260101 → 20260115/m);
  });

  void test('several files, one changed: that file in the title', () => {
    const s = status({
      path: 'etc/images/',
      files: ['etc/images/debian.yml', 'etc/images/ubuntu.yml'],
      images: [
        row('Debian 12', 'etc/images/debian.yml', 'update'),
        row('Debian 13', 'etc/images/debian.yml', 'update'),
      ],
    });
    assert.equal(pullRequestTitle(s), 'Update 2 images in etc/images/debian.yml');
  });
});

void describe('the work branch of several files', () => {
  const version = (c: string) => ({ version: '1', buildDate: '2026-01-01', checksum: sha(c), url: 'u' });
  const edits = [
    { path: 'etc/images/debian.yml', updates: [{ image: 'Debian 12', version: version('b') }] },
    { path: 'etc/images/ubuntu.yml', updates: [{ image: 'Ubuntu 24.04', version: version('c') }] },
  ];

  void test('one name per set of versions, whatever the order; another set, another name', () => {
    const name = catalogsWorkBranch(edits);
    assert.match(name, /^update-images-[0-9a-f]{12}$/);
    assert.equal(catalogsWorkBranch([...edits].reverse()), name);
    assert.notEqual(catalogsWorkBranch(edits, 2), name, 'keep is part of the set');
    assert.notEqual(
      catalogsWorkBranch([
        edits[0]!,
        { ...edits[1]!, updates: [{ image: 'Ubuntu 24.04', version: version('d') }] },
      ]),
      name,
    );
    // the same image and checksum in another file is another update
    assert.notEqual(
      catalogsWorkBranch([{ ...edits[0]!, path: 'etc/images/debian-old.yml' }, edits[1]!]),
      name,
    );
  });
});
