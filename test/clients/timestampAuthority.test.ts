/**
 * The sandbox's RFC 3161 timestamp authority (openssl's own TSA on loopback)
 * and testCa's short-lived leaves. Replies are checked by `openssl ts -verify`
 * (independent of us), by @sigstore/core's RFC3161Timestamp, and by
 * @sigstore/verify through the TSA's trusted_root.json entry; leaves by
 * `openssl x509` and `openssl verify -attime`.
 */
import { bundleFromJSON } from '@sigstore/bundle';
import { ASN1Obj, RFC3161Timestamp, X509Certificate as SigstoreCertificate } from '@sigstore/core';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import { execa } from 'execa';
import assert from 'node:assert/strict';
import { createHash, createPublicKey, generateKeyPairSync, sign, X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { issueShortLivedLeaf, makeTestCa, type TestCa } from '../../src/sandbox/testCa.js';
import { startTimestampAuthority, type RunningTsa } from '../../src/sandbox/timestampAuthority.js';

const IDENTITY = 'https://github.com/vexxhost/docker-magnum/.github/workflows/build.yml@refs/heads/main';
const ISSUER = 'https://token.actions.githubusercontent.com';

const run = (args: string[], cwd: string) =>
  execa('openssl', args, { cwd, reject: false, timeout: 30_000, stdin: 'ignore' });

const b64 = (bytes: Buffer) => bytes.toString('base64');

void describe('the sandbox timestamp authority', () => {
  let dir: string;
  let tsa: RunningTsa;
  let other: RunningTsa;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'bumpflow-tsa-'));
    for (const sub of ['tsa', 'other', 'work']) await mkdir(path.join(dir, sub));
    tsa = await startTimestampAuthority(path.join(dir, 'tsa'));
    other = await startTimestampAuthority(path.join(dir, 'other'), { name: 'other tsa' });
  });
  after(async () => {
    await tsa?.close();
    await other?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const post = (body: Buffer, contentType = 'application/timestamp-query') =>
    fetch(tsa.url, { method: 'POST', headers: { 'Content-Type': contentType }, body });

  void test('answers a timestamp query that openssl ts -verify, @sigstore/core and @sigstore/verify accept', async () => {
    const work = path.join(dir, 'work');
    // what gets timestamped in a sigstore bundle: a signature's bytes
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const artifact = Buffer.from('bumpflow timestamped artifact\n');
    const signature = sign('sha256', artifact, privateKey);
    await writeFile(path.join(work, 'signature.bin'), signature);
    const query = await run(
      ['ts', '-query', '-data', 'signature.bin', '-sha256', '-cert', '-out', 'q.tsq'],
      work,
    );
    assert.equal(query.exitCode, 0, query.stderr);

    const before = tsa.requests;
    const response = await post(await readFile(path.join(work, 'q.tsq')));
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/timestamp-reply');
    const reply = Buffer.from(await response.arrayBuffer());
    assert.equal(tsa.requests, before + 1);
    assert.match(tsa.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);

    await writeFile(path.join(work, 'reply.tsr'), reply);
    await writeFile(path.join(work, 'root.pem'), tsa.rootPem);
    await writeFile(path.join(work, 'tsa.pem'), tsa.certPem);
    const args = ['ts', '-verify', '-in', 'reply.tsr', '-queryfile', 'q.tsq', '-CAfile', 'root.pem'];
    const verified = await run([...args, '-untrusted', 'tsa.pem'], work);
    assert.equal(verified.exitCode, 0, verified.stderr);
    assert.match(verified.stdout, /Verification: OK/);
    await writeFile(path.join(work, 'other-root.pem'), other.rootPem);
    const refused = await run(
      ['ts', '-verify', '-in', 'reply.tsr', '-queryfile', 'q.tsq', '-CAfile', 'other-root.pem'],
      work,
    );
    assert.notEqual(refused.exitCode, 0, 'another TSA root does not verify it');

    // RFC3161Timestamp.parse reads a TimeStampResp (status, then token): what a
    // sigstore bundle's signedTimestamp holds. The bare token does not parse so.
    const tsaKey = createPublicKey(tsa.certPem);
    const timestamp = RFC3161Timestamp.parse(reply);
    assert.equal(timestamp.status, 0n, 'granted');
    timestamp.verify(signature, tsaKey);
    assert.throws(() => timestamp.verify(Buffer.from('something else'), tsaKey));
    assert.ok(Math.abs(timestamp.signingTime.getTime() - Date.now()) < 10_000, 'signed about now');
    const token = await run(['ts', '-reply', '-in', 'reply.tsr', '-token_out', '-out', 'token.der'], work);
    assert.equal(token.exitCode, 0, token.stderr);
    const tokenDer = await readFile(path.join(work, 'token.der'));
    assert.ok(reply.includes(tokenDer), 'the token is inside the reply');
    assert.throws(() => RFC3161Timestamp.parse(tokenDer).verify(signature, tsaKey));

    // the trusted-root entry, as @sigstore/verify uses it
    const entity = toSignedEntity(
      bundleFromJSON({
        mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
        verificationMaterial: {
          publicKey: { hint: 'test-key' },
          tlogEntries: [],
          timestampVerificationData: { rfc3161Timestamps: [{ signedTimestamp: b64(reply) }] },
        },
        messageSignature: {
          messageDigest: {
            algorithm: 'SHA2_256',
            digest: b64(createHash('sha256').update(artifact).digest()),
          },
          signature: b64(signature),
        },
      }),
      artifact,
    );
    const verifierFor = (entry: RunningTsa['trustedRootEntry']) =>
      new Verifier(
        toTrustMaterial(
          TrustedRoot.fromJSON({
            mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
            tlogs: [],
            certificateAuthorities: [],
            ctlogs: [],
            timestampAuthorities: [entry],
          }),
          () => ({ publicKey, validFor: () => true }),
        ),
        { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 1 },
      );
    verifierFor(tsa.trustedRootEntry).verify(entity);
    assert.throws(() => verifierFor(other.trustedRootEntry).verify(entity), /timestamp/i);
  });

  void test('its trusted-root entry and chain name the signing certificate, then the root', () => {
    const signer = new X509Certificate(tsa.certPem);
    const root = new X509Certificate(tsa.rootPem);
    assert.equal(tsa.chainPem, `${tsa.certPem}${tsa.rootPem}`);
    assert.ok(signer.verify(root.publicKey) && signer.checkIssued(root));
    assert.deepEqual(signer.keyUsage, ['1.3.6.1.5.5.7.3.8'], 'timeStamping');
    assert.ok(new Date(signer.validFrom).getTime() <= Date.now());
    assert.ok(new Date(root.validFrom).getTime() <= Date.now());
    const entry = tsa.trustedRootEntry;
    assert.deepEqual(entry.subject, {
      organization: 'bumpflow test tsa',
      commonName: 'bumpflow test tsa root',
    });
    assert.equal(entry.uri, tsa.url);
    assert.deepEqual(
      entry.certChain.certificates.map((c) => Buffer.from(c.rawBytes, 'base64')),
      [signer.raw, root.raw],
    );
    assert.equal(entry.validFor.start, new Date(signer.validFrom).toISOString());
  });

  void test('refuses what is not a timestamp query', async () => {
    // openssl answers a malformed query with a rejection (status 2), as RFC 3161 says
    const garbage = await post(Buffer.from('not a query'));
    assert.equal(garbage.status, 200);
    const rejection = RFC3161Timestamp.parse(Buffer.from(await garbage.arrayBuffer()));
    assert.equal(rejection.status, 2n);
    assert.throws(() => rejection.verify(Buffer.from('not a query'), createPublicKey(tsa.certPem)));
    const wrongType = await post(Buffer.from('x'), 'application/json');
    assert.equal(wrongType.status, 415);
    const get = await fetch(tsa.url);
    assert.equal(get.status, 405);
  });
});

/** `openssl x509 -noout -dates`: notBefore and notAfter. */
async function datesOf(certPath: string): Promise<{ notBefore: Date; notAfter: Date }> {
  const { stdout } = await execa('openssl', ['x509', '-noout', '-dates', '-in', certPath]);
  const date = (field: string) => new Date(new RegExp(`^${field}=(.+)$`, 'm').exec(stdout)![1]!);
  return { notBefore: date('notBefore'), notAfter: date('notAfter') };
}

void describe('issueShortLivedLeaf', () => {
  let dir: string;
  let ca: TestCa;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'bumpflow-short-leaf-'));
    for (const sub of ['ca', 'short']) await mkdir(path.join(dir, sub));
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    ca = await makeTestCa(path.join(dir, 'ca'), { identity: IDENTITY, issuer: ISSUER, publicKeyPem });
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  void test('issues a Fulcio-like leaf for a new key, valid exactly the window given, chaining to the CA', async () => {
    const now = Math.floor(Date.now() / 1000) * 1000;
    const notBefore = new Date(now - 60_000);
    const notAfter = new Date(now + 30_000);
    const short = path.join(dir, 'short');
    const leaf = await issueShortLivedLeaf(ca, short, {
      identity: IDENTITY,
      issuer: ISSUER,
      notBefore,
      notAfter,
    });

    assert.deepEqual(await datesOf(leaf.leafPath), { notBefore, notAfter });
    assert.equal(await readFile(leaf.leafPath, 'utf8'), leaf.leafPem);
    assert.match(leaf.keyPem, /^-----BEGIN PRIVATE KEY-----\n/, 'PKCS#8, unencrypted');
    assert.equal((await stat(leaf.keyPath)).mode & 0o777, 0o600);
    const certificate = new X509Certificate(leaf.leafPem);
    assert.equal(
      createPublicKey(leaf.keyPem).export({ type: 'spki', format: 'der' }).toString('hex'),
      certificate.publicKey.export({ type: 'spki', format: 'der' }).toString('hex'),
      'certifies the new key',
    );
    assert.notEqual(certificate.publicKey.export({ type: 'spki', format: 'pem' }), ca.leafPem);
    assert.equal(
      certificate.issuer,
      new X509Certificate(ca.leafPem).issuer,
      "the same issuer as makeTestCa's leaf",
    );

    const parsed = SigstoreCertificate.parse(leaf.leafPem);
    assert.equal(parsed.subjectAltName, IDENTITY);
    assert.equal(parsed.extension('1.3.6.1.4.1.57264.1.1')?.value.toString(), ISSUER);
    const utf8 = ASN1Obj.parseBuffer(Buffer.from(parsed.extension('1.3.6.1.4.1.57264.1.8')!.value));
    assert.deepEqual([utf8.tag.number, utf8.value.toString()], [0x0c, ISSUER], 'a UTF8String');
    assert.deepEqual(certificate.keyUsage, ['1.3.6.1.5.5.7.3.3'], 'codeSigning');

    await writeFile(path.join(short, 'intermediate.pem'), ca.intermediatePem!);
    const verifyAt = (at: Date, leafPath: string) =>
      run(
        [
          'verify',
          '-CAfile',
          ca.rootPath,
          '-untrusted',
          'intermediate.pem',
          '-attime',
          String(at.getTime() / 1000),
          leafPath,
        ],
        short,
      );
    // inside the window (and after the CA's own notBefore, its making a moment ago)
    const inside = await verifyAt(new Date(Math.floor(Date.now() / 1000) * 1000 + 1000), leaf.leafPath);
    assert.equal(inside.exitCode, 0, inside.stderr);
    assert.equal((await verifyAt(new Date(now), ca.leafPath)).exitCode, 0, "makeTestCa's leaf, same root");
    const afterWindow = await verifyAt(new Date(notAfter.getTime() + 1000), leaf.leafPath);
    assert.notEqual(afterWindow.exitCode, 0);
    assert.match(`${afterWindow.stdout}${afterWindow.stderr}`, /certificate has expired/);

    // the database is kept: another leaf from the same dir, an email identity, a new serial and key
    const second = await issueShortLivedLeaf(ca, short, {
      identity: 'release@example.com',
      issuer: ISSUER,
      notBefore,
      notAfter: new Date(now + 3_600_000),
    });
    const secondCertificate = new X509Certificate(second.leafPem);
    assert.equal(secondCertificate.subjectAltName, 'email:release@example.com');
    assert.notEqual(secondCertificate.serialNumber, certificate.serialNumber);
    assert.notEqual(second.keyPath, leaf.keyPath);
  });
});
