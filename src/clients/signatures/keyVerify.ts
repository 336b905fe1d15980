/**
 * A signature over the payload bytes, checked with a public key as cosign
 * makes them: ECDSA (ASN.1 DER signature; SHA-256, as cosign signs with every
 * curve, or the curve's own hash), RSA PKCS#1 v1.5 with SHA-256, ed25519.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { fatal, FatalFailure } from '../../shared/failures.js';

const CURVE_HASH: Record<string, string> = { prime256v1: 'sha256', secp384r1: 'sha384', secp521r1: 'sha512' };

/** The rule's public key, or BadInput naming the rule (never echoing the key). */
export function publicKeyOf(pem: string, ruleName: string): KeyObject {
  try {
    const key = createPublicKey({ key: pem, format: 'pem' });
    if (key.type !== 'public') throw new Error(`a ${key.type} key`);
    const type = key.asymmetricKeyType;
    if (type !== 'ec' && type !== 'rsa' && type !== 'ed25519') throw new Error(`a ${type ?? 'unknown'} key`);
    return key;
  } catch (err) {
    throw fatal(
      FatalFailure.BadInput,
      `expected the trust rule ${JSON.stringify(ruleName)} to hold a PEM public key (ECDSA, RSA or ed25519, as cosign.pub), found ${err instanceof Error ? err.message : 'something else'}`,
      { rule: ruleName },
    );
  }
}

/** The public key of a certificate's SubjectPublicKeyInfo (DER). */
export function spkiKey(spki: Buffer): KeyObject {
  return createPublicKey({ key: spki, format: 'der', type: 'spki' });
}

/** Whether `signatureB64` (cosign's signature annotation) signs `payload` with `key`. */
export function verifyPayloadSignature(key: KeyObject, payload: Buffer, signatureB64: string): boolean {
  const signature = Buffer.from(signatureB64, 'base64');
  if (signature.length === 0) return false;
  const attempt = (hash: string | null): boolean => {
    try {
      return verify(hash, payload, key, signature);
    } catch {
      return false;
    }
  };
  switch (key.asymmetricKeyType) {
    case 'ed25519':
      return attempt(null);
    case 'rsa':
      return attempt('sha256');
    case 'ec': {
      const own = CURVE_HASH[key.asymmetricKeyDetails?.namedCurve ?? ''];
      return attempt('sha256') || (own !== undefined && own !== 'sha256' && attempt(own));
    }
    default:
      return false;
  }
}
