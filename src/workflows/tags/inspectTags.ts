/**
 * inspectTags: a read-only look at an image repository for `bumpflow tags`.
 *   1 list     every tag (all pages) with its digest and the image's created time
 *   2 verify   each distinct digest's cosign signature under the worker's trust policy; a typed
 *              refusal (Unsigned, SignatureInvalid, NoTrustPolicy, …) is that digest's answer, not a failure
 * It mutates nothing, so it does not go through the repository's queue; the
 * registry's credentials stay on the worker. An outage of one verification
 * (retries spent) fails the inspection, but only once its side-by-side
 * siblings have settled (Patches.settledSiblings), the first by order.
 */
import { z } from 'zod';
import { retryPolicyInputSchema } from '../../shared/bump.js';
import { imageNameSchema } from '../../shared/tags.js';
import { parseStamp } from '../../lib/kit/stamp.js';
import {
  errorInfo,
  isFatal,
  onPatch,
  parseInput,
  Patches,
  sideBySide,
  tagActivitiesFor,
} from '../kit/index.js';

export const inspectInputSchema = z.lazy(() =>
  z.strictObject({
    image: imageNameSchema,
    retry: retryPolicyInputSchema.default({
      maximumAttempts: 3,
      initialInterval: '1s',
      maximumInterval: '5s',
    }),
  }),
);
export type InspectRequest = z.input<typeof inspectInputSchema>;

export interface InspectedTag {
  tag: string;
  digest: string;
  created?: string | undefined;
  /** the tag read as a stamp `<prefix>-YYYYMMDD-<revision>`, the prefix being what precedes the first '-' */
  stamp?: { date: string; revision: string } | undefined;
  /** `verified by key release-key`, or the failure's type: `Unsigned`, `SignatureInvalid`, `NoTrustPolicy`, … */
  signature: string;
  /** why the signature did not verify */
  signatureDetail?: string | undefined;
}

export interface InspectResult {
  image: string;
  tags: InspectedTag[];
}

/** Signatures checked at once: a repository with many digests must not flood the worker. */
const AT_ONCE = 4;

export async function inspectTags(raw: InspectRequest): Promise<InspectResult> {
  const input = parseInput(inspectInputSchema, raw, 'an inspection {image: {registry, repository}}');
  // a run started before this rejected at the first outage while its siblings still ran (Promise.all)
  const settle = onPatch(Patches.settledSiblings);
  const acts = tagActivitiesFor(input.retry);
  const listed = await acts.listTagDigests({ ...input.image, detail: ['*'] });
  const digests = [...new Set(listed.tags.map((t) => t.digest))];
  const signatures = new Map<string, { signature: string; signatureDetail?: string }>();
  for (let i = 0; i < digests.length; i += AT_ONCE) {
    await sideBySide(
      settle,
      digests.slice(i, i + AT_ONCE).map(async (digest) => {
        try {
          const evidence = await acts.verifySignature({ ...input.image, digest });
          signatures.set(digest, { signature: `verified by ${evidence.verifiedBy}` });
        } catch (err) {
          if (!isFatal(err)) throw err;
          const info = errorInfo(err);
          signatures.set(digest, { signature: info.type, signatureDetail: info.message });
        }
      }),
    );
  }
  const byName = [...listed.tags].sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
  const tags = byName.map((t): InspectedTag => {
    const stamp = parseStamp(t.tag, t.tag.split('-')[0]!);
    return {
      tag: t.tag,
      digest: t.digest,
      ...(t.created === undefined ? {} : { created: t.created }),
      ...(stamp === undefined ? {} : { stamp }),
      ...signatures.get(t.digest)!,
    };
  });
  return { image: `${input.image.registry}/${input.image.repository}`, tags };
}
