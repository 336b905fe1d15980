/**
 * Keyless (Fulcio-style) verification of one signature layer, offline: the
 * leaf certificate (annotation `dev.sigstore.cosign/certificate`) must chain
 * through `dev.sigstore.cosign/chain` to a trusted root, carry the
 * code-signing EKU when it has an EKU, and its key must verify the payload
 * signature; then its SAN and OIDC issuer extension are matched against the
 * rule. No transparency log and no CT log are consulted.
 */
import { type X509Certificate } from '@sigstore/core';
import { fatal, FatalFailure } from '../../shared/failures.js';
import { chainToRoot, fingerprint, parseCertificate, pemBlocks, subjectOf } from './certs.js';
import { spkiKey, verifyPayloadSignature } from './keyVerify.js';
import { Annotation, type KeylessTrustRule, type SignatureEvidence } from './types.js';

const OID_EXT_KEY_USAGE = '2.5.29.37';
const OID_CODE_SIGNING = '1.3.6.1.5.5.7.3.3';
/** Fulcio's OIDC issuer: v2 is a DER UTF8String, v1 (legacy) the raw string. */
const OID_FULCIO_ISSUER_V2 = '1.3.6.1.4.1.57264.1.8';
const OID_FULCIO_ISSUER_V1 = '1.3.6.1.4.1.57264.1.1';

export interface KeylessTrust {
  rule: KeylessTrustRule;
  roots: X509Certificate[];
  identity: (san: string) => boolean;
  issuer: (issuer: string) => boolean;
}

export type KeylessOutcome =
  | { kind: 'ok'; certificate: NonNullable<SignatureEvidence['certificate']> }
  | { kind: 'invalid'; reason: string }
  | { kind: 'mismatch'; found: { identity: string; issuer: string } };

function matcher(rule: KeylessTrustRule, field: 'identity' | 'issuer'): (value: string) => boolean {
  const exact = rule[field];
  if (exact !== undefined && exact !== '') return (value) => value === exact;
  const source = field === 'identity' ? rule.identityRegExp : rule.issuerRegExp;
  let problem = 'neither';
  if (source !== undefined && source !== '') {
    try {
      const re = new RegExp(source);
      return (value) => re.test(value);
    } catch (err) {
      problem = `${JSON.stringify(source)} (${err instanceof Error ? err.message : 'invalid'})`;
    }
  }
  throw fatal(
    FatalFailure.BadInput,
    `expected the trust rule ${JSON.stringify(rule.name)} to give a non-empty ${field} or a valid ${field}RegExp, found ${problem}`,
    { rule: rule.name },
  );
}

/** The rule's roots parsed and its matchers built, once per verification; BadInput when the rule is unusable. */
export function keylessTrust(rule: KeylessTrustRule): KeylessTrust {
  if (rule.rootsPem.length === 0) {
    throw fatal(
      FatalFailure.BadInput,
      `expected the trust rule ${JSON.stringify(rule.name)} to list at least one root CA certificate, found none`,
      { rule: rule.name },
    );
  }
  const roots = rule.rootsPem.map((pem, i) => {
    const cert = parseCertificate(pem);
    if (typeof cert === 'string') {
      throw fatal(
        FatalFailure.BadInput,
        `expected root #${i + 1} of the trust rule ${JSON.stringify(rule.name)} to be a PEM certificate, found ${cert}`,
        { rule: rule.name },
      );
    }
    return cert;
  });
  return { rule, roots, identity: matcher(rule, 'identity'), issuer: matcher(rule, 'issuer') };
}

export function oidcIssuer(cert: X509Certificate): string | undefined {
  const v2 = cert.extension(OID_FULCIO_ISSUER_V2);
  if (v2 !== undefined) return v2.valueObj.subs[0]?.value.toString('utf8');
  return cert.extension(OID_FULCIO_ISSUER_V1)?.value.toString('utf8');
}

function extendedKeyUsages(cert: X509Certificate): string[] | undefined {
  const ext = cert.extension(OID_EXT_KEY_USAGE);
  if (ext === undefined) return undefined;
  return (ext.valueObj.subs[0]?.subs ?? []).map((o) => o.toOID());
}

export function verifyKeyless(
  trust: KeylessTrust,
  annotations: Record<string, string>,
  payload: Buffer,
  now: Date,
): KeylessOutcome {
  const leafPem = annotations[Annotation.certificate];
  if (leafPem === undefined || leafPem.trim() === '')
    return {
      kind: 'invalid',
      reason: `the layer has no ${Annotation.certificate} annotation (a key-based signature?)`,
    };
  const leaf = parseCertificate(leafPem);
  if (typeof leaf === 'string') return { kind: 'invalid', reason: `its certificate is ${leaf}` };
  const chain: X509Certificate[] = [];
  for (const [i, pem] of pemBlocks(annotations[Annotation.chain] ?? '').entries()) {
    const cert = parseCertificate(pem);
    if (typeof cert === 'string')
      return { kind: 'invalid', reason: `chain certificate #${i + 1} is ${cert}` };
    chain.push(cert);
  }
  const path = chainToRoot(leaf, chain, trust.roots, now);
  if (typeof path === 'string')
    return {
      kind: 'invalid',
      reason: `its certificate does not chain to the roots of ${trust.rule.name}: ${path}`,
    };
  // No transparency-log entry gives a signing time offline, so the leaf must be
  // valid now (cosign does the same without a tlog or RFC 3161 timestamp).
  if (!leaf.validForDate(now)) {
    return {
      kind: 'invalid',
      reason: `its certificate is valid from ${leaf.notBefore.toISOString()} to ${leaf.notAfter.toISOString()}, not now (${now.toISOString()})`,
    };
  }
  const ekus = extendedKeyUsages(leaf);
  if (ekus !== undefined && !ekus.includes(OID_CODE_SIGNING))
    return {
      kind: 'invalid',
      reason: `its certificate's extended key usage is ${ekus.join(', ') || 'empty'}, without code signing (${OID_CODE_SIGNING})`,
    };
  const signature = annotations[Annotation.signature] ?? '';
  let ok = false;
  try {
    ok = verifyPayloadSignature(spkiKey(leaf.publicKey), payload, signature);
  } catch (err) {
    return {
      kind: 'invalid',
      reason: `its certificate's key is unusable (${err instanceof Error ? err.message : 'unknown'})`,
    };
  }
  if (!ok) return { kind: 'invalid', reason: `the signature does not verify with the certificate's key` };
  const identity = leaf.subjectAltName ?? '';
  const issuer = oidcIssuer(leaf) ?? '';
  if (!trust.identity(identity) || !trust.issuer(issuer))
    return { kind: 'mismatch', found: { identity, issuer } };
  return {
    kind: 'ok',
    certificate: {
      subjectAlternativeName: identity,
      issuer,
      fingerprint: fingerprint(leaf),
      notAfter: leaf.notAfter.toISOString(),
      rootSubject: subjectOf(path.root),
    },
  };
}
