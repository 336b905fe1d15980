import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  checksumValue,
  findChecksum,
  formatChecksumFile,
  parseChecksumFile,
  type ChecksumAlgorithm,
  type ChecksumFormat,
} from '../../src/lib/catalog/checksums.js';
import { FatalFailure } from '../../src/shared/failures.js';
import { throwsTyped } from '../support/typedFailures.js';

function hexOf(algorithm: ChecksumAlgorithm | 'md5' | 'sha1', content: string): string {
  return createHash(algorithm).update(content).digest('hex');
}

const IMG = 'noble-server-cloudimg-amd64.img';
const A256 = hexOf('sha256', 'amd64');
const B256 = hexOf('sha256', 'arm64');
const A512 = hexOf('sha512', 'amd64');
const B512 = hexOf('sha512', 'arm64');

describe('checksum files: GNU coreutils lines', () => {
  it('reads text mode (two spaces) with sha256, as Debian and sha256sum write it', () => {
    const text = `${B256}  noble-server-cloudimg-arm64.img\n${A256}  ${IMG}\n`;
    const entry = findChecksum(text, IMG);
    assert.deepEqual(entry, { name: IMG, algorithm: 'sha256', hex: A256, line: 2, format: 'gnu' });
    assert.equal(checksumValue(entry), `sha256:${A256}`);
  });

  it('reads binary mode (` *name`), as Ubuntu publishes SHA256SUMS', () => {
    const text = `${B256} *noble-server-cloudimg-arm64.img\n${A256} *${IMG}\n`;
    assert.equal(findChecksum(text, IMG).hex, A256);
    assert.equal(findChecksum(text, `*${IMG}`).hex, A256);
  });

  it('reads sha512 from the hex length (Debian SHA512SUMS), upper-case hex folded', () => {
    const name = 'debian-12-genericcloud-amd64-daily-20240411-1714.qcow2';
    const text = `${B512}  debian-12-genericcloud-arm64-daily-20240411-1714.qcow2\n${A512.toUpperCase()}  ${name}\n`;
    const entry = findChecksum(text, name);
    assert.equal(entry.algorithm, 'sha512');
    assert.equal(checksumValue(entry), `sha512:${A512}`);
  });

  it('matches names written with ./ and unescapes names GNU escaped with a leading backslash', () => {
    const text = `${A256}  ./${IMG}\n\\${B256}  odd\\\\name\\nline.img\n`;
    assert.equal(findChecksum(text, IMG).hex, A256);
    assert.equal(findChecksum(text, 'odd\\name\nline.img').hex, B256);
  });

  it('skips blank lines, comments, CRLF endings and lines of other algorithms (md5, sha1)', () => {
    const text = `# generated\r\n\r\n${hexOf('md5', 'x')}  ${IMG}\r\n${hexOf('sha1', 'x')}  ${IMG}\r\n${A256}  ${IMG}\r\n`;
    const entries = parseChecksumFile(text);
    assert.deepEqual(
      entries.map((e) => [e.algorithm, e.line]),
      [['sha256', 5]],
    );
  });
});

describe('checksum files: BSD tags and CentOS CHECKSUM', () => {
  it('reads BSD lines with SHA256 and SHA512 tags', () => {
    const text = `SHA256 (${IMG}) = ${A256}\nSHA512 (other.img) = ${B512}\n`;
    assert.deepEqual(findChecksum(text, IMG), {
      name: IMG,
      algorithm: 'sha256',
      hex: A256,
      line: 1,
      format: 'bsd',
    });
    assert.equal(findChecksum(text, 'other.img').algorithm, 'sha512');
  });

  it('reads a clear-signed CentOS CHECKSUM with `#` size comments, dash-escaped lines and the signature', () => {
    const name = 'CentOS-Stream-GenericCloud-9-20240422.0.x86_64.qcow2';
    const text = [
      '-----BEGIN PGP SIGNED MESSAGE-----',
      'Hash: SHA256',
      '',
      `# ${name}: 1139081216 bytes`,
      `SHA256 (${name}) = ${A256}`,
      '# CentOS-Stream-GenericCloud-9-latest.x86_64.qcow2: 1139081216 bytes',
      `SHA256 (CentOS-Stream-GenericCloud-9-latest.x86_64.qcow2) = ${A256}`,
      `- SHA256 (dash-escaped.qcow2) = ${B256}`,
      '-----BEGIN PGP SIGNATURE-----',
      '',
      'iQIzBAEBCAAdFiEE+not+a+real+signature+body==',
      '=abcd',
      '-----END PGP SIGNATURE-----',
      '',
    ].join('\n');
    assert.deepEqual(findChecksum(text, name), {
      name,
      algorithm: 'sha256',
      hex: A256,
      line: 5,
      format: 'bsd',
    });
    assert.equal(findChecksum(text, 'dash-escaped.qcow2').hex, B256);
    assert.equal(parseChecksumFile(text).length, 3);
  });

  it('with several algorithms for one name: the one asked for, else the strongest', () => {
    const text = `SHA256 (${IMG}) = ${A256}\nSHA512 (${IMG}) = ${A512}\n`;
    assert.equal(findChecksum(text, IMG).algorithm, 'sha512');
    assert.equal(findChecksum(text, IMG, { algorithm: 'sha256' }).hex, A256);
  });
});

describe('checksum files: typed failures', () => {
  it('a file without the name → ChecksumNotFound naming the file and what the file holds', () => {
    const text = `${B256} *noble-server-cloudimg-arm64.img\n`;
    throwsTyped(
      () => findChecksum(text, IMG, { source: 'http://mirror/noble/20250115/SHA256SUMS' }),
      FatalFailure.ChecksumNotFound,
      'http://mirror/noble/20250115/SHA256SUMS',
      JSON.stringify(IMG),
      'noble-server-cloudimg-arm64.img',
    );
  });

  it('a line in no known shape → MalformedChecksumFile with its line and text', () => {
    const text = `${A256}  ${IMG}\n<html>Not Found</html>\n`;
    throwsTyped(
      () => parseChecksumFile(text, 'SHA256SUMS'),
      FatalFailure.MalformedChecksumFile,
      'SHA256SUMS line 2',
      '<html>',
    );
  });

  it('a digest of the wrong length for its tag or of no known length → MalformedChecksumFile', () => {
    throwsTyped(
      () => parseChecksumFile(`SHA512 (${IMG}) = ${A256}\n`),
      FatalFailure.MalformedChecksumFile,
      'line 1',
      '128 hex digits after SHA512',
    );
    throwsTyped(
      () => parseChecksumFile(`${A256.slice(1)}  ${IMG}\n`),
      FatalFailure.MalformedChecksumFile,
      'sha256 (64 hex digits) or sha512 (128 hex digits)',
    );
  });

  it('two different checksums for one name → MalformedChecksumFile naming both lines', () => {
    throwsTyped(
      () => findChecksum(`${A256}  ${IMG}\n${B256}  ${IMG}\n`, IMG),
      FatalFailure.MalformedChecksumFile,
      'lines 1 and 2',
    );
  });
});

describe('checksum files: the formats the loopback mirror writes read back', () => {
  const files = [
    { name: IMG, content: 'amd64' },
    { name: 'noble-server-cloudimg-arm64.img', content: 'arm64' },
  ];
  for (const format of ['gnu', 'gnu-binary', 'bsd', 'bsd-sized', 'centos'] satisfies ChecksumFormat[])
    for (const algorithm of ['sha256', 'sha512'] satisfies ChecksumAlgorithm[])
      it(`${format} with ${algorithm}`, () => {
        const text = formatChecksumFile(
          files.map((f) => ({ name: f.name, hex: hexOf(algorithm, f.content), size: f.content.length })),
          { format, algorithm },
        );
        const entry = findChecksum(text, IMG);
        assert.equal(entry.algorithm, algorithm);
        assert.equal(entry.hex, hexOf(algorithm, 'amd64'));
        assert.equal(entry.format, format.startsWith('gnu') ? 'gnu' : 'bsd');
        if (format === 'centos') assert.match(text, /^-----BEGIN PGP SIGNED MESSAGE-----\n/);
        if (format === 'gnu-binary') assert.ok(text.includes(` *${IMG}\n`));
        if (format === 'bsd-sized')
          assert.ok(text.startsWith(`# ${IMG}: 5 bytes\n${algorithm.toUpperCase()} (${IMG}) = `), text);
      });
});
