/**
 * A key rule's public key (cosign.pub): ECDSA, RSA or ed25519, PEM (SPKI).
 * The signature itself is checked by @sigstore/verify.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { fatal, FatalFailure } from '../../shared/failures.js';

/** What is in `pem` instead of a public key (never its content), or undefined when it holds one. */
export function publicKeyProblem(pem: string): string | undefined {
  // createPublicKey derives the public half of a private key: refuse that, a worker holds public keys only
  if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(pem)) return 'a private key';
  try {
    const key = createPublicKey({ key: pem, format: 'pem' });
    if (key.type !== 'public') return `a ${key.type} key`;
    const type = key.asymmetricKeyType;
    if (type !== 'ec' && type !== 'rsa' && type !== 'ed25519') return `a ${type ?? 'unknown'} key`;
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : 'something else';
  }
}

export const PUBLIC_KEY_EXPECTED = 'a PEM public key (ECDSA, RSA or ed25519, as cosign.pub)';

/** The rule's public key, or BadInput naming the rule (never echoing the key). */
export function publicKeyOf(pem: string, ruleName: string): KeyObject {
  const problem = publicKeyProblem(pem);
  if (problem !== undefined)
    throw fatal(
      FatalFailure.BadInput,
      `expected the trust rule ${JSON.stringify(ruleName)} to hold ${PUBLIC_KEY_EXPECTED}, found ${problem}`,
      { rule: ruleName },
    );
  return createPublicKey({ key: pem, format: 'pem' });
}
