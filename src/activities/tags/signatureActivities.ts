/**
 * The signature check before any tag of an image is mutated: the worker's
 * trust policy (from its config file: a public key, or a certificate identity
 * and issuer under a trusted root) picks the rule for the image repository;
 * the signature is found in the registry and verified in-process. A person
 * starting a workflow cannot choose what is trusted: the policy never comes
 * from a workflow input.
 */
import picomatch from 'picomatch';
import { fatal, FatalFailure } from '../../shared/failures.js';
import { verifyImageSignature, type TrustRule } from '../../clients/signatures/index.js';
import type { SignatureEvidenceInfo } from '../../shared/tags.js';
import type { ActivityDeps } from '../kit/deps.js';
import type { ImageName } from '../kit/types.js';

/** A trust rule for the image repositories (`registry/repository`) a glob matches; the first match wins. */
export interface TrustPolicyEntry {
  images: string;
  rule: TrustRule;
}

export function trustRuleFor(policy: readonly TrustPolicyEntry[], image: string): TrustRule | undefined {
  return policy.find((e) => picomatch(e.images)(image))?.rule;
}

export function signatureActivities(deps: ActivityDeps) {
  return {
    async verifySignature(input: ImageName & { digest: string }): Promise<SignatureEvidenceInfo> {
      const image = `${input.registry}/${input.repository}`;
      const rule = trustRuleFor(deps.trust ?? [], image);
      if (rule === undefined) {
        throw fatal(
          FatalFailure.NoTrustPolicy,
          `expected a signature policy for ${image} in the worker's config (signatures: [{images, key | keyless}]), found none: nothing is mutated without a verified signature`,
          { image },
        );
      }
      const evidence = await verifyImageSignature(deps.registry, { ...input }, rule);
      return {
        digest: evidence.digest,
        source: evidence.source,
        signatureManifest: evidence.signatureManifest,
        verifiedBy: evidence.verifiedBy,
        ...(evidence.signedAt !== undefined
          ? { signedAt: evidence.signedAt, timeSource: evidence.timeSource }
          : {}),
        ...(evidence.certificate !== undefined ? { certificateNotAfter: evidence.certificate.notAfter } : {}),
      };
    },
  };
}
