/**
 * cosign (v3.1.3) as the independent check on the real public signatures of
 * fixtures/signatures: each case is judged by bumpflow's verifier and by
 * `cosign verify-blob` (the simple-signing payload with its Rekor bundle, the
 * public-good Fulcio roots, Rekor and CT keys given as files, as cosign takes
 * them offline) or `cosign verify-blob-attestation` (the v0.3 bundle against
 * the public-good trusted_root.json), and both must agree: accepted, or
 * refused. cosign runs with no network (a closed proxy).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { verifyImageSignature, type KeylessTrustRule } from '../../src/clients/signatures/index.js';
import { runCosign } from '../../src/sandbox/cosignRun.js';
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

interface Root {
  certificateAuthorities: { certChain: { certificates: { rawBytes: string }[] } }[];
  tlogs: { baseUrl: string; publicKey: { rawBytes: string } }[];
  ctlogs: { baseUrl: string; publicKey: { rawBytes: string } }[];
}

/** The public-good material as cosign's environment names it when there is no trusted_root.json flag. */
function offlineMaterial(): Record<string, string> {
  const root = publicGoodRoot() as unknown as Root;
  return {
    'fulcio.pem': root.certificateAuthorities
      .flatMap((c) => c.certChain.certificates.map((x) => pemOf('CERTIFICATE', x.rawBytes)))
      .join(''),
    'rekor.pub': pemOf(
      'PUBLIC KEY',
      root.tlogs.find((l) => l.baseUrl === 'https://rekor.sigstore.dev')!.publicKey.rawBytes,
    ),
    // cosign's variable takes one key: the CT log that logged today's Fulcio certificates
    'ctfe.pub': pemOf(
      'PUBLIC KEY',
      root.ctlogs.find((l) => l.baseUrl === 'https://ctfe.sigstore.dev/2022')!.publicKey.rawBytes,
    ),
  };
}

/** Whether cosign accepts; its refusal text otherwise. */
async function cosignSays(
  args: string[],
  files: Record<string, string>,
  env: Record<string, string> = {},
): Promise<true | string> {
  try {
    await runCosign(args, { version: 'v3', files, env });
    return true;
  } catch (err) {
    return (err as Error).message;
  }
}

async function bumpflowSays(p: Promise<unknown>): Promise<true | string> {
  try {
    await p;
    return true;
  } catch (err) {
    return (err as { type?: string }).type ?? String(err);
  }
}

void describe('cosign agrees with bumpflow on the real public signatures', () => {
  void test('the GitHub Actions simple-signing signature and its tampered forms', async () => {
    const c = caseOf(SIMPLE);
    const payload = readFixture(SIMPLE, 'payload.json');
    const rule: KeylessTrustRule = {
      kind: 'keyless',
      name: 'public-good',
      trustedRoot: publicGoodRoot(),
      identity: c.identity,
      issuer: c.issuer,
    };
    const noBundle = simpleSigningAnnotations();
    delete noBundle['dev.sigstore.cosign/bundle'];
    const cases: [string, Record<string, string>, Partial<KeylessTrustRule>, boolean][] = [
      ['as published', simpleSigningAnnotations(), {}, true],
      ['its Rekor bundle removed', noBundle, {}, false],
      [
        'its SET garbled',
        withRekorBundle((b) => (b.SignedEntryTimestamp = Buffer.from('garbled').toString('base64'))),
        {},
        false,
      ],
      [
        'integratedTime moved by a minute',
        withRekorBundle((b) => (b.Payload.integratedTime += 60)),
        {},
        false,
      ],
      [
        'another identity',
        simpleSigningAnnotations(),
        { identity: c.identity.replace('v0.0.30', 'v0.0.31') },
        false,
      ],
      ['another issuer', simpleSigningAnnotations(), { issuer: 'https://accounts.google.com' }, false],
    ];
    for (const [name, annotations, over, accepted] of cases) {
      const registry = fixtureRegistry(c.imageDigest, {
        source: 'sig-tag',
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        layer: { mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json', annotations, bytes: payload },
      });
      const ours = await bumpflowSays(
        verifyImageSignature(
          registry,
          { registry: 'docker.io', repository: 'salrashid123/server_image', digest: c.imageDigest },
          { ...rule, ...over } as KeylessTrustRule,
        ),
      );
      const rekor = annotations['dev.sigstore.cosign/bundle'];
      // cosign's own local bundle for verify-blob: the same signature, certificate and Rekor bundle
      const local = {
        base64Signature: annotations['dev.cosignproject.cosign/signature'],
        cert: Buffer.from(annotations['dev.sigstore.cosign/certificate']!).toString('base64'),
        ...(rekor !== undefined ? { rekorBundle: JSON.parse(rekor) as unknown } : {}),
      };
      const theirs = await cosignSays(
        [
          'verify-blob',
          '--bundle',
          'local.json',
          '--new-bundle-format=false',
          '--certificate-identity',
          over.identity ?? c.identity,
          '--certificate-oidc-issuer',
          over.issuer ?? c.issuer,
          'payload.json',
        ],
        {
          ...offlineMaterial(),
          'local.json': JSON.stringify(local),
          'payload.json': payload.toString('utf8'),
        },
        {
          SIGSTORE_ROOT_FILE: 'fulcio.pem',
          SIGSTORE_REKOR_PUBLIC_KEY: 'rekor.pub',
          SIGSTORE_CT_LOG_PUBLIC_KEY_FILE: 'ctfe.pub',
        },
      );
      assert.equal(ours === true, accepted, `bumpflow, ${name}: ${String(ours)}`);
      assert.equal(theirs === true, accepted, `cosign, ${name}: ${String(theirs)}`);
    }
  });

  void test('the cosign 3 bundle v0.3 and its tampered forms', async () => {
    const c = caseOf(V03);
    const bundle = readFixture(V03, 'bundle.json').toString('utf8');
    const parsed = JSON.parse(bundle) as { dsseEnvelope: { payload: string } };
    const statement = Buffer.from(parsed.dsseEnvelope.payload, 'base64').toString('utf8');
    const tampered = JSON.stringify({
      ...parsed,
      dsseEnvelope: {
        ...parsed.dsseEnvelope,
        payload: Buffer.from(statement.replace('c811d58d', 'c811d58e')).toString('base64'),
      },
    });
    const rule: KeylessTrustRule = {
      kind: 'keyless',
      name: 'public-good',
      trustedRoot: publicGoodRoot(),
      identity: c.identity,
      issuer: c.issuer,
    };
    const cases: [string, string, Partial<KeylessTrustRule>, boolean][] = [
      ['as published', bundle, {}, true],
      ['its statement changed', tampered, {}, false],
      [
        'another identity',
        bundle,
        { identity: 'https://github.com/kubewarden/other/.github/workflows/release.yml@refs/tags/v1.34.0' },
        false,
      ],
    ];
    for (const [name, bytes, over, accepted] of cases) {
      const registry = fixtureRegistry(c.imageDigest, {
        source: 'referrers',
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        layer: {
          mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
          annotations: {},
          bytes: Buffer.from(bytes),
        },
      });
      const ours = await bumpflowSays(
        verifyImageSignature(
          registry,
          { registry: 'ghcr.io', repository: 'kubewarden/kubewarden-controller', digest: c.imageDigest },
          { ...rule, ...over } as KeylessTrustRule,
        ),
      );
      const theirs = await cosignSays(
        [
          'verify-blob-attestation',
          '--bundle',
          'bundle.json',
          '--trusted-root',
          'trusted_root.json',
          '--certificate-identity',
          over.identity ?? c.identity,
          '--certificate-oidc-issuer',
          c.issuer,
          '--type',
          'https://sigstore.dev/cosign/sign/v1',
          '--digest',
          c.imageDigest.replace('sha256:', ''),
          '--digestAlg',
          'sha256',
        ],
        { 'bundle.json': bytes, 'trusted_root.json': JSON.stringify(publicGoodRoot()) },
      );
      assert.equal(ours === true, accepted, `bumpflow, ${name}: ${String(ours)}`);
      assert.equal(theirs === true, accepted, `cosign, ${name}: ${String(theirs)}`);
    }
  });
});
