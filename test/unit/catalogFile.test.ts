import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseCatalog, updatableImages } from '../../src/lib/catalog/catalogFile.js';
import { BumpflowError, FatalFailure } from '../../src/shared/failures.js';
import { fixturesDir } from '../../src/sandbox/paths.js';
import { catalogImages } from '../../src/activities/catalog/catalogActivities.js';
import { formatCatalogStatus } from '../../src/cli/catalog/catalogFormat.js';
import { catalogStatusWith } from '../support/catalogStatus.js';

const UBUNTU = readFileSync(path.join(fixturesDir, 'openstack-image-manager', 'ubuntu.yml'), 'utf8');

/** 1-based line of the one line of `text` that includes `needle` (independent of the parser). */
function lineWith(text: string, needle: string): number {
  const lines = text.split('\n');
  const found = lines.flatMap((l, i) => (l.includes(needle) ? [i + 1] : []));
  assert.equal(found.length, 1, `${needle} should be on exactly one line`);
  return found[0]!;
}

function replaceOnce(text: string, from: string, to: string): string {
  assert.equal(text.split(from).length, 2, `${JSON.stringify(from)} should occur once`);
  return text.replace(from, () => to);
}

/** The 0-based index of the image named `name`, counted from the text. */
function indexOf(name: string): number {
  return [...UBUNTU.matchAll(/^ {2}- name: (.+)$/gm)].findIndex((m) => m[1] === name);
}

function malformed(text: string, ...fragments: string[]): BumpflowError {
  let caught: unknown;
  try {
    parseCatalog(text, 'etc/images/ubuntu.yml');
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof BumpflowError, `expected a BumpflowError, got ${String(caught)}`);
  assert.equal(caught.type, FatalFailure.MalformedCatalog);
  for (const f of fragments) assert.ok(caught.message.includes(f), `${caught.message} should include ${f}`);
  return caught;
}

describe('catalog file: the real Ubuntu catalog', () => {
  const catalog = parseCatalog(UBUNTU);

  it('reads every image with its versions, enable flags and lines', () => {
    const names = [...UBUNTU.matchAll(/^ {2}- name: (.+)$/gm)].map((m) => m[1]);
    assert.deepEqual(
      catalog.images.map((i) => i.name),
      names,
    );
    const noble = catalog.images.find((i) => i.name === 'Ubuntu 24.04')!;
    assert.equal(noble.line, UBUNTU.split('\n').indexOf('  - name: Ubuntu 24.04') + 1);
    assert.deepEqual(noble.versions, [
      {
        version: '20260108',
        buildDate: '2026-01-08',
        checksum: 'sha256:00786c0936a7dd91a6b07941ca60bb56652975e0e72f9dacf73c887ada420966',
        url: 'https://cloud-images.ubuntu.com/noble/20260108/noble-server-cloudimg-amd64.img',
        mirrorUrl:
          'https://nbg1.your-objectstorage.com/osism/openstack-images/ubuntu-24.04/20260108-ubuntu-24.04.qcow2',
        line: lineWith(UBUNTU, "- version: '20260108'"),
      },
    ]);
    assert.equal(noble.latestChecksumUrl, 'https://cloud-images.ubuntu.com/noble/current/SHA256SUMS');
    assert.equal(noble.shortname, 'ubuntu-24.04');
    assert.equal(noble.format, 'qcow2');
  });

  it('lists the images an update applies to: enabled ones with both latest URLs', () => {
    const enabled = [...UBUNTU.matchAll(/^ {2}- name: (.+)\n {4}enable: true$/gm)].map((m) => m[1]);
    assert.equal(enabled.length, 4);
    assert.deepEqual(
      updatableImages(catalog).map((i) => i.name),
      enabled,
    );
    const withoutUrl = replaceOnce(
      UBUNTU,
      '    latest_url: \n      https://cloud-images.ubuntu.com/noble/current/noble-server-cloudimg-amd64.img\n',
      '',
    );
    assert.deepEqual(
      updatableImages(parseCatalog(withoutUrl)).map((i) => i.name),
      enabled.filter((n) => n !== 'Ubuntu 24.04'),
    );
  });

  it('takes an image without `enable` as enabled, as the image manager does', () => {
    const text = replaceOnce(
      UBUNTU,
      '  - name: Ubuntu 24.04\n    enable: true\n',
      '  - name: Ubuntu 24.04\n',
    );
    assert.equal(parseCatalog(text).images.find((i) => i.name === 'Ubuntu 24.04')!.enabled, true);
  });
});

describe('catalog file: typed errors naming the image and the line', () => {
  it('malformed YAML → the line of the error', () => {
    const text = replaceOnce(
      UBUNTU,
      '    tags: []\n    latest_checksum_url: \n      https://cloud-images.ubuntu.com/noble/',
      '    tags: [\n    latest_checksum_url: \n      https://cloud-images.ubuntu.com/noble/',
    );
    const err = malformed(text, 'etc/images/ubuntu.yml line', 'expected valid YAML');
    const line = Number(/line (\d+)/.exec(err.message)![1]);
    const broken = lineWith(UBUNTU, '      https://cloud-images.ubuntu.com/noble/current/SHA256SUMS');
    assert.ok(Math.abs(line - broken) <= 2, `${err.message} should point near line ${broken}`);
  });

  it('a version entry without `url` → the image (index and name) and the entry line', () => {
    const text = replaceOnce(
      UBUNTU,
      '        url: \n          https://cloud-images.ubuntu.com/noble/20260108/noble-server-cloudimg-amd64.img\n',
      '',
    );
    const index = indexOf('Ubuntu 24.04');
    malformed(
      text,
      `line ${lineWith(text, "- version: '20260108'")}:`,
      `image #${index} ("Ubuntu 24.04")`,
      'versions.0.url: missing',
    );
  });

  it('an image without `name` → its index and line', () => {
    const text = replaceOnce(UBUNTU, '  - name: Ubuntu 22.04 Minimal\n', '  - shortname_was: x\n');
    malformed(
      text,
      `line ${lineWith(text, 'shortname_was')}:`,
      `image #${indexOf('Ubuntu 22.04 Minimal')}`,
      'name: missing',
    );
  });

  it('a checksum without its algorithm → the checksum line', () => {
    const text = replaceOnce(UBUNTU, 'sha256:00786c0936a7', '00786c0936a7');
    malformed(text, `line ${lineWith(text, '  00786c0936a7')}:`, '("Ubuntu 24.04")', 'sha256:<64 hex>');
  });

  it('a URL with credentials → the line, the image, and no secret in the message', () => {
    const text = replaceOnce(
      UBUNTU,
      'https://cloud-images.ubuntu.com/noble/current/SHA256SUMS',
      'https://mirror-user:s3cr3t-pw@cloud-images.ubuntu.com/noble/current/SHA256SUMS',
    );
    const err = malformed(
      text,
      `line ${lineWith(text, 's3cr3t-pw')}:`,
      '("Ubuntu 24.04") latest_checksum_url',
      'without credentials',
      'https://***@cloud-images.ubuntu.com/noble/current/SHA256SUMS',
    );
    assert.ok(!err.message.includes('s3cr3t') && !JSON.stringify(err.details).includes('s3cr3t'));
  });

  it('a document without `images:` → says what it expected', () => {
    malformed('---\nimage:\n  - name: x\n', 'line', 'expected a mapping with an `images:` list');
  });

  it('an image left alone says why in plain words, one pair of parentheses when rendered', () => {
    // Ubuntu 24.04 enabled but without its latest_url: left alone for that reason
    const text = replaceOnce(
      UBUNTU,
      '    latest_url: \n      https://cloud-images.ubuntu.com/noble/current/noble-server-cloudimg-amd64.img\n',
      '',
    );
    const { skipped } = catalogImages(text, 'main', 'etc/images/ubuntu.yml');
    const why = Object.fromEntries(skipped.map((k) => [k.image, k.why]));
    assert.equal(why['Ubuntu 14.04'], 'disabled: enable is false');
    assert.equal(why['Ubuntu 24.04'], 'no latest_url / latest_checksum_url');
    assert.equal(skipped.length, 8);
    const rendered = formatCatalogStatus('c', catalogStatusWith({ skipped }));
    assert.match(rendered, /left alone: Ubuntu 14\.04 \(disabled: enable is false\), Ubuntu 16\.04 /);
    assert.match(rendered, /Ubuntu 24\.04 \(no latest_url \/ latest_checksum_url\)/);
    assert.doesNotMatch(rendered, /\([^()]*\(/, 'no parentheses inside parentheses');
  });
});
