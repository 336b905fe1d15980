import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import {
  assertDigest,
  DIGEST_PATTERN,
  formatImageRef,
  imageName,
  isDigest,
  normalizeImageRepository,
  parseImageRef,
  sameImageRepository,
} from '../../src/lib/kit/imageRef.js';
import { BumpflowError, FatalFailure } from '../../src/shared/failures.js';
import { atmosphereDir } from '../../src/sandbox/paths.js';

const MAGNUM_DIGEST = 'sha256:be30fc62b97ee15502c211cc1c73ae698a47d9ea7d5982a396db1d677f2088aa';

function badInput(input: string): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(err instanceof BumpflowError, `expected a BumpflowError, got ${String(err)}`);
    assert.equal(err.type, FatalFailure.BadInput);
    assert.ok(
      err.message.includes(JSON.stringify(input.trim())),
      `the message shows the input: ${err.message}`,
    );
    return true;
  };
}

void describe('parseImageRef', () => {
  void it('parses a pin as written in the real vars file', () => {
    const ref = parseImageRef(`ghcr.io/vexxhost/magnum:main@${MAGNUM_DIGEST}`);
    assert.deepEqual(ref, {
      registry: 'ghcr.io',
      repository: 'vexxhost/magnum',
      tag: 'main',
      digest: MAGNUM_DIGEST,
    });
  });

  void it('keeps a registry port apart from the tag', () => {
    assert.deepEqual(parseImageRef('127.0.0.1:5000/vexxhost/magnum:2025.1'), {
      registry: '127.0.0.1:5000',
      repository: 'vexxhost/magnum',
      tag: '2025.1',
      digest: undefined,
    });
    assert.deepEqual(parseImageRef('localhost:5000/magnum'), {
      registry: 'localhost:5000',
      repository: 'magnum',
      tag: undefined,
      digest: undefined,
    });
    assert.equal(parseImageRef('localhost/a/b').registry, 'localhost');
  });

  void it('parses a digest without a tag and nested repository paths', () => {
    const ref = parseImageRef(`ghcr.io/carvel-dev/secretgen-controller@${MAGNUM_DIGEST}`);
    assert.equal(ref.tag, undefined);
    assert.equal(ref.digest, MAGNUM_DIGEST);
    assert.equal(
      parseImageRef('registry.k8s.io/sig-storage/csi-attacher:v4.11.0').repository,
      'sig-storage/csi-attacher',
    );
  });

  void it('trims surrounding whitespace', () => {
    assert.equal(parseImageRef('  ghcr.io/vexxhost/nova:main \n').tag, 'main');
  });

  for (const input of [
    'vexxhost/magnum:main', // no registry host
    'magnum',
    '/vexxhost/magnum',
    'ghcr.io/Vexxhost/Magnum:main', // uppercase repository
    'ghcr.io/vexxhost/magnum:', // empty tag
    'ghcr.io/vexxhost/magnum:ma!n',
    `ghcr.io/vexxhost/magnum:main@${MAGNUM_DIGEST.toUpperCase()}`,
    'ghcr.io/vexxhost/magnum:main@sha256:abc',
    'ghcr.io/vexxhost/magnum:main@sha512:' + 'a'.repeat(128),
    'ghcr.io/vexxhost//magnum',
  ]) {
    void it(`refuses ${JSON.stringify(input)} with BadInput showing it`, () => {
      assert.throws(() => parseImageRef(input), badInput(input));
    });
  }
});

void describe('formatImageRef and imageName', () => {
  void it('formats only the parts that are present', () => {
    assert.equal(
      imageName({ registry: 'ghcr.io', repository: 'vexxhost/magnum' }),
      'ghcr.io/vexxhost/magnum',
    );
    assert.equal(
      formatImageRef({ registry: 'ghcr.io', repository: 'vexxhost/magnum' }),
      'ghcr.io/vexxhost/magnum',
    );
    assert.equal(
      formatImageRef({ registry: 'ghcr.io', repository: 'vexxhost/magnum', tag: '2025.1' }),
      'ghcr.io/vexxhost/magnum:2025.1',
    );
    assert.equal(
      formatImageRef({ registry: 'ghcr.io', repository: 'vexxhost/magnum', digest: MAGNUM_DIGEST }),
      `ghcr.io/vexxhost/magnum@${MAGNUM_DIGEST}`,
    );
  });

  void it('round-trips every tag+digest reference of every real vars file', () => {
    const files = readdirSync(atmosphereDir).filter((f) => f.endsWith('.yml'));
    assert.ok(files.length >= 6, `fixtures found in ${atmosphereDir}`);
    let count = 0;
    for (const file of files) {
      const text = readFileSync(path.join(atmosphereDir, file), 'utf8');
      for (const m of text.matchAll(
        /[a-z0-9.-]+\.[a-z]+\/[a-z0-9._/-]+:[A-Za-z0-9._-]+@sha256:[a-f0-9]{64}/g,
      )) {
        const ref = parseImageRef(m[0]);
        assert.equal(formatImageRef(ref), m[0]);
        assert.ok(ref.tag && ref.digest);
        count++;
      }
    }
    assert.ok(count > 500, `expected hundreds of pins across the fixtures, found ${count}`);
  });
});

void describe('digests', () => {
  void it('accepts sha256 with 64 lowercase hex only', () => {
    assert.ok(isDigest(MAGNUM_DIGEST));
    assert.ok(DIGEST_PATTERN.test(MAGNUM_DIGEST));
    assert.equal(isDigest(MAGNUM_DIGEST.slice(7)), false);
    assert.equal(isDigest(MAGNUM_DIGEST.toUpperCase()), false);
    assert.equal(isDigest(`${MAGNUM_DIGEST}0`), false);
    assert.equal(isDigest(` ${MAGNUM_DIGEST}`), false);
  });

  void it('assertDigest returns the digest or throws BadInput naming what it checked', () => {
    assert.equal(assertDigest(MAGNUM_DIGEST), MAGNUM_DIGEST);
    assert.throws(
      () => assertDigest('sha256:nothex', 'new digest'),
      (err: unknown) =>
        err instanceof BumpflowError &&
        err.type === FatalFailure.BadInput &&
        /new digest/.test(err.message) &&
        err.message.includes('sha256:nothex'),
    );
  });
});

void describe('normalizeImageRepository', () => {
  const cases: Array<[string, { registry: string; repository: string; key: string }]> = [
    [
      'ghcr.io/vexxhost/magnum',
      { registry: 'ghcr.io', repository: 'vexxhost/magnum', key: 'ghcr.io/vexxhost/magnum' },
    ],
    [
      'GHCR.io/vexxhost/magnum',
      { registry: 'ghcr.io', repository: 'vexxhost/magnum', key: 'ghcr.io/vexxhost/magnum' },
    ],
    [
      'docker.io/alpine',
      { registry: 'docker.io', repository: 'library/alpine', key: 'docker.io/library/alpine' },
    ],
    ['alpine', { registry: 'docker.io', repository: 'library/alpine', key: 'docker.io/library/alpine' }],
    [
      'vexxhost/magnum',
      { registry: 'docker.io', repository: 'vexxhost/magnum', key: 'docker.io/vexxhost/magnum' },
    ],
    [
      'index.docker.io/vexxhost/magnum',
      { registry: 'docker.io', repository: 'vexxhost/magnum', key: 'docker.io/vexxhost/magnum' },
    ],
    [
      'registry-1.docker.io/library/alpine',
      { registry: 'docker.io', repository: 'library/alpine', key: 'docker.io/library/alpine' },
    ],
    [
      'Index.Docker.IO/alpine',
      { registry: 'docker.io', repository: 'library/alpine', key: 'docker.io/library/alpine' },
    ],
    [
      '127.0.0.1:5000/vexxhost/magnum',
      { registry: '127.0.0.1:5000', repository: 'vexxhost/magnum', key: '127.0.0.1:5000/vexxhost/magnum' },
    ],
    [
      'localhost/a/b__c-d.e',
      { registry: 'localhost', repository: 'a/b__c-d.e', key: 'localhost/a/b__c-d.e' },
    ],
    [
      'quay.io/openstack.kolla/nova-compute',
      {
        registry: 'quay.io',
        repository: 'openstack.kolla/nova-compute',
        key: 'quay.io/openstack.kolla/nova-compute',
      },
    ],
  ];
  for (const [input, expected] of cases) {
    void it(input, () => assert.deepEqual(normalizeImageRepository(input), expected));
  }
  void it('names one repository however it is spelled', () => {
    assert.ok(sameImageRepository('docker.io/alpine', 'index.docker.io/library/alpine'));
    assert.ok(sameImageRepository('alpine', 'docker.io/library/alpine'));
    assert.ok(sameImageRepository('GHCR.IO/vexxhost/magnum', 'ghcr.io/vexxhost/magnum'));
    assert.ok(!sameImageRepository('ghcr.io/vexxhost/magnum', 'quay.io/vexxhost/magnum'));
    assert.ok(!sameImageRepository('docker.io/alpine', 'docker.io/alpine/alpine'));
  });
  void it('refuses upper case in the repository path, showing it', () => {
    assert.throws(
      () => normalizeImageRepository('ghcr.io/VexxHost/magnum'),
      (err: unknown) => {
        assert.ok(err instanceof BumpflowError);
        assert.equal(err.type, FatalFailure.BadInput);
        assert.match(err.message, /expected a lower-case repository path .*found "VexxHost\/magnum"/);
        return true;
      },
    );
    assert.throws(() => normalizeImageRepository('Alpine'), badInput('Alpine'));
  });
  void it('refuses tags, digests, whitespace, bad hosts and bad paths', () => {
    for (const input of [
      'ghcr.io/vexxhost/magnum:main',
      `ghcr.io/vexxhost/magnum@${MAGNUM_DIGEST}`,
      '127.0.0.1:5000/magnum:2025.1',
      ' ghcr.io/vexxhost/magnum',
      '',
      'ghcr.io/',
      'ghcr.io/vexxhost//magnum',
      'ghcr.io/vexxhost/-magnum',
      'ghcr.io/vexxhost/magnum/',
      'bad_host.io/x',
      `ghcr.io/${'a'.repeat(250)}`,
    ]) {
      assert.throws(
        () => normalizeImageRepository(input),
        (err: unknown) => {
          assert.ok(err instanceof BumpflowError, input);
          assert.equal(err.type, FatalFailure.BadInput);
          assert.match(err.message, /^expected /);
          assert.ok(
            err.message.includes(JSON.stringify(input).slice(0, 40)) || input.length > 200,
            `shows the input: ${err.message}`,
          );
          return true;
        },
      );
    }
  });
});
