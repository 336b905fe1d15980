/**
 * Trusted CA certificates for keyless verification, from either form an
 * operator has: a PEM bundle (what `cosign verify --ca-roots` takes), or a
 * sigstore `trusted_root.json` (every certificate of every
 * `certificateAuthorities[].certChain`, as sigstore's own verifiers trust
 * them). Each certificate must parse and be a CA.
 */
import { z } from 'zod';
import { fatal, FatalFailure } from '../../shared/failures.js';
import { issuesOf } from '../registry/util.js';
import { parseCertificate, pemBlocks, subjectOf, toPem } from './certs.js';

const trustedRootSchema = z.object({
  certificateAuthorities: z
    .array(
      z.object({
        subject: z.object({ commonName: z.string().optional() }).passthrough().optional(),
        certChain: z.object({
          certificates: z.array(z.object({ rawBytes: z.string().min(1) })).min(1),
        }),
      }),
    )
    .min(1),
});

function bad(file: string, message: string): Error {
  return fatal(FatalFailure.BadInput, `${file}: ${message}`, { file });
}

function checkedPem(input: string | Buffer, file: string, which: string): string {
  const cert = parseCertificate(input);
  if (typeof cert === 'string') throw bad(file, `expected ${which} to be a CA certificate, found ${cert}`);
  if (!cert.isCA) {
    throw bad(
      file,
      `expected ${which} to be a CA certificate (basicConstraints CA:TRUE, keyCertSign), found ${subjectOf(cert)}, which is not a CA`,
    );
  }
  return toPem(cert);
}

function fromTrustedRoot(json: unknown, file: string): string[] {
  const parsed = trustedRootSchema.safeParse(json);
  if (!parsed.success) {
    throw bad(
      file,
      `expected a sigstore trusted_root.json with certificateAuthorities[].certChain.certificates[].rawBytes, found ${issuesOf(parsed.error)}`,
    );
  }
  const pems: string[] = [];
  for (const [i, ca] of parsed.data.certificateAuthorities.entries()) {
    for (const [j, c] of ca.certChain.certificates.entries()) {
      const which = `certificateAuthorities[${i}].certChain.certificates[${j}]`;
      if (!/^[A-Za-z0-9+/]+={0,2}$/.test(c.rawBytes.replace(/\s+/g, ''))) {
        throw bad(file, `expected ${which}.rawBytes to be base64 DER, found characters outside base64`);
      }
      pems.push(checkedPem(Buffer.from(c.rawBytes, 'base64'), file, which));
    }
  }
  return pems;
}

/** The trusted CA certificates (PEM, one each) held by `text`, read from `file` (named in errors). */
export function loadTrustRoots(text: string, file: string): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed) as unknown;
    } catch (err) {
      throw bad(
        file,
        `expected a PEM bundle or a sigstore trusted_root.json, found JSON that does not parse (${err instanceof Error ? err.message : String(err)})`,
      );
    }
    return fromTrustedRoot(json, file);
  }
  const blocks = pemBlocks(trimmed);
  if (blocks.length === 0) {
    // Only the PEM labels are shown: the file may be a private key by mistake.
    const labels = [...new Set([...trimmed.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----/g)].map((m) => m[1]))];
    const found =
      trimmed === ''
        ? 'an empty file'
        : labels.length > 0
          ? `PEM blocks of type ${labels.join(', ')}`
          : `${trimmed.length} characters of neither`;
    throw bad(
      file,
      `expected a PEM bundle of CA certificates (-----BEGIN CERTIFICATE-----) or a sigstore trusted_root.json, found ${found}`,
    );
  }
  return blocks.map((pem, i) => checkedPem(pem, file, `certificate #${i + 1}`));
}
