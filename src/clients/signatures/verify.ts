/**
 * verifyImageSignature: is this digest signed, by the signer a trust rule
 * names? Every signature the registry client finds (`.sig` tag, referrers,
 * referrers tag) is tried: cosign simple-signing layers (made into a sigstore
 * bundle with their Rekor entry and timestamp, cosignBundle.ts) and sigstore
 * bundles v0.1–v0.3 (cosign 3's default, ociBundle.ts), each checked by
 * @sigstore/verify (sigstoreCheck.ts); the first that verifies AND signs the
 * digest wins. Offline: the logs' and authorities' keys come from the rule's
 * trusted root.
 *
 * Refusals, typed: none found → Unsigned; found, none verifies →
 * SignatureInvalid; verifies but no verified log entry or timestamp gives the
 * signing time (keyless) → NoVerifiedTimestamp; verifies, another
 * identity/issuer → SignerMismatch; verifies, signs another digest →
 * SignedDigestMismatch.
 */
import { createHash } from 'node:crypto';
import { MediaType } from '../registry/schema.js';
import { type DigestRef, type RegistryClient, type SignatureLayer } from '../registry/types.js';
import { fatal, FatalFailure } from '../../shared/failures.js';
import { bundleOfLayer } from './cosignBundle.js';
import { expectedSigner } from './matchers.js';
import { readBundle, signedDigestOf } from './ociBundle.js';
import { checkSignedDigest, parseSimpleSigning } from './payload.js';
import { checkBundle, prepareRule, type PreparedRule, type Verdict } from './sigstoreCheck.js';
import { type SignatureEvidence, type TrustRule } from './types.js';

/** A simple-signing payload is a few hundred bytes, a bundle a few KiB; anything far larger is neither. */
const MAX_LAYER_BYTES = 256 * 1024;

type Refusal = Exclude<Verdict, { kind: 'ok' }> | { kind: 'digest'; reason: string };
type Outcome =
  | { ok: true; evidence: Omit<SignatureEvidence, 'source' | 'signatureManifest'> }
  | { ok: false; refusal: Refusal };

interface Attempt {
  where: string;
  refusal: Refusal;
}

const isBundleType = (mediaType: string): boolean =>
  mediaType.startsWith('application/vnd.dev.sigstore.bundle');

function okEvidence(
  digest: string,
  signed: Buffer,
  verdict: Extract<Verdict, { kind: 'ok' }>,
  format: SignatureEvidence['format'],
  extra: { signedDigest: string; dockerReference?: string },
): Outcome {
  const { kind: _kind, ...rest } = verdict;
  return {
    ok: true,
    evidence: {
      digest,
      payloadDigest: `sha256:${createHash('sha256').update(signed).digest('hex')}`,
      format,
      ...extra,
      ...rest,
    },
  };
}

function checkSimpleSigning(p: PreparedRule, layer: SignatureLayer, bytes: Buffer, digest: string): Outcome {
  const shaped = bundleOfLayer(
    layer.annotations,
    bytes,
    p.rule.kind === 'key' ? { useCertificate: false, hint: p.rule.name } : { useCertificate: true },
  );
  if (!shaped.ok) return { ok: false, refusal: { kind: 'invalid', reason: shaped.reason } };
  const verdict = checkBundle(p, shaped.bundle, bytes);
  if (verdict.kind !== 'ok') return { ok: false, refusal: verdict };
  const parsed = parseSimpleSigning(bytes);
  if (!parsed.ok) return { ok: false, refusal: { kind: 'invalid', reason: parsed.reason } };
  const wrong = checkSignedDigest(parsed.payload, digest);
  if (wrong !== undefined) return { ok: false, refusal: { kind: 'digest', reason: wrong } };
  return okEvidence(digest, bytes, verdict, 'simple-signing', {
    signedDigest: parsed.payload.signedDigest,
    ...(parsed.payload.dockerReference ? { dockerReference: parsed.payload.dockerReference } : {}),
  });
}

async function checkSigstoreBundle(
  p: PreparedRule,
  bytes: Buffer,
  ref: DigestRef,
  registry: RegistryClient,
): Promise<Outcome> {
  const read = readBundle(bytes);
  if (!read.ok) return { ok: false, refusal: { kind: 'invalid', reason: read.reason } };
  // A message signature signs the image manifest's own bytes: fetched (digest-verified) only then.
  const artifact = read.kind === 'message' ? (await registry.getManifest(ref)).body : undefined;
  const verdict = checkBundle(p, read.bundle, artifact);
  if (verdict.kind !== 'ok') return { ok: false, refusal: verdict };
  const signed = signedDigestOf(read.bundle, ref.digest);
  if (!signed.ok) return { ok: false, refusal: { kind: signed.kind, reason: signed.reason } };
  return okEvidence(ref.digest, bytes, verdict, 'sigstore-bundle', { signedDigest: signed.signedDigest });
}

export async function verifyImageSignature(
  registry: RegistryClient,
  ref: DigestRef,
  rule: TrustRule,
): Promise<SignatureEvidence> {
  const image = `${ref.registry}/${ref.repository}@${ref.digest}`;
  const prepared = prepareRule(rule);
  const artifacts = await registry.findSignatures(ref);
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
      const simple = layer.mediaType === MediaType.cosignSimpleSigning;
      if (!simple && !isBundleType(layer.mediaType)) {
        const reason = `its layer is ${layer.mediaType}, neither a simple-signing payload nor a sigstore bundle`;
        attempts.push({ where, refusal: { kind: 'invalid', reason } });
        continue;
      }
      if (layer.size > MAX_LAYER_BYTES) {
        const reason = `its layer is ${layer.size} bytes, over ${MAX_LAYER_BYTES}`;
        attempts.push({ where, refusal: { kind: 'invalid', reason } });
        continue;
      }
      const bytes = await registry.getBlob({
        registry: ref.registry,
        repository: ref.repository,
        digest: layer.digest,
      });
      const outcome = simple
        ? checkSimpleSigning(prepared, layer, bytes, ref.digest)
        : await checkSigstoreBundle(prepared, bytes, ref, registry);
      if (!outcome.ok) {
        attempts.push({ where, refusal: outcome.refusal });
        continue;
      }
      return { ...outcome.evidence, source: artifact.source, signatureManifest: artifact.manifestDigest };
    }
  }
  throw refusalOf(image, rule, artifacts.length, attempts);
}

function refusalOf(image: string, rule: TrustRule, found: number, attempts: readonly Attempt[]): Error {
  const details = { image, signatures: found, tried: attempts.length };
  const pick = <K extends Refusal['kind']>(kind: K) =>
    attempts.find((a): a is Attempt & { refusal: Extract<Refusal, { kind: K }> } => a.refusal.kind === kind);
  const digest = pick('digest');
  if (digest !== undefined) {
    return fatal(
      FatalFailure.SignedDigestMismatch,
      `a signature of ${image} (${digest.where}) verifies with ${expectedSigner(rule)}, but ${digest.refusal.reason}`,
      details,
    );
  }
  const mismatch = pick('mismatch');
  if (mismatch !== undefined) {
    const { identity, issuer } = mismatch.refusal.found;
    return fatal(
      FatalFailure.SignerMismatch,
      `expected ${image} to be signed by ${expectedSigner(rule)}, found a valid certificate (${mismatch.where}) for identity ${identity || '(none)'} from issuer ${issuer || '(none)'}`,
      { ...details, foundIdentity: identity, foundIssuer: issuer },
    );
  }
  const noTime = pick('no-time');
  if (noTime !== undefined) {
    return fatal(
      FatalFailure.NoVerifiedTimestamp,
      `expected a signature of ${image} with a signing time from a verified transparency-log entry or RFC 3161 timestamp of the trusted root ${rule.name}, found ${found} signature manifest(s), none with one; the first: ${noTime.where}: ${noTime.refusal.reason}`,
      details,
    );
  }
  const first = attempts[0];
  const why =
    first !== undefined && 'reason' in first.refusal
      ? `${first.where}: ${first.refusal.reason}`
      : 'no signature layers';
  return fatal(
    FatalFailure.SignatureInvalid,
    `expected a signature of ${image} that verifies with ${expectedSigner(rule)}, found ${found} signature manifest(s), ${attempts.length} signature(s) tried, none verifies; the first: ${why}`,
    details,
  );
}
