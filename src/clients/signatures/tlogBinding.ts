/**
 * A logged hashedrekord or DSSE entry names the key or certificate that made
 * the signature; cosign checks it is the one the signature is verified with,
 * and so does this (@sigstore/verify compares the signature and digest only).
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { type SignedEntity } from '@sigstore/verify';
import { parseCertificate } from './certs.js';

interface Body {
  kind?: string;
  apiVersion?: string;
  spec?: {
    signature?: { publicKey?: { content?: string } };
    signatures?: { verifier?: string }[];
  };
}

/** The SPKI (DER) of a base64 PEM a log body holds: a certificate's key or a public key. */
function spkiOf(b64Pem: string): Buffer | undefined {
  const pem = Buffer.from(b64Pem, 'base64').toString('utf8');
  const cert = parseCertificate(pem);
  try {
    if (typeof cert !== 'string')
      return createPublicKey({ key: cert.publicKey, format: 'der', type: 'spki' }).export({
        type: 'spki',
        format: 'der',
      });
    return createPublicKey({ key: pem, format: 'pem' }).export({ type: 'spki', format: 'der' });
  } catch {
    return undefined;
  }
}

/** Why a v1 log entry does not bind the signer's key, or undefined when every entry does (or names none). */
export function tlogBindsKey(entity: SignedEntity, ruleKey?: KeyObject): string | undefined {
  const signer =
    entity.key.$case === 'certificate'
      ? createPublicKey({ key: entity.key.certificate.publicKey, format: 'der', type: 'spki' })
      : ruleKey;
  if (signer === undefined) return undefined;
  const want = signer.export({ type: 'spki', format: 'der' });
  for (const entry of entity.tlogEntries) {
    let body: Body;
    try {
      body = JSON.parse(entry.canonicalizedBody.toString('utf8')) as Body;
    } catch {
      return `transparency-log entry ${entry.logIndex} has a body that is not JSON`;
    }
    if (body.apiVersion !== '0.0.1') continue;
    const named =
      body.kind === 'hashedrekord'
        ? [body.spec?.signature?.publicKey?.content]
        : body.kind === 'dsse'
          ? (body.spec?.signatures ?? []).map((s) => s.verifier)
          : [];
    for (const b64 of named) {
      if (b64 === undefined) continue;
      const got = spkiOf(b64);
      if (got === undefined || !got.equals(want))
        return `transparency-log entry ${entry.logIndex} was made for another key or certificate than the one that signs`;
    }
  }
  return undefined;
}
