/**
 * What a cosign signature is checked against (a trust rule) and what a
 * successful check records (evidence: plain JSON, safe for workflow history).
 */
import { type SignatureArtifact } from '../registry/types.js';

/**
 * Whether a transparency-log entry (or a certificate's SCT) must be present and
 * verify. `optional` is for a private deployment without a log, and must be
 * said in the rule: it is never the default.
 */
export type LogRequirement = 'required' | 'optional';

/**
 * Trust material in sigstore's `trusted_root.json` form (the JSON of
 * `dev.sigstore.trustroot.v1.TrustedRoot`): certificate authorities with their
 * `validFor`, transparency logs, CT logs, timestamp authorities. Plain JSON.
 */
export interface TrustedRootJson {
  mediaType?: string;
  tlogs?: unknown[];
  certificateAuthorities?: unknown[];
  ctlogs?: unknown[];
  timestampAuthorities?: unknown[];
}

/** A cosign key pair's public half (`cosign.pub`): ECDSA, RSA or ed25519, PEM (SPKI). */
export interface KeyTrustRule {
  kind: 'key';
  /** how evidence and messages name the key, e.g. `release-2025` */
  name: string;
  publicKeyPem: string;
  /** a transparency-log entry must verify (default `required`) */
  tlog?: LogRequirement;
  /** the logs (and timestamp authorities) whose entries count; needed when tlog is required */
  trustedRoot?: TrustedRootJson;
}

/**
 * Who must have signed, by the certificate's subject alternative name (URI or
 * email). `identity` is compared exactly; `identityRegExp` is an alternative,
 * matched as cosign's `--certificate-identity-regexp` is (unanchored: write
 * `^…$` to match the whole name).
 */
export type IdentityMatch =
  { identity: string; identityRegExp?: never } | { identityRegExp: string; identity?: never };
/** Which OIDC issuer vouched for the identity (Fulcio's issuer extension); exact, or a RegExp as cosign's. */
export type IssuerMatch = { issuer: string; issuerRegExp?: never } | { issuerRegExp: string; issuer?: never };

/**
 * Keyless (Fulcio-style) certificates: the leaf must chain to a certificate
 * authority of `trustedRoot` that was valid (its `validFor`) when the
 * signature was made, a time taken only from a verified transparency-log
 * entry or RFC 3161 timestamp.
 */
export type KeylessTrustRule = {
  kind: 'keyless';
  /** how evidence and messages name the trust root, e.g. `sigstore` or `corp-ca` */
  name: string;
  trustedRoot: TrustedRootJson;
  /** a transparency-log entry must verify (default `required`) */
  tlog?: LogRequirement;
  /** the certificate must carry a verified SCT of a CT log (default `required`) */
  sct?: LogRequirement;
} & IdentityMatch &
  IssuerMatch;

export type TrustRule = KeyTrustRule | KeylessTrustRule;

export interface SignatureEvidence {
  /** the image digest that was verified */
  digest: string;
  /** where the signature was found */
  source: SignatureArtifact['source'];
  /** the digest of the signature manifest holding the winning layer */
  signatureManifest: string;
  /** the digest of the signed content (simple-signing payload, or the bundle) */
  payloadDigest: string;
  /** `key <name>`, or `certificate <identity> from <issuer> (root <name>)` */
  verifiedBy: string;
  /** the image digest the signed content names (equal to `digest`) */
  signedDigest: string;
  /** `critical.identity.docker-reference` of a simple-signing payload, as cosign wrote it */
  dockerReference?: string;
  /** what was signed: cosign's simple-signing layer, or a sigstore bundle (message signature or DSSE) */
  format: 'simple-signing' | 'sigstore-bundle';
  /** when it was signed, from a verified transparency-log entry or RFC 3161 timestamp (ISO), if any */
  signedAt?: string;
  /** where `signedAt` comes from: `transparency-log` or `timestamp-authority` */
  timeSource?: string;
  /** verified transparency-log entries (their log indexes) */
  tlogEntries: string[];
  /** keyless only: the signing certificate */
  certificate?: {
    subjectAlternativeName: string;
    issuer: string;
    /** `sha256:<hex>` of the leaf certificate's DER */
    fingerprint: string;
    notBefore: string;
    notAfter: string;
  };
}

/** Annotations cosign writes on a simple-signing layer. */
export const Annotation = {
  signature: 'dev.cosignproject.cosign/signature',
  certificate: 'dev.sigstore.cosign/certificate',
  chain: 'dev.sigstore.cosign/chain',
  bundle: 'dev.sigstore.cosign/bundle',
  rfc3161Timestamp: 'dev.sigstore.cosign/rfc3161timestamp',
} as const;
