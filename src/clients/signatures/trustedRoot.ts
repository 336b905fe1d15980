/**
 * Trust material for verification, from either form an operator has:
 * - a sigstore `trusted_root.json` (the public-good one ships with
 *   `@sigstore/tuf`; a private deployment writes its own): CAs with their
 *   `validFor`, transparency logs, CT logs and timestamp authorities, taken
 *   as they are;
 * - a PEM bundle of CA certificates (what `cosign verify --ca-roots` and
 *   `--ca-intermediates` take), made into CAs whose window is their
 *   certificates' own, plus the log keys and timestamp authorities the rule
 *   names (`extras`), for a private PKI.
 * Each certificate must parse and be a CA; every key must parse. Errors are
 * BadInput naming the file and never echo key material.
 */
import { createHash, createPublicKey } from 'node:crypto';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { type X509Certificate } from '@sigstore/core';
import { z } from 'zod';
import { fatal, FatalFailure } from '../../shared/failures.js';
import { issuesOf } from '../registry/util.js';
import { parseCertificate, pemBlocks, subjectOf } from './certs.js';
import { type TrustedRootJson } from './types.js';

export const TRUSTED_ROOT_MEDIA_TYPE = 'application/vnd.dev.sigstore.trustedroot+json;version=0.1';

const trustedRootSchema = z
  .object({
    certificateAuthorities: z
      .array(
        z
          .object({
            certChain: z.object({
              certificates: z.array(z.object({ rawBytes: z.string().min(1) })).min(1),
            }),
          })
          .passthrough(),
      )
      .min(1),
  })
  .passthrough();

/** Files a PEM-bundle rule names beside its CAs (each already read; `name` is the file, for messages). */
export interface TrustExtras {
  /** transparency-log public keys (PEM), e.g. a private Rekor's */
  tlogKeys?: { name: string; pem: string }[];
  /** certificate-transparency log public keys (PEM) */
  ctlogKeys?: { name: string; pem: string }[];
  /** RFC 3161 timestamp authorities: each a PEM chain, signing certificate first */
  timestampAuthorities?: { name: string; pem: string }[];
}

function bad(file: string, message: string): Error {
  return fatal(FatalFailure.BadInput, `${file}: ${message}`, { file });
}

function checkedCa(input: string | Buffer, file: string, which: string): X509Certificate {
  const cert = parseCertificate(input);
  if (typeof cert === 'string') throw bad(file, `expected ${which} to be a CA certificate, found ${cert}`);
  if (!cert.isCA) {
    throw bad(
      file,
      `expected ${which} to be a CA certificate (basicConstraints CA:TRUE, keyCertSign), found ${subjectOf(cert)}, which is not a CA`,
    );
  }
  return cert;
}

const der = (cert: X509Certificate): string => cert.root.toDER().toString('base64');

/** A CA of the trusted root for `chain` (first the CA that issues, last the root), valid where all its certificates are. */
function certificateAuthority(chain: X509Certificate[]): Record<string, unknown> {
  const start = new Date(Math.max(...chain.map((c) => c.notBefore.getTime())));
  const end = new Date(Math.min(...chain.map((c) => c.notAfter.getTime())));
  return {
    subject: { commonName: subjectOf(chain[0]!) },
    uri: '',
    certChain: { certificates: chain.map((c) => ({ rawBytes: der(c) })) },
    validFor: { start: start.toISOString(), end: end.toISOString() },
  };
}

/** Every CA of a PEM bundle, each with the path up to its root found in the bundle. */
function authoritiesOf(certs: X509Certificate[]): Record<string, unknown>[] {
  return certs.map((cert) => {
    const chain = [cert];
    let current = cert;
    while (!current.subject.equals(current.issuer) && chain.length < 10) {
      const up = certs.find(
        (c) => !chain.includes(c) && c.subject.equals(current.issuer) && safeVerify(current, c),
      );
      if (up === undefined) break;
      chain.push(up);
      current = up;
    }
    return certificateAuthority(chain);
  });
}

function safeVerify(cert: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return cert.verify(issuer);
  } catch {
    return false;
  }
}

const KEY_DETAILS: Record<string, string> = {
  prime256v1: 'PKIX_ECDSA_P256_SHA_256',
  secp384r1: 'PKIX_ECDSA_P384_SHA_384',
  secp521r1: 'PKIX_ECDSA_P521_SHA_512',
};

/** A log instance for a PEM public key: its log id is the SHA-256 of the key's DER, as Rekor's and CT's are. */
function logInstance(key: { name: string; pem: string }, file: string): Record<string, unknown> {
  let spki: Buffer;
  let details: string | undefined;
  try {
    const k = createPublicKey({ key: key.pem, format: 'pem' });
    spki = k.export({ type: 'spki', format: 'der' });
    details =
      k.asymmetricKeyType === 'ed25519'
        ? 'PKIX_ED25519'
        : KEY_DETAILS[k.asymmetricKeyDetails?.namedCurve ?? ''];
  } catch (err) {
    throw bad(
      file,
      `expected ${key.name} to be a PEM public key, found ${err instanceof Error ? err.message : 'something else'}`,
    );
  }
  if (details === undefined)
    throw bad(file, `expected ${key.name} to be an ECDSA or ed25519 log key, found another kind`);
  return {
    baseUrl: key.name,
    hashAlgorithm: 'SHA2_256',
    publicKey: {
      rawBytes: spki.toString('base64'),
      keyDetails: details,
      validFor: { start: new Date(0).toISOString() },
    },
    logId: { keyId: createHash('sha256').update(spki).digest('base64') },
  };
}

function fromPemBundle(text: string, file: string, extras: TrustExtras): TrustedRootJson {
  const certs = pemBlocks(text).map((pem, i) => checkedCa(pem, file, `certificate #${i + 1}`));
  const timestampAuthorities = (extras.timestampAuthorities ?? []).map((tsa) => {
    const chain = pemBlocks(tsa.pem).map((pem, i) => {
      const c = parseCertificate(pem);
      if (typeof c === 'string')
        throw bad(file, `expected certificate #${i + 1} of ${tsa.name} to be a certificate, found ${c}`);
      return c;
    });
    if (chain.length === 0)
      throw bad(file, `expected ${tsa.name} to hold the timestamp authority's PEM chain, found none`);
    return certificateAuthority(chain);
  });
  return {
    mediaType: TRUSTED_ROOT_MEDIA_TYPE,
    tlogs: (extras.tlogKeys ?? []).map((k) => logInstance(k, file)),
    certificateAuthorities: authoritiesOf(certs),
    ctlogs: (extras.ctlogKeys ?? []).map((k) => logInstance(k, file)),
    timestampAuthorities,
  };
}

function fromTrustedRootJson(json: unknown, file: string): TrustedRootJson {
  const parsed = trustedRootSchema.safeParse(json);
  if (!parsed.success) {
    throw bad(
      file,
      `expected a sigstore trusted_root.json with certificateAuthorities[].certChain.certificates[].rawBytes, found ${issuesOf(parsed.error)}`,
    );
  }
  for (const [i, ca] of parsed.data.certificateAuthorities.entries()) {
    for (const [j, c] of ca.certChain.certificates.entries()) {
      const which = `certificateAuthorities[${i}].certChain.certificates[${j}]`;
      if (!/^[A-Za-z0-9+/]+={0,2}$/.test(c.rawBytes.replace(/\s+/g, ''))) {
        throw bad(file, `expected ${which}.rawBytes to be base64 DER, found characters outside base64`);
      }
      checkedCa(Buffer.from(c.rawBytes, 'base64'), file, which);
    }
  }
  const root = json as TrustedRootJson;
  try {
    TrustedRoot.fromJSON(root);
  } catch (err) {
    throw bad(
      file,
      `expected a sigstore trusted_root.json, found one that does not read (${err instanceof Error ? err.message : String(err)})`,
    );
  }
  return root;
}

/**
 * The trust material held by `text`, read from `file` (named in errors): a
 * trusted_root.json as it is, or a PEM bundle of CAs with `extras`.
 */
export function loadTrustRoots(text: string, file: string, extras: TrustExtras = {}): TrustedRootJson {
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
    const named = Object.values(extras).some((list) => Array.isArray(list) && list.length > 0);
    if (named) {
      throw bad(
        file,
        'expected tlogKeys, ctlogKeys and timestampAuthorities only beside a PEM bundle, found them beside a trusted_root.json, which carries its own',
      );
    }
    return fromTrustedRootJson(json, file);
  }
  if (pemBlocks(trimmed).length === 0) {
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
  return fromPemBundle(trimmed, file, extras);
}

/** Trust material holding one transparency log's key (a key rule's log), from its PEM public key. */
export function logKeyRoot(pem: string, file: string): TrustedRootJson {
  return {
    mediaType: TRUSTED_ROOT_MEDIA_TYPE,
    tlogs: [logInstance({ name: file, pem }, file)],
    certificateAuthorities: [],
    ctlogs: [],
    timestampAuthorities: [],
  };
}
