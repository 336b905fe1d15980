/**
 * Activities on an image repository's tags: the source of a promotion (digest,
 * platforms, revision and created time), the digests of named tags, every tag
 * with its digest (and, for the tags a procedure looks at, created time and an
 * index's children), create-only / move writes and safe deletes — each write
 * and delete verified after by the registry client. Idempotent: a retried
 * write of a tag already at the digest is `unchanged`, a retried delete
 * `already-gone`.
 */
import picomatch from 'picomatch';
import { isDigest } from '../../lib/kit/imageRef.js';
import { mapLimit } from '../../clients/registry/util.js';
import { INDEX_MEDIA_TYPES } from '../../clients/registry/schema.js';
import type { DeleteTagResult } from '../../clients/registry/index.js';
import type { SourceImage } from '../../shared/tags.js';
import type { ActivityDeps } from '../kit/deps.js';
import { LABEL_REVISION, LABEL_SOURCE, LABEL_VERSION, type ImageName } from '../kit/types.js';

const CONCURRENCY = 4;
/** cosign's and the referrers schema's own tags: never promoted, listed or cleaned up as images */
const ARTIFACT_TAG = /^sha256-[a-f0-9]{64}(\.sig|\.att|\.sbom)?$/;

export interface ListedTag {
  tag: string;
  digest: string;
  created?: string | undefined;
  /** the digests an index lists */
  children?: string[] | undefined;
}

interface IndexLike {
  manifests?: { digest: string; platform?: { os: string; architecture: string; variant?: string } }[];
}

function platformsOf(json: unknown): { names: string[]; children: string[] } {
  const manifests = (json as IndexLike).manifests ?? [];
  const images = manifests.filter((m) => m.platform && m.platform.os !== 'unknown');
  return {
    names: images.map(
      (m) =>
        `${m.platform!.os}/${m.platform!.architecture}${m.platform!.variant ? `/${m.platform!.variant}` : ''}`,
    ),
    children: manifests.map((m) => m.digest),
  };
}

function createdOf(config: unknown, labels: Record<string, string>): string | undefined {
  const created = (config as { created?: unknown }).created;
  return typeof created === 'string' ? created : labels['org.opencontainers.image.created'];
}

export function tagActivities(deps: ActivityDeps) {
  const { registry } = deps;

  async function describe(image: ImageName, digest: string): Promise<SourceImage & { children?: string[] }> {
    const ref = { ...image, digest };
    const manifest = await registry.getManifest(ref);
    const isIndex = INDEX_MEDIA_TYPES.includes(manifest.mediaType);
    const { names, children } = isIndex
      ? platformsOf(manifest.json)
      : { names: ['(single manifest)'], children: [] };
    const [os, architecture] = (names.find((n) => n === 'linux/amd64') ?? names[0] ?? 'linux/amd64').split(
      '/',
    );
    const { labels, config } = await registry.getImageConfig(
      ref,
      isIndex ? { os: os!, architecture: architecture! } : undefined,
    );
    return {
      digest: manifest.digest,
      mediaType: manifest.mediaType,
      platforms: names,
      revision: labels[LABEL_REVISION]?.trim() || undefined,
      source: labels[LABEL_SOURCE]?.trim() || undefined,
      version: labels[LABEL_VERSION]?.trim() || undefined,
      created: createdOf(config, labels),
      ...(isIndex ? { children } : {}),
    };
  }

  return {
    /** The source of a promotion (a tag or a digest) as one digest, an index staying an index. */
    async inspectSource(input: ImageName & { from: string }): Promise<SourceImage> {
      const image = { registry: input.registry, repository: input.repository };
      const digest = isDigest(input.from)
        ? input.from
        : await registry.resolveDigest({ ...image, tag: input.from });
      const { children: _children, ...source } = await describe(image, digest);
      return source;
    },

    /** Where each named tag points now (null: no such tag). */
    async readTags(input: ImageName & { tags: string[] }): Promise<Record<string, string | null>> {
      const image = { registry: input.registry, repository: input.repository };
      const out: Record<string, string | null> = {};
      await mapLimit(input.tags, CONCURRENCY, async (tag) => {
        try {
          out[tag] = await registry.resolveDigest({ ...image, tag });
        } catch (err) {
          if ((err as { type?: string }).type === 'ManifestUnknown') out[tag] = null;
          else throw err;
        }
      });
      return out;
    },

    /**
     * Every tag (all pages) with its digest; for tags matching `detail` also the
     * image's created time, and for every index the digests it lists (so a plan
     * never deletes what a kept index needs). cosign's own tags are left out.
     */
    async listTagDigests(
      input: ImageName & { detail: string[] },
    ): Promise<{ tags: ListedTag[]; artifacts: number }> {
      const image = { registry: input.registry, repository: input.repository };
      const all = await registry.listTags(image);
      const tags = all.filter((t) => !ARTIFACT_TAG.test(t));
      const isDetailed = picomatch(input.detail.length > 0 ? input.detail : ['!**']);
      const digests = await mapLimit(tags, CONCURRENCY, async (tag) => {
        try {
          return await registry.resolveDigest({ ...image, tag });
        } catch (err) {
          if ((err as { type?: string }).type === 'ManifestUnknown') return undefined; // deleted meanwhile
          throw err;
        }
      });
      const listed = tags.flatMap((tag, i) =>
        digests[i] === undefined ? [] : [{ tag, digest: digests[i]! }],
      );
      const distinct = [...new Set(listed.map((t) => t.digest))];
      const facts = new Map<string, { children?: string[]; created?: string | undefined }>();
      await mapLimit(distinct, CONCURRENCY, async (digest) => {
        const detailed = listed.some((t) => t.digest === digest && isDetailed(t.tag));
        if (detailed) {
          const d = await describe(image, digest);
          facts.set(digest, { children: d.children, created: d.created });
          return;
        }
        const manifest = await registry.getManifest({ ...image, digest });
        if (INDEX_MEDIA_TYPES.includes(manifest.mediaType))
          facts.set(digest, { children: platformsOf(manifest.json).children });
      });
      return {
        tags: listed.map((t) => ({ ...t, ...facts.get(t.digest) })),
        artifacts: all.length - tags.length,
      };
    },

    /** Points a tag at a digest: create-only (a stamp) or move; verified after. */
    async writeTag(
      input: ImageName & { tag: string; digest: string; mode: 'create-only' | 'move' },
    ): Promise<{ tag: string; digest: string; outcome: string; previousDigest?: string | undefined }> {
      const req = {
        registry: input.registry,
        repository: input.repository,
        tag: input.tag,
        digest: input.digest,
      };
      const result =
        input.mode === 'create-only' ? await registry.tagCreateOnly(req) : await registry.moveTag(req);
      return {
        tag: result.tag,
        digest: result.digest,
        outcome: result.outcome,
        previousDigest: result.previousDigest,
      };
    },

    /**
     * Deletes a tag (by its digest), refused while a kept tag shares the digest;
     * verified after. Compare-then-delete: with `expectedDigest` (the plan's), a
     * tag re-pushed since is kept: outcome `moved`, with the digest it holds now.
     */
    async deleteTag(
      input: ImageName & {
        tag: string;
        alsoDeleting: string[];
        /** absent in a delete scheduled before compare-then-delete: the tag is deleted as it is */
        expectedDigest?: string | undefined;
        alsoDeletingDigests?: Record<string, string> | undefined;
      },
    ): Promise<DeleteTagResult> {
      return registry.deleteTagSafely({
        registry: input.registry,
        repository: input.repository,
        tag: input.tag,
        alsoDeleting: input.alsoDeleting,
        expectedDigest: input.expectedDigest,
        alsoDeletingDigests: input.alsoDeletingDigests,
      });
    },
  };
}
