/**
 * cosign signature verification, in-process and offline: a digest's
 * signatures (found by the registry client) checked against a trust rule, a
 * public key or keyless certificates from trusted roots with an identity and
 * issuer. See verify.ts for the refusals.
 */
export { loadTrustRoots } from './trustedRoot.js';
export { parseSimpleSigning, SIMPLE_SIGNING_TYPE, type SimpleSigningPayload } from './payload.js';
export { verifyImageSignature } from './verify.js';
export {
  Annotation,
  type IdentityMatch,
  type IssuerMatch,
  type KeylessTrustRule,
  type KeyTrustRule,
  type SignatureEvidence,
  type TrustRule,
} from './types.js';
