/**
 * cosign and sigstore signature verification on @sigstore/verify, offline: a
 * digest's signatures (found by the registry client) checked against a trust
 * rule, a public key or keyless certificates under a trusted root, with the
 * signing time from a verified transparency-log entry or RFC 3161 timestamp.
 * See verify.ts for the refusals.
 */
export { loadTrustRoots, logKeyRoot, TRUSTED_ROOT_MEDIA_TYPE, type TrustExtras } from './trustedRoot.js';
export { parseSimpleSigning, SIMPLE_SIGNING_TYPE, type SimpleSigningPayload } from './payload.js';
export { verifyImageSignature } from './verify.js';
export {
  Annotation,
  type IdentityMatch,
  type IssuerMatch,
  type KeylessTrustRule,
  type KeyTrustRule,
  type LogRequirement,
  type SignatureEvidence,
  type TrustedRootJson,
  type TrustRule,
} from './types.js';
