/**
 * verifyImageSignature: is this digest signed, by the signer a trust rule
 * names? Every signature the registry client finds (`.sig` tag, referrers,
 * referrers tag) is tried, each simple-signing layer's payload fetched
 * (digest-verified by the client) and checked; the first that verifies AND
 * signs the digest wins. Offline: no transparency or CT log.
 *
 * Refusals, typed: none found → Unsigned; found, none verifies →
 * SignatureInvalid; verifies, another identity/issuer → SignerMismatch;
 * verifies, signs another digest → SignedDigestMismatch.
 */
import { MediaType } from '../registry/schema.js';
import { type DigestRef, type RegistryClient, type SignatureArtifact } from '../registry/types.js';
import { fatal, FatalFailure } from '../../shared/failures.js';
import { keylessTrust, verifyKeyless, type KeylessTrust } from './keylessVerify.js';
import { publicKeyOf, verifyPayloadSignature } from './keyVerify.js';
import { checkSignedDigest, parseSimpleSigning } from './payload.js';
import { Annotation, type SignatureEvidence, type TrustRule } from './types.js';

/** A simple-signing payload is a few hundred bytes; anything far larger is not one. */
const MAX_PAYLOAD_BYTES = 256 * 1024;

type Checker = (
  annotations: Record<string, string>,
  payload: Buffer,
) => { kind: 'ok'; verifiedBy: string; certificate?: SignatureEvidence['certificate'] } | Refusal;
type Refusal =
  { kind: 'invalid'; reason: string } | { kind: 'mismatch'; found: { identity: string; issuer: string } };

function checkerFor(rule: TrustRule, now: Date): Checker {
  if (rule.kind === 'key') {
    const key = publicKeyOf(rule.publicKeyPem, rule.name);
    return (annotations, payload) => {
      const signature = annotations[Annotation.signature];
      if (signature === undefined || signature === '')
        return { kind: 'invalid', reason: `the layer has no ${Annotation.signature} annotation` };
      return verifyPayloadSignature(key, payload, signature)
        ? { kind: 'ok', verifiedBy: `key ${rule.name}` }
        : { kind: 'invalid', reason: `the signature does not verify with key ${rule.name}` };
    };
  }
  const trust: KeylessTrust = keylessTrust(rule);
  return (annotations, payload) => {
    const outcome = verifyKeyless(trust, annotations, payload, now);
    if (outcome.kind !== 'ok') return outcome;
    const c = outcome.certificate;
    return {
      kind: 'ok',
      verifiedBy: `certificate ${c.subjectAlternativeName} from ${c.issuer} (root ${rule.name})`,
      certificate: c,
    };
  };
}

function expectedSigner(rule: TrustRule): string {
  if (rule.kind === 'key') return `key ${rule.name}`;
  const identity = rule.identity ?? `/${rule.identityRegExp}/`;
  const issuer = rule.issuer ?? `/${rule.issuerRegExp}/`;
  return `identity ${identity} from issuer ${issuer}`;
}

interface Attempt {
  where: string;
  refusal: Refusal | { kind: 'digest'; reason: string };
}

export async function verifyImageSignature(
  registry: RegistryClient,
  ref: DigestRef,
  rule: TrustRule,
  options: { now?: Date } = {},
): Promise<SignatureEvidence> {
  const image = `${ref.registry}/${ref.repository}@${ref.digest}`;
  const check = checkerFor(rule, options.now ?? new Date());
  const artifacts: SignatureArtifact[] = await registry.findSignatures(ref);
  if (artifacts.length === 0) {
    throw fatal(
      FatalFailure.Unsigned,
      `expected a cosign signature of ${image} (a ${ref.digest.replace(':', '-')}.sig tag or an OCI referrer), found none`,
      { image },
    );
  }
  const attempts: Attempt[] = [];
  for (const artifact of artifacts) {
    for (const layer of artifact.layers) {
      const where = `${artifact.source} ${artifact.manifestDigest}`;
      if (layer.mediaType !== MediaType.cosignSimpleSigning) {
        attempts.push({
          where,
          refusal: {
            kind: 'invalid',
            reason: `its layer is ${layer.mediaType}, not a simple-signing payload (sigstore bundles are not supported offline)`,
          },
        });
        continue;
      }
      if (layer.size > MAX_PAYLOAD_BYTES) {
        attempts.push({
          where,
          refusal: {
            kind: 'invalid',
            reason: `its payload is ${layer.size} bytes, over ${MAX_PAYLOAD_BYTES}`,
          },
        });
        continue;
      }
      const bytes = await registry.getBlob({
        registry: ref.registry,
        repository: ref.repository,
        digest: layer.digest,
      });
      const verdict = check(layer.annotations, bytes);
      if (verdict.kind !== 'ok') {
        attempts.push({ where, refusal: verdict });
        continue;
      }
      const parsed = parseSimpleSigning(bytes);
      if (!parsed.ok) {
        attempts.push({ where, refusal: { kind: 'invalid', reason: parsed.reason } });
        continue;
      }
      const wrongDigest = checkSignedDigest(parsed.payload, ref.digest);
      if (wrongDigest !== undefined) {
        attempts.push({ where, refusal: { kind: 'digest', reason: wrongDigest } });
        continue;
      }
      return {
        digest: ref.digest,
        source: artifact.source,
        signatureManifest: artifact.manifestDigest,
        payloadDigest: layer.digest,
        verifiedBy: verdict.verifiedBy,
        signedDigest: parsed.payload.signedDigest,
        ...(parsed.payload.dockerReference ? { dockerReference: parsed.payload.dockerReference } : {}),
        ...(verdict.certificate ? { certificate: verdict.certificate } : {}),
      };
    }
  }
  throw refusalOf(image, rule, artifacts.length, attempts);
}

function refusalOf(image: string, rule: TrustRule, found: number, attempts: readonly Attempt[]): Error {
  const details = { image, signatures: found, tried: attempts.length };
  const digest = attempts.find((a) => a.refusal.kind === 'digest');
  if (digest?.refusal.kind === 'digest') {
    return fatal(
      FatalFailure.SignedDigestMismatch,
      `a signature of ${image} (${digest.where}) verifies with ${expectedSigner(rule)}, but ${digest.refusal.reason}`,
      details,
    );
  }
  const mismatch = attempts.find((a) => a.refusal.kind === 'mismatch');
  if (mismatch?.refusal.kind === 'mismatch') {
    const { identity, issuer } = mismatch.refusal.found;
    return fatal(
      FatalFailure.SignerMismatch,
      `expected ${image} to be signed by ${expectedSigner(rule)}, found a valid certificate (${mismatch.where}) for identity ${identity || '(none)'} from issuer ${issuer || '(none)'}`,
      { ...details, foundIdentity: identity, foundIssuer: issuer },
    );
  }
  const first = attempts[0];
  const why =
    first?.refusal.kind === 'invalid' ? `${first.where}: ${first.refusal.reason}` : 'no signature layers';
  return fatal(
    FatalFailure.SignatureInvalid,
    `expected a signature of ${image} that verifies with ${expectedSigner(rule)}, found ${found} signature manifest(s), ${attempts.length} signature(s) tried, none verifies; the first: ${why}`,
    details,
  );
}
