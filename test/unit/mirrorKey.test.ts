/**
 * Where a catalog image goes in the S3 mirror (src/lib/catalog/mirrorKey.ts)
 * and the part size a config writes (src/lib/kit/byteSize.ts): pure, on the
 * mirror_urls of OSISM's real catalogs.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { keyPrefixProblem, mirrorKeyFor } from '../../src/lib/catalog/mirrorKey.js';
import { parseByteSize } from '../../src/lib/kit/byteSize.js';
import { FatalFailure } from '../../src/shared/failures.js';
import { throwsTyped } from '../support/typedFailures.js';

const SWIFT = 'https://swift.services.a.regiocloud.tech/swift/v1/AUTH_b182637428444b9aa302bb8d5a5a418c';
const OSISM = { baseUrl: `${SWIFT}/openstack-images`, prefix: '' };
const HETZNER = {
  baseUrl: 'https://nbg1.your-objectstorage.com/osism/openstack-images',
  prefix: 'openstack-images',
};

void describe('mirrorKeyFor', () => {
  void test("the mirror_url's path under baseUrl, after the prefix, as contrib/mirror.py stores it", () => {
    const debian = `${SWIFT}/openstack-images/debian-12/20240411-debian-12.qcow2`;
    assert.equal(mirrorKeyFor(debian, OSISM), 'debian-12/20240411-debian-12.qcow2');
    assert.equal(
      mirrorKeyFor(`${HETZNER.baseUrl}/ubuntu-24.04/20240423-ubuntu-24.04.qcow2`, HETZNER),
      'openstack-images/ubuntu-24.04/20240423-ubuntu-24.04.qcow2',
    );
  });

  void test('a trailing / of baseUrl or prefix is the same as none; scheme and host without case', () => {
    const url = `${HETZNER.baseUrl}/centos-stream-9/20240422-centos-stream-9.qcow2`;
    const key = 'openstack-images/centos-stream-9/20240422-centos-stream-9.qcow2';
    assert.equal(mirrorKeyFor(url, { baseUrl: `${HETZNER.baseUrl}/`, prefix: 'openstack-images/' }), key);
    assert.equal(mirrorKeyFor(url.replace('https://nbg1', 'HTTPS://NBG1'), HETZNER), key);
  });

  void test('percent-escapes are decoded into the key', () => {
    assert.equal(
      mirrorKeyFor(`${HETZNER.baseUrl}/rocky-9/Rocky%209%2Blatest.qcow2`, HETZNER),
      'openstack-images/rocky-9/Rocky 9+latest.qcow2',
    );
  });

  void test('a mirror_url outside baseUrl: MirrorMisconfigured naming what was expected and found', () => {
    const elsewhere = 'https://mirror.example.org/openstack-images/debian-12/20240411-debian-12.qcow2';
    throwsTyped(
      () => mirrorKeyFor(elsewhere, HETZNER),
      FatalFailure.MirrorMisconfigured,
      `mirror_url "${elsewhere}": expected a URL under the worker's mirror ${HETZNER.baseUrl}/ (catalog.mirror.baseUrl); found one that does not start with it`,
    );
    // a sibling path that only shares the text is not under it
    throwsTyped(
      () => mirrorKeyFor(`${HETZNER.baseUrl}-old/debian-12/x.qcow2`, HETZNER),
      FatalFailure.MirrorMisconfigured,
      'found one that does not start with it',
    );
  });

  void test('a path that is no file path under baseUrl: MirrorMisconfigured', () => {
    for (const [rest, found] of [
      ['', 'the path ""'],
      ['debian-12/', 'the path "debian-12/"'],
      ['debian-12//x.qcow2', 'the path "debian-12//x.qcow2"'],
      ['../secrets/x.qcow2', 'the path "../secrets/x.qcow2"'],
      ['debian-12/%2e%2e/x', 'the path "debian-12/%2e%2e/x"'],
      ['a%2Fb/x.qcow2', 'the path "a%2Fb/x.qcow2"'],
      ['debian-12/%zz.qcow2', 'the path "debian-12/%zz.qcow2"'],
      ['debian-12/x.qcow2?version=2', 'a query or fragment'],
    ])
      throwsTyped(
        () => mirrorKeyFor(`${HETZNER.baseUrl}/${rest}`, HETZNER),
        FatalFailure.MirrorMisconfigured,
        `expected a file path after ${HETZNER.baseUrl}/`,
        `found ${found}`,
      );
  });

  void test('credentials in a mirror_url are never shown back', () => {
    throwsTyped(
      () => mirrorKeyFor('https://bot:hunter2@elsewhere.example/x.qcow2', HETZNER),
      FatalFailure.MirrorMisconfigured,
      'mirror_url "https://***@elsewhere.example/x.qcow2"',
    );
  });
});

void describe('keyPrefixProblem', () => {
  void test('empty, one segment or several; a trailing / allowed', () => {
    for (const ok of ['', 'openstack-images', 'images/osism', 'openstack-images/', 'v1.2_x'])
      assert.equal(keyPrefixProblem(ok), undefined, ok);
  });

  void test('a leading /, an empty, . or .. segment, a space: refused, shown', () => {
    for (const bad of ['/images', 'a//b', 'a/../b', './a', 'open stack', 'a\tb', 'images?x'])
      assert.match(
        keyPrefixProblem(bad) ?? '',
        /^expected a key prefix such as openstack-images .*, found "/,
      );
  });
});

void describe('parseByteSize', () => {
  void test('a whole number of B, KiB, MiB or GiB', () => {
    assert.equal(parseByteSize('64MiB'), 64 * 1024 * 1024);
    assert.equal(parseByteSize('5 MiB'), 5 * 1024 * 1024);
    assert.equal(parseByteSize('1GiB'), 1024 ** 3);
    assert.equal(parseByteSize('512KiB'), 512 * 1024);
    assert.equal(parseByteSize('6000000B'), 6_000_000);
  });

  void test('anything else is no size', () => {
    for (const bad of ['64MB', '64mib', '1.5GiB', '64', '-5MiB', 'MiB', '', '64 MiB ', '9999999999999GiB'])
      assert.equal(parseByteSize(bad), undefined, bad);
  });
});
