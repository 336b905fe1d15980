/**
 * A sigstore bundle (v0.1–v0.3 JSON) stored as a signature layer, as cosign 3
 * writes it by default (an OCI 1.1 referrer of the image): parsed with
 * @sigstore/bundle, and what it signs read off it:
 * - a DSSE envelope of an in-toto statement of cosign's signing predicate:
 *   signs the image when one of its subjects has the image's sha256 digest
 *   (an attestation of another predicate is not a signature);
 * - a message signature: signs the image when its message digest is the
 *   image digest, the signed bytes being the image manifest itself.
 */
import { bundleFromJSON, type Bundle } from '@sigstore/bundle';
import { z } from 'zod';

const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
/** What cosign 3 signs an image with; an attestation (SBOM, provenance) of the image is not its signature. */
export const COSIGN_SIGN_PREDICATE = 'https://sigstore.dev/cosign/sign/v1';
const statementSchema = z.object({
  _type: z.string(),
  predicateType: z.string().optional(),
  subject: z
    .array(z.object({ name: z.string().optional(), digest: z.record(z.string(), z.string()) }))
    .min(1),
});

export type ReadBundle =
  { ok: true; bundle: Bundle; kind: 'dsse' | 'message' } | { ok: false; reason: string };

export function readBundle(bytes: Buffer): ReadBundle {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    return { ok: false, reason: `the bundle is not JSON (${bytes.length} bytes)` };
  }
  try {
    const bundle = bundleFromJSON(json);
    return { ok: true, bundle, kind: bundle.content.$case === 'dsseEnvelope' ? 'dsse' : 'message' };
  } catch (err) {
    return {
      ok: false,
      reason: `expected a sigstore bundle, found ${err instanceof Error ? err.message : String(err)}${fieldsOf(err)}`,
    };
  }
}

function fieldsOf(err: unknown): string {
  const fields = (err as { fields?: unknown }).fields;
  return Array.isArray(fields) && fields.length > 0 ? ` (${fields.join(', ')})` : '';
}

/**
 * The image digest a bundle signs, `sha256:<hex>`, when it is `digest`; else
 * a reason naming what it signs (`kind: digest`) or why it signs nothing.
 */
export function signedDigestOf(
  bundle: Bundle,
  digest: string,
): { ok: true; signedDigest: string } | { ok: false; kind: 'digest' | 'invalid'; reason: string } {
  const hex = digest.replace(/^sha256:/, '');
  if (bundle.content.$case === 'messageSignature') {
    const md = bundle.content.messageSignature.messageDigest;
    const found = md === undefined ? '' : md.digest.toString('hex');
    if (found === hex) return { ok: true, signedDigest: digest };
    return {
      ok: false,
      kind: 'digest',
      reason: `expected the bundle's message digest to be ${digest}, found sha256:${found}`,
    };
  }
  const env = bundle.content.dsseEnvelope;
  if (env.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    return {
      ok: false,
      kind: 'invalid',
      reason: `expected a DSSE payload of type ${IN_TOTO_PAYLOAD_TYPE}, found ${JSON.stringify(env.payloadType)}`,
    };
  }
  let statement: unknown;
  try {
    statement = JSON.parse(env.payload.toString('utf8')) as unknown;
  } catch {
    return { ok: false, kind: 'invalid', reason: 'the DSSE payload is not JSON' };
  }
  const parsed = statementSchema.safeParse(statement);
  if (!parsed.success)
    return {
      ok: false,
      kind: 'invalid',
      reason: 'the DSSE payload is not an in-toto statement with subjects',
    };
  if (parsed.data.predicateType !== COSIGN_SIGN_PREDICATE) {
    return {
      ok: false,
      kind: 'invalid',
      reason: `expected an in-toto statement of predicate ${COSIGN_SIGN_PREDICATE} (an image signature), found ${JSON.stringify(parsed.data.predicateType ?? null)} (an attestation, not a signature)`,
    };
  }
  const subjects = parsed.data.subject
    .map((s) => s.digest.sha256)
    .filter((d): d is string => d !== undefined);
  if (subjects.includes(hex)) return { ok: true, signedDigest: digest };
  return {
    ok: false,
    kind: 'digest',
    reason: `expected an in-toto subject with digest ${digest}, found ${subjects.map((s) => `sha256:${s}`).join(', ') || 'no sha256 subject'}`,
  };
}
