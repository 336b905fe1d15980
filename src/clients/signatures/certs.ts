/**
 * Certificates: parsing (PEM or DER, via @sigstore/core), how they are shown
 * in messages, and the walk from a leaf through the chain cosign stored to one
 * of the trusted roots, every signature in the path checked.
 */
import { createHash, X509Certificate as NodeX509 } from 'node:crypto';
import { X509Certificate } from '@sigstore/core';

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** Every `BEGIN CERTIFICATE` block of a text, in order. */
export function pemBlocks(text: string): string[] {
  return text.match(PEM_BLOCK) ?? [];
}

/** One certificate, or a readable reason it is not one. */
export function parseCertificate(pemOrDer: string | Buffer): X509Certificate | string {
  try {
    return X509Certificate.parse(typeof pemOrDer === 'string' ? pemOrDer : Buffer.from(pemOrDer));
  } catch (err) {
    return `not an X.509 certificate (${err instanceof Error ? err.message : String(err)})`;
  }
}

export function toPem(cert: X509Certificate): string {
  const b64 = cert.root.toDER().toString('base64');
  return `-----BEGIN CERTIFICATE-----\n${b64.replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
}

export function fingerprint(cert: X509Certificate): string {
  return `sha256:${createHash('sha256').update(cert.root.toDER()).digest('hex')}`;
}

/** `CN=Example Root, O=Example` for messages (node's parser renders the name; @sigstore/core keeps it as DER). */
export function subjectOf(cert: X509Certificate): string {
  try {
    return new NodeX509(cert.root.toDER()).subject.split('\n').join(', ');
  } catch {
    return fingerprint(cert);
  }
}

const MAX_CHAIN = 10;

export interface ChainResult {
  /** the trusted root the leaf chains to */
  root: X509Certificate;
  /** leaf first, root last */
  path: X509Certificate[];
}

/** A CA's issuing of `cert`: names chain, the CA is a CA, and its key verifies the certificate's signature. */
function issued(ca: X509Certificate, cert: X509Certificate): boolean {
  if (!ca.subject.equals(cert.issuer) || !ca.isCA) return false;
  try {
    return cert.verify(ca);
  } catch {
    return false;
  }
}

/**
 * The path from `leaf` through `intermediates` (cosign's chain annotation,
 * untrusted: it may carry the root too) to one of `roots`, or why there is
 * none. A chain certificate is trusted only when it is byte-equal to a root.
 * Every CA in the path must be valid at `at`, and within its path length.
 */
export function chainToRoot(
  leaf: X509Certificate,
  intermediates: readonly X509Certificate[],
  roots: readonly X509Certificate[],
  at: Date,
): ChainResult | string {
  const path = [leaf];
  let current = leaf;
  for (let depth = 0; depth < MAX_CHAIN; depth++) {
    const root = roots.find((r) => r.equals(current) || issued(r, current));
    if (root !== undefined) {
      if (!root.equals(current)) path.push(root);
      return checkPath(path, at) ?? { root, path };
    }
    const next = intermediates.find((c) => !path.some((p) => p.equals(c)) && issued(c, current));
    if (next === undefined) {
      return depth === 0
        ? `the certificate's issuer (${issuerOf(current)}) is none of the trusted roots, and the chain holds no CA that signed it`
        : `the chain ends at ${subjectOf(current)}, which is none of the trusted roots and is not signed by one`;
    }
    path.push(next);
    current = next;
  }
  return `the chain is longer than ${MAX_CHAIN} certificates`;
}

function issuerOf(cert: X509Certificate): string {
  try {
    return new NodeX509(cert.root.toDER()).issuer.split('\n').join(', ');
  } catch {
    return 'unreadable';
  }
}

function checkPath(path: readonly X509Certificate[], at: Date): string | undefined {
  for (const [i, cert] of path.entries()) {
    if (i > 0 && !cert.validForDate(at)) {
      return `the CA certificate ${subjectOf(cert)} is valid from ${cert.notBefore.toISOString()} to ${cert.notAfter.toISOString()}, not at ${at.toISOString()}`;
    }
    const limit = i > 0 ? cert.extBasicConstraints?.pathLenConstraint : undefined;
    // CAs below this one, the leaf not counted.
    if (limit !== undefined && BigInt(i - 1) > limit) {
      return `the CA certificate ${subjectOf(cert)} allows ${limit} CA(s) below it, found ${i - 1}`;
    }
  }
  return undefined;
}
