/**
 * A cosign simple-signing layer as a sigstore bundle, as cosign itself reads
 * it offline: the signature annotation over the payload bytes (a message
 * signature), the leaf certificate (keyless) or the rule's key, the Rekor
 * entry of the `dev.sigstore.cosign/bundle` annotation (its SET is the
 * inclusion promise, signed by the log: that is where the signing time comes
 * from), and an RFC 3161 timestamp when cosign stored one. Nothing here is
 * trusted: the bundle is only shaped; @sigstore/verify checks it.
 */
import { createHash } from 'node:crypto';
import { BUNDLE_V01_MEDIA_TYPE, bundleFromJSON, type Bundle } from '@sigstore/bundle';
import { z } from 'zod';
import { parseCertificate } from './certs.js';
import { Annotation } from './types.js';

/** cosign's `dev.sigstore.cosign/bundle` annotation: Rekor's answer when the signature was logged. */
const rekorBundleSchema = z.object({
  SignedEntryTimestamp: z.string().min(1),
  Payload: z.object({
    body: z.string().min(1),
    integratedTime: z.number().int().positive(),
    logIndex: z.number().int().nonnegative(),
    logID: z.string().regex(/^[0-9a-f]+$/),
  }),
});
const rekorBodySchema = z.object({ kind: z.string(), apiVersion: z.string() }).passthrough();
const timestampSchema = z.object({ SignedRFC3161Timestamp: z.string().min(1) });

export type Shaped = { ok: true; bundle: Bundle; leafPem?: string } | { ok: false; reason: string };

function json(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The tlog entry of the bundle annotation, or why it is not one (absent: undefined). */
function tlogEntryOf(annotation: string | undefined): Record<string, unknown>[] | string {
  if (annotation === undefined || annotation.trim() === '') return [];
  const parsed = rekorBundleSchema.safeParse(json(annotation));
  if (!parsed.success) return `its ${Annotation.bundle} annotation is not a Rekor bundle`;
  const p = parsed.data.Payload;
  const body = rekorBodySchema.safeParse(json(Buffer.from(p.body, 'base64').toString('utf8')));
  if (!body.success)
    return `the Rekor entry of its ${Annotation.bundle} annotation has no kind and apiVersion`;
  return [
    {
      logIndex: String(p.logIndex),
      logId: { keyId: Buffer.from(p.logID, 'hex').toString('base64') },
      kindVersion: { kind: body.data.kind, version: body.data.apiVersion },
      integratedTime: String(p.integratedTime),
      inclusionPromise: { signedEntryTimestamp: parsed.data.SignedEntryTimestamp },
      canonicalizedBody: p.body,
    },
  ];
}

function timestampsOf(annotation: string | undefined): { signedTimestamp: string }[] | string {
  if (annotation === undefined || annotation.trim() === '') return [];
  const parsed = timestampSchema.safeParse(json(annotation));
  if (!parsed.success) return `its ${Annotation.rfc3161Timestamp} annotation is not an RFC 3161 timestamp`;
  return [{ signedTimestamp: parsed.data.SignedRFC3161Timestamp }];
}

/**
 * The bundle of one layer: keyless (`useCertificate`) from its certificate
 * annotation, key-based with the key `hint` as verification material.
 */
export function bundleOfLayer(
  annotations: Record<string, string>,
  payload: Buffer,
  key: { useCertificate: true } | { useCertificate: false; hint: string },
): Shaped {
  const signature = annotations[Annotation.signature] ?? '';
  if (signature === '') return { ok: false, reason: `the layer has no ${Annotation.signature} annotation` };
  let material: Record<string, unknown>;
  let leafPem: string | undefined;
  if (key.useCertificate) {
    leafPem = annotations[Annotation.certificate];
    if (leafPem === undefined || leafPem.trim() === '')
      return {
        ok: false,
        reason: `the layer has no ${Annotation.certificate} annotation (a key-based signature?)`,
      };
    const leaf = parseCertificate(leafPem);
    if (typeof leaf === 'string') return { ok: false, reason: `its certificate is ${leaf}` };
    material = {
      x509CertificateChain: { certificates: [{ rawBytes: leaf.root.toDER().toString('base64') }] },
    };
  } else {
    material = { publicKey: { hint: key.hint } };
  }
  const tlogEntries = tlogEntryOf(annotations[Annotation.bundle]);
  if (typeof tlogEntries === 'string') return { ok: false, reason: tlogEntries };
  const rfc3161Timestamps = timestampsOf(annotations[Annotation.rfc3161Timestamp]);
  if (typeof rfc3161Timestamps === 'string') return { ok: false, reason: rfc3161Timestamps };
  try {
    const bundle = bundleFromJSON({
      mediaType: BUNDLE_V01_MEDIA_TYPE,
      verificationMaterial: { ...material, tlogEntries, timestampVerificationData: { rfc3161Timestamps } },
      messageSignature: {
        messageDigest: {
          algorithm: 'SHA2_256',
          digest: createHash('sha256').update(payload).digest('base64'),
        },
        signature,
      },
    });
    return { ok: true, bundle, ...(leafPem !== undefined ? { leafPem } : {}) };
  } catch (err) {
    return {
      ok: false,
      reason: `its annotations do not make a sigstore bundle (${err instanceof Error ? err.message : String(err)})`,
    };
  }
}
