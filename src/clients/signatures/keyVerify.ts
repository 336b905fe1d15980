/**
 * A key rule's public key (cosign.pub): ECDSA, RSA or ed25519, PEM (SPKI).
 * The signature itself is checked by @sigstore/verify.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { fatal, FatalFailure } from '../../shared/failures.js';

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
