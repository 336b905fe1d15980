/**
 * One bundle checked against one trust rule by @sigstore/verify: the
 * signature over the signed content, the signing key (the rule's key, or a
 * leaf certificate chaining to a CA of the trusted root valid at the signing
 * time), every transparency-log entry present (its SET or inclusion proof,
 * signed by a log of the trusted root, and its body naming this signature),
 * the SCTs and RFC 3161 timestamps, and the thresholds the rule sets. The
 * signing time comes only from a verified log entry or timestamp. Identity
 * and issuer are matched here (exact or RegExp, as cosign's flags).
 */
import { type Bundle } from '@sigstore/bundle';
import { type X509Certificate } from '@sigstore/core';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier, type SignedEntity } from '@sigstore/verify';
import { type KeyObject } from 'node:crypto';
import { fatal, FatalFailure } from '../../shared/failures.js';
import { fingerprint } from './certs.js';
import { publicKeyOf } from './keyVerify.js';
import { matcher } from './matchers.js';
import { tlogBindsKey } from './tlogBinding.js';
import { type KeylessTrustRule, type SignatureEvidence, type TrustRule } from './types.js';
import { TRUSTED_ROOT_MEDIA_TYPE } from './trustedRoot.js';

export interface PreparedRule {
  rule: TrustRule;
  verifier: Verifier;
  key?: KeyObject;
  identity?: (san: string) => boolean;
  issuer?: (issuer: string) => boolean;
}

export type Verdict =
  | {
      kind: 'ok';
      verifiedBy: string;
      certificate?: SignatureEvidence['certificate'];
      signedAt?: string;
      timeSource?: string;
      tlogEntries: string[];
    }
  | { kind: 'invalid'; reason: string }
  | { kind: 'no-time'; reason: string }
  | { kind: 'mismatch'; found: { identity: string; issuer: string } };

const EMPTY_ROOT = {
  mediaType: TRUSTED_ROOT_MEDIA_TYPE,
  tlogs: [],
  certificateAuthorities: [],
  ctlogs: [],
  timestampAuthorities: [],
};

function trustedRootOf(rule: TrustRule): TrustedRoot {
  const json = rule.trustedRoot ?? EMPTY_ROOT;
  try {
    return TrustedRoot.fromJSON({ ...EMPTY_ROOT, ...json });
  } catch (err) {
    throw fatal(
      FatalFailure.BadInput,
      `expected the trust rule ${JSON.stringify(rule.name)} to hold a readable trusted root, found ${err instanceof Error ? err.message : String(err)}`,
      { rule: rule.name },
    );
  }
}

/**
 * The worker's rules are loaded once at start and never change: each is made
 * ready (certificates and keys parsed, the verifier built) on first use, not
 * for every digest a listing or promotion verifies.
 */
const prepared = new WeakMap<TrustRule, PreparedRule>();

/** The rule made ready (cached per rule object): BadInput when it cannot be used. */
export function prepareRule(rule: TrustRule): PreparedRule {
  let ready = prepared.get(rule);
  if (ready === undefined) {
    ready = buildRule(rule);
    prepared.set(rule, ready);
  }
  return ready;
}

function buildRule(rule: TrustRule): PreparedRule {
  const root = trustedRootOf(rule);
  const tlogThreshold = (rule.tlog ?? 'required') === 'required' ? 1 : 0;
  if (rule.kind === 'key') {
    const key = publicKeyOf(rule.publicKeyPem, rule.name);
    if (tlogThreshold > 0 && root.tlogs.length === 0) {
      throw fatal(
        FatalFailure.BadInput,
        `expected the key rule ${JSON.stringify(rule.name)} to name the transparency log's key (trustedRoot) since its signatures must be logged, found none; a deployment without a log says tlog: optional`,
        { rule: rule.name },
      );
    }
    const material = toTrustMaterial(root, () => ({ publicKey: key, validFor: () => true }));
    return {
      rule,
      key,
      verifier: new Verifier(material, { tlogThreshold, ctlogThreshold: 0, timestampThreshold: 0 }),
    };
  }
  if (root.certificateAuthorities.length === 0) {
    throw fatal(
      FatalFailure.BadInput,
      `expected the trust rule ${JSON.stringify(rule.name)} to list at least one certificate authority, found none`,
      { rule: rule.name },
    );
  }
  const ctlogThreshold = (rule.sct ?? 'required') === 'required' ? 1 : 0;
  const verifier = new Verifier(toTrustMaterial(root), {
    tlogThreshold,
    ctlogThreshold,
    timestampThreshold: 1,
  });
  return { rule, verifier, identity: matcher(rule, 'identity'), issuer: matcher(rule, 'issuer') };
}

/** When it was signed: the earliest verified log entry's time, else the earliest timestamp's. */
function signingTime(entity: SignedEntity): { signedAt?: string; timeSource?: string } {
  const times = entity.timestamps.map((t) =>
    t.$case === 'transparency-log'
      ? { at: new Date(Number(t.tlogEntry.integratedTime) * 1000), source: t.$case }
      : { at: t.timestamp.signingTime, source: t.$case },
  );
  times.sort((a, b) => a.at.getTime() - b.at.getTime());
  const first = times[0];
  return first === undefined ? {} : { signedAt: first.at.toISOString(), timeSource: first.source };
}

function reasonOf(err: unknown): { code: string; message: string } {
  const e = err as { code?: string; message?: string; cause?: { message?: string } };
  const cause = e.cause?.message ? `: ${e.cause.message}` : '';
  return { code: e.code ?? 'ERROR', message: `${e.message ?? String(err)}${cause}` };
}

/** `bundle` checked under the prepared rule; `artifact` is the signed bytes of a message signature. */
export function checkBundle(p: PreparedRule, bundle: Bundle, artifact?: Buffer): Verdict {
  let entity: SignedEntity;
  try {
    entity = toSignedEntity(bundle, artifact);
  } catch (err) {
    return { kind: 'invalid', reason: `its bundle does not read (${reasonOf(err).message})` };
  }
  if (p.rule.kind === 'key') entity = { ...entity, key: { $case: 'public-key', hint: p.rule.name } };
  else if (entity.key.$case !== 'certificate')
    return { kind: 'invalid', reason: 'it is signed with a key, not a certificate (the rule is keyless)' };
  let signerIdentity: { subjectAlternativeName?: string; extensions?: { issuer?: string } } | undefined;
  try {
    signerIdentity = p.verifier.verify(entity).identity;
  } catch (err) {
    const { code, message } = reasonOf(err);
    if (code === 'TIMESTAMP_ERROR' && /expected \d+ timestamps?, got 0/.test(message))
      return {
        kind: 'no-time',
        reason: `it has no verified transparency-log entry or RFC 3161 timestamp (${message})`,
      };
    return { kind: 'invalid', reason: `${code}: ${message}` };
  }
  const binding = tlogBindsKey(entity, p.key);
  if (binding !== undefined) return { kind: 'invalid', reason: binding };
  const time = signingTime(entity);
  const tlogEntries = entity.tlogEntries.map((e) => e.logIndex);
  if (p.rule.kind === 'key') return { kind: 'ok', verifiedBy: `key ${p.rule.name}`, tlogEntries, ...time };
  const identity = signerIdentity?.subjectAlternativeName ?? '';
  const issuer = signerIdentity?.extensions?.issuer ?? '';
  if (!p.identity!(identity) || !p.issuer!(issuer)) return { kind: 'mismatch', found: { identity, issuer } };
  const leaf = (entity.key as { certificate: X509Certificate }).certificate;
  return {
    kind: 'ok',
    verifiedBy: `certificate ${identity} from ${issuer} (root ${(p.rule as KeylessTrustRule).name})`,
    certificate: {
      subjectAlternativeName: identity,
      issuer,
      fingerprint: fingerprint(leaf),
      notBefore: leaf.notBefore.toISOString(),
      notAfter: leaf.notAfter.toISOString(),
    },
    tlogEntries,
    ...time,
  };
}
