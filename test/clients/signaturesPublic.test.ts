/**
 * Real public signatures, verified offline against the real public-good
 * trusted root (fixtures/signatures, SOURCES.md): a keyless cosign
 * simple-signing signature made by GitHub Actions with its Rekor bundle, and a
 * cosign 3 sigstore bundle v0.3 (DSSE, Rekor inclusion proof and an RFC 3161
 * timestamp). Their 10-minute certificates expired months ago; the signing
 * time comes from the log or the timestamp authority, never the wall clock.
 * Every tamper is refused with its type.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  loadTrustRoots,
  verifyImageSignature,
  type KeylessTrustRule,
  type TrustedRootJson,
} from '../../src/clients/signatures/index.js';
import { FatalFailure } from '../../src/shared/failures.js';
import {
  caseOf,
  fixtureRegistry,
  pemOf,
  publicGoodRoot,
  readFixture,
  simpleSigningAnnotations,
  withRekorBundle,
} from '../support/signatureFixtures.js';

const SIMPLE = 'salrashid123-server-image';
const V03 = 'kubewarden-controller-v1.34.0';
const ATTESTATION = 'cosign-oci-attestation-test';
const SIMPLE_SIGNING = 'application/vnd.dev.cosign.simplesigning.v1+json';
const BUNDLE_V03 = 'application/vnd.dev.sigstore.bundle.v0.3+json';

function rule(
  name: string,
  over: Partial<KeylessTrustRule> = {},
  root: TrustedRootJson = publicGoodRoot(),
): KeylessTrustRule {
  const c = caseOf(name);
  return {
    kind: 'keyless',
    name: 'trusted_root.json',
    trustedRoot: root,
    identity: c.identity,
    issuer: c.issuer,
    ...over,
  } as KeylessTrustRule;
}

function simpleRegistry(
  annotations: Record<string, string> = simpleSigningAnnotations(),
  digest = caseOf(SIMPLE).imageDigest,
) {
  return fixtureRegistry(digest, {
    source: 'sig-tag',
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    layer: { mediaType: SIMPLE_SIGNING, annotations, bytes: readFixture(SIMPLE, 'payload.json') },
  });
}

function bundleRegistry(name: string, bytes: Buffer = readFixture(name, 'bundle.json')) {
  return fixtureRegistry(caseOf(name).imageDigest, {
    source: 'referrers',
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    layer: { mediaType: BUNDLE_V03, annotations: {}, bytes },
  });
}

const ref = (name: string) => ({
  registry: 'ghcr.io',
  repository: 'example/image',
  digest: caseOf(name).imageDigest,
});

async function refusedWith(p: Promise<unknown>, type: string, message: RegExp): Promise<void> {
  await assert.rejects(p, (err: Error & { type?: string }) => {
    assert.equal(err.type, type, err.message);
    assert.match(err.message, message);
    return true;
  });
}

/** The public-good root with every Fulcio CA's window ending before `end`. */
function rootWithCaWindowEnding(end: Date): TrustedRootJson {
  const root = publicGoodRoot();
  const cas = root.certificateAuthorities as { validFor: { start: string; end?: string } }[];
  for (const ca of cas) ca.validFor = { start: ca.validFor.start, end: end.toISOString() };
  return root;
}

void describe('real public signatures, offline, long after their certificates expired', () => {
  void test('keyless simple-signing from GitHub Actions with its Rekor bundle verifies: signed at the log time, cert expired since', async () => {
    const c = caseOf(SIMPLE);
    assert.ok(new Date(c.certNotAfter).getTime() < Date.now(), 'the certificate has expired');
    const evidence = await verifyImageSignature(simpleRegistry(), ref(SIMPLE), rule(SIMPLE));
    assert.equal(evidence.format, 'simple-signing');
    assert.equal(evidence.signedDigest, c.imageDigest);
    assert.equal(evidence.signedAt, new Date(c.integratedTime * 1000).toISOString());
    assert.equal(evidence.timeSource, 'transparency-log');
    assert.deepEqual(evidence.tlogEntries, ['1004096555']);
    assert.equal(evidence.certificate?.subjectAlternativeName, c.identity);
    assert.equal(evidence.certificate?.notAfter, new Date(c.certNotAfter).toISOString());
    assert.equal(evidence.verifiedBy, `certificate ${c.identity} from ${c.issuer} (root trusted_root.json)`);
  });

  void test('the same signature with its bundle removed has no verified time: NoVerifiedTimestamp', async () => {
    const a = simpleSigningAnnotations();
    delete a['dev.sigstore.cosign/bundle'];
    await refusedWith(
      verifyImageSignature(simpleRegistry(a), ref(SIMPLE), rule(SIMPLE)),
      FatalFailure.NoVerifiedTimestamp,
      /no verified transparency-log entry or RFC 3161 timestamp/,
    );
  });

  void test('a garbled SET or an integratedTime moved by a minute is SignatureInvalid; a garbage bundle too', async () => {
    const garbled = withRekorBundle((b) => {
      const set = Buffer.from(b.SignedEntryTimestamp, 'base64');
      set[set.length - 5] = set[set.length - 5]! ^ 0xff;
      b.SignedEntryTimestamp = set.toString('base64');
    });
    await refusedWith(
      verifyImageSignature(simpleRegistry(garbled), ref(SIMPLE), rule(SIMPLE)),
      FatalFailure.SignatureInvalid,
      /TLOG_INCLUSION_PROMISE_ERROR/,
    );
    const moved = withRekorBundle((b) => {
      b.Payload.integratedTime += 60;
    });
    await refusedWith(
      verifyImageSignature(simpleRegistry(moved), ref(SIMPLE), rule(SIMPLE)),
      FatalFailure.SignatureInvalid,
      /TLOG_INCLUSION_PROMISE_ERROR/,
    );
    const garbage = {
      ...simpleSigningAnnotations(),
      'dev.sigstore.cosign/bundle': '{"not": "a rekor bundle"}',
    };
    await refusedWith(
      verifyImageSignature(simpleRegistry(garbage), ref(SIMPLE), rule(SIMPLE)),
      FatalFailure.SignatureInvalid,
      /not a Rekor bundle/,
    );
  });

  void test('another identity or another issuer is SignerMismatch, naming what was found', async () => {
    const c = caseOf(SIMPLE);
    const otherIdentity = rule(SIMPLE, { identity: c.identity.replace('v0.0.30', 'v0.0.31') });
    await refusedWith(
      verifyImageSignature(simpleRegistry(), ref(SIMPLE), otherIdentity),
      FatalFailure.SignerMismatch,
      /found a valid certificate .* for identity .*v0\.0\.30/,
    );
    const otherIssuer = rule(SIMPLE, { issuer: 'https://accounts.google.com' });
    await refusedWith(
      verifyImageSignature(simpleRegistry(), ref(SIMPLE), otherIssuer),
      FatalFailure.SignerMismatch,
      /from issuer https:\/\/token\.actions/,
    );
    const byRegExp = rule(SIMPLE, {
      identity: undefined,
      identityRegExp: '^https://github\\.com/salrashid123/',
    } as Partial<KeylessTrustRule>);
    assert.equal(
      (await verifyImageSignature(simpleRegistry(), ref(SIMPLE), byRegExp)).signedDigest,
      c.imageDigest,
    );
  });

  void test("a CA used outside its validFor is refused; without the CT log's key the SCT does not verify", async () => {
    const c = caseOf(SIMPLE);
    const before = new Date(c.integratedTime * 1000 - 86_400_000);
    await refusedWith(
      verifyImageSignature(simpleRegistry(), ref(SIMPLE), rule(SIMPLE, {}, rootWithCaWindowEnding(before))),
      FatalFailure.SignatureInvalid,
      /CERTIFICATE_ERROR/,
    );
    const noCt = { ...publicGoodRoot(), ctlogs: [] };
    await refusedWith(
      verifyImageSignature(simpleRegistry(), ref(SIMPLE), rule(SIMPLE, {}, noCt)),
      FatalFailure.SignatureInvalid,
      /SCT/,
    );
    const noRekor = { ...publicGoodRoot(), tlogs: [] };
    await refusedWith(
      verifyImageSignature(simpleRegistry(), ref(SIMPLE), rule(SIMPLE, {}, noRekor)),
      FatalFailure.SignatureInvalid,
      /TLOG/,
    );
  });

  void test('the signature under another digest is SignedDigestMismatch', async () => {
    const other = `sha256:${'e'.repeat(64)}`;
    await refusedWith(
      verifyImageSignature(
        simpleRegistry(simpleSigningAnnotations(), other),
        { ...ref(SIMPLE), digest: other },
        rule(SIMPLE),
      ),
      FatalFailure.SignedDigestMismatch,
      /signs sha256:c05263d2/,
    );
  });

  void test('a cosign 3 bundle v0.3 (DSSE, inclusion proof, RFC 3161 timestamp) verifies long after its certificate expired', async () => {
    const c = caseOf(V03);
    const evidence = await verifyImageSignature(bundleRegistry(V03), ref(V03), rule(V03));
    assert.equal(evidence.format, 'sigstore-bundle');
    assert.equal(evidence.signedDigest, c.imageDigest);
    assert.equal(evidence.source, 'referrers');
    assert.equal(evidence.signedAt, new Date(c.integratedTime * 1000).toISOString());
    assert.deepEqual(evidence.tlogEntries, ['1261105807']);
    assert.equal(evidence.certificate?.issuer, c.issuer);
  });

  void test('the v0.3 bundle: without its log entry it still has its timestamp; without both it is NoVerifiedTimestamp; tampered, refused', async () => {
    const bundle = JSON.parse(readFixture(V03, 'bundle.json').toString('utf8')) as {
      verificationMaterial: { tlogEntries: unknown[]; timestampVerificationData?: unknown };
      dsseEnvelope: { payload: string };
    };
    const without = (change: (b: typeof bundle) => void) => {
      const copy = structuredClone(bundle);
      change(copy);
      return Buffer.from(JSON.stringify(copy));
    };
    const tsaOnly = without((b) => (b.verificationMaterial.tlogEntries = []));
    const lenient = rule(V03, { tlog: 'optional' });
    const evidence = await verifyImageSignature(bundleRegistry(V03, tsaOnly), ref(V03), lenient);
    assert.equal(evidence.timeSource, 'timestamp-authority');
    await refusedWith(
      verifyImageSignature(bundleRegistry(V03, tsaOnly), ref(V03), rule(V03)),
      FatalFailure.SignatureInvalid,
      /tlog entries/,
    );
    const none = without((b) => {
      b.verificationMaterial.tlogEntries = [];
      delete b.verificationMaterial.timestampVerificationData;
    });
    await refusedWith(
      verifyImageSignature(bundleRegistry(V03, none), ref(V03), lenient),
      FatalFailure.NoVerifiedTimestamp,
      /no verified/,
    );
    const payload = Buffer.from(bundle.dsseEnvelope.payload, 'base64')
      .toString('utf8')
      .replace('c811d58d', 'c811d58e');
    const tampered = without((b) => (b.dsseEnvelope.payload = Buffer.from(payload).toString('base64')));
    await refusedWith(
      verifyImageSignature(bundleRegistry(V03, tampered), ref(V03), rule(V03)),
      FatalFailure.SignatureInvalid,
      /ERROR/,
    );
    await refusedWith(
      verifyImageSignature(
        bundleRegistry(V03),
        ref(V03),
        rule(V03, { identity: 'https://github.com/someone/else' }),
      ),
      FatalFailure.SignerMismatch,
      /kubewarden/,
    );
  });

  void test('a signed in-toto attestation of the image is not its signature: SignatureInvalid', async () => {
    await refusedWith(
      verifyImageSignature(bundleRegistry(ATTESTATION), ref(ATTESTATION), rule(ATTESTATION)),
      FatalFailure.SignatureInvalid,
      /an attestation, not a signature/,
    );
  });

  void test('the private-PKI form (a PEM bundle of CAs plus named log keys) made from the public-good material verifies the same signature', async () => {
    interface Log {
      baseUrl: string;
      publicKey: { rawBytes: string };
      logId: { keyId: string };
    }
    const root = publicGoodRoot() as {
      certificateAuthorities: { certChain: { certificates: { rawBytes: string }[] } }[];
      tlogs: Log[];
      ctlogs: Log[];
    };
    const bundle = root.certificateAuthorities
      .flatMap((ca) => ca.certChain.certificates.map((c) => pemOf('CERTIFICATE', c.rawBytes)))
      .join('');
    const key = (log: Log) => ({ name: log.baseUrl, pem: pemOf('PUBLIC KEY', log.publicKey.rawBytes) });
    const rekor = root.tlogs.find((l) => l.baseUrl === 'https://rekor.sigstore.dev')!;
    const ct = root.ctlogs.find((l) => l.baseUrl === 'https://ctfe.sigstore.dev/2022')!;
    const material = loadTrustRoots(bundle, 'public-good.pem', {
      tlogKeys: [key(rekor)],
      ctlogKeys: [key(ct)],
    });
    const logs = material.tlogs as Log[];
    assert.equal(
      logs[0]?.logId.keyId,
      rekor.logId.keyId,
      "the log id computed from the key is Sigstore's own",
    );
    assert.equal(
      material.certificateAuthorities?.length,
      3,
      'the 2021 root, the 2022 intermediate (with its root) and the 2022 root',
    );
    const evidence = await verifyImageSignature(simpleRegistry(), ref(SIMPLE), rule(SIMPLE, {}, material));
    assert.equal(evidence.signedDigest, caseOf(SIMPLE).imageDigest);
    const withoutLog = loadTrustRoots(bundle, 'public-good.pem', { ctlogKeys: [key(ct)] });
    await refusedWith(
      verifyImageSignature(simpleRegistry(), ref(SIMPLE), rule(SIMPLE, {}, withoutLog)),
      FatalFailure.SignatureInvalid,
      /TLOG/,
    );
  });
});
