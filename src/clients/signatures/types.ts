/**
 * What a cosign signature is checked against (a trust rule) and what a
 * successful check records (evidence: plain JSON, safe for workflow history).
 */
import { type SignatureArtifact } from '../registry/types.js';

/** A cosign key pair's public half (`cosign.pub`): ECDSA, RSA or ed25519, PEM (SPKI). */
export interface KeyTrustRule {
  kind: 'key';
  /** how evidence and messages name the key, e.g. `release-2025` */
  name: string;
  publicKeyPem: string;
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

/** Keyless (Fulcio-style) certificates: the chain must end at one of `rootsPem`. */
export type KeylessTrustRule = {
  kind: 'keyless';
  /** how evidence and messages name the roots, e.g. `sigstore` or `corp-ca` */
  name: string;
  /** trusted CA certificates, PEM, one certificate each (see loadTrustRoots) */
  rootsPem: string[];
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
  /** the digest of the simple-signing payload that was signed */
  payloadDigest: string;
  /** `key <name>`, or `certificate <identity> from <issuer> (root <name>)` */
  verifiedBy: string;
  /** `critical.image.docker-manifest-digest` of the payload (equal to `digest`) */
  signedDigest: string;
  /** `critical.identity.docker-reference` of the payload, as cosign wrote it */
  dockerReference?: string;
  /** keyless only: the signing certificate and the trusted root it chains to */
  certificate?: {
    subjectAlternativeName: string;
    issuer: string;
    /** `sha256:<hex>` of the leaf certificate's DER */
    fingerprint: string;
    notAfter: string;
    rootSubject: string;
  };
}

/** Annotations cosign writes on a simple-signing layer. */
export const Annotation = {
  signature: 'dev.cosignproject.cosign/signature',
  certificate: 'dev.sigstore.cosign/certificate',
  chain: 'dev.sigstore.cosign/chain',
  bundle: 'dev.sigstore.cosign/bundle',
} as const;
