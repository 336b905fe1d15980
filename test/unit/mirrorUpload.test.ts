/** The pure side of the image mirror's multipart upload (src/lib/catalog/mirrorUpload.ts). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  catalogChecksum,
  checksumMetadata,
  checksumProblem,
  choosePartSize,
  DEFAULT_PART_SIZE,
  etagHex,
  MAX_PARTS,
  MIB,
  MIN_PART_SIZE,
  parseCatalogChecksum,
  partSizeProblem,
  storedChecksum,
  storedPartMatches,
} from '../../src/lib/catalog/mirrorUpload.js';

const HEX256 = 'a'.repeat(64);
const HEX512 = '0123456789abcdef'.repeat(8);

void describe('mirror upload helpers', () => {
  void test('a catalog checksum splits into algorithm and hex, and back', () => {
    assert.deepEqual(parseCatalogChecksum(`sha256:${HEX256}`), { algorithm: 'sha256', hex: HEX256 });
    assert.deepEqual(parseCatalogChecksum(`sha512:${HEX512}`), { algorithm: 'sha512', hex: HEX512 });
    assert.equal(catalogChecksum({ algorithm: 'sha512', hex: HEX512 }), `sha512:${HEX512}`);
    for (const bad of [
      HEX256,
      `md5:${'a'.repeat(32)}`,
      `sha256:${HEX512}`,
      `sha256:${HEX256.toUpperCase()}`,
      '',
    ])
      assert.equal(parseCatalogChecksum(bad), undefined, bad);
  });

  void test('a checksum problem says what was expected and found', () => {
    assert.equal(checksumProblem({ algorithm: 'sha256', hex: HEX256 }), undefined);
    assert.equal(
      checksumProblem({ algorithm: 'md5', hex: 'ab' }),
      'expected a sha256 or sha512 checksum; found algorithm "md5"',
    );
    assert.equal(
      checksumProblem({ algorithm: 'sha256', hex: 'xyz' }),
      'expected 64 lower-case hex digits for sha256; found "xyz"',
    );
  });

  void test('the checksum metadata written is read back, whatever the case of its key', () => {
    assert.deepEqual(checksumMetadata({ algorithm: 'sha256', hex: HEX256 }), { sha256: HEX256 });
    assert.equal(storedChecksum({ SHA256: HEX256.toUpperCase() }, 'sha256'), HEX256);
    assert.equal(storedChecksum({ sha512: HEX512 }, 'sha256'), undefined);
    assert.equal(storedChecksum(undefined, 'sha256'), undefined);
  });

  void test('part sizes: 5 MiB to 5 GiB; raised to fit an announced length in 10,000 parts', () => {
    assert.equal(partSizeProblem(MIN_PART_SIZE), undefined);
    assert.equal(partSizeProblem(DEFAULT_PART_SIZE), undefined);
    assert.match(partSizeProblem(MIN_PART_SIZE - 1) ?? '', /expected a part size of 5242880 \(5 MiB\) to/);
    assert.match(partSizeProblem(MIN_PART_SIZE + 0.5) ?? '', /found 5242880\.5$/);
    assert.match(partSizeProblem(6 * 1024 * MIB) ?? '', /to 5368709120 \(5 GiB\) bytes; found 6442450944$/);
    assert.equal(choosePartSize(DEFAULT_PART_SIZE, undefined), DEFAULT_PART_SIZE);
    assert.equal(choosePartSize(DEFAULT_PART_SIZE, 3 * 1024 * MIB), DEFAULT_PART_SIZE);
    const huge = DEFAULT_PART_SIZE * MAX_PARTS + 1;
    const raised = choosePartSize(DEFAULT_PART_SIZE, huge);
    assert.equal(raised % MIB, 0);
    assert.ok(raised * MAX_PARTS >= huge && raised > DEFAULT_PART_SIZE);
  });

  void test('a stored part is reused only with the size and MD5 of the bytes read again', () => {
    const md5Hex = '9e107d9d372bb6826bd81d3542a419d6';
    assert.equal(etagHex(`"${md5Hex.toUpperCase()}"`), md5Hex);
    assert.equal(etagHex(undefined), '');
    assert.ok(storedPartMatches({ size: 5, etag: `"${md5Hex}"` }, { size: 5, md5Hex }));
    assert.ok(!storedPartMatches({ size: 6, etag: `"${md5Hex}"` }, { size: 5, md5Hex }));
    assert.ok(!storedPartMatches({ size: 5, etag: '"0000"' }, { size: 5, md5Hex }));
    assert.ok(!storedPartMatches(undefined, { size: 5, md5Hex }));
  });
});
