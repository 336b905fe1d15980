/**
 * Certificates: parsing (PEM or DER, via @sigstore/core) and how they are
 * shown in messages. Chains are checked by @sigstore/verify.
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
