/** Activities that read the registry: a tag's digest, an image's labels checked against what the branch expects. */
import { fatal, FatalFailure } from '../../shared/failures.js';
import { formatImageRef } from '../../lib/kit/imageRef.js';
import { parseRepoUrl, publicRepoUrl } from '../../lib/kit/repoUrl.js';
import type { ActivityDeps } from './deps.js';
import { LABEL_REVISION, LABEL_SOURCE, LABEL_VERSION, type ImageFacts, type ImageName } from './types.js';

/** The identity of a repository URL (label values are not always plain: fall back to the trimmed text). */
function repoIdentity(url: string): string {
  try {
    return parseRepoUrl(url.trim()).key;
  } catch {
    return publicRepoUrl(url).toLowerCase();
  }
}

export function registryActivities(deps: ActivityDeps) {
  const { registry } = deps;
  return {
    /**
     * The digest a tag points at now, by one GET of its manifest (not HEAD):
     * the bump reads that manifest next, and the client keeps it by digest.
     */
    async resolveDigest(input: ImageName & { tag: string }): Promise<string> {
      const manifest = await registry.getManifest({
        registry: input.registry,
        repository: input.repository,
        tag: input.tag,
      });
      return manifest.digest;
    },

    /** Labels of an image by digest, checked against what the branch expects. */
    async inspectImage(
      input: ImageName & { digest: string; expectedVersion: string; expectedSource?: string | undefined },
    ): Promise<ImageFacts> {
      const ref = { registry: input.registry, repository: input.repository, digest: input.digest };
      const shown = formatImageRef(ref);
      const { labels } = await registry.getImageConfig(ref);
      const label = (name: string): string => {
        const value = labels[name];
        if (value === undefined || value.trim() === '') {
          throw fatal(
            FatalFailure.LabelMissing,
            `expected label ${name} on ${shown}, found none (labels: ${Object.keys(labels).join(', ') || 'none'})`,
          );
        }
        return value.trim();
      };
      const version = label(LABEL_VERSION);
      const source = label(LABEL_SOURCE);
      const revision = label(LABEL_REVISION);
      if (version !== input.expectedVersion) {
        throw fatal(
          FatalFailure.LabelMismatch,
          `expected ${LABEL_VERSION}=${input.expectedVersion} (the tag pinned on the branch) on ${shown}, found ${version}: never bump a branch to another branch's image`,
          { expected: input.expectedVersion, found: version },
        );
      }
      if (input.expectedSource !== undefined && repoIdentity(source) !== repoIdentity(input.expectedSource)) {
        throw fatal(
          FatalFailure.LabelMismatch,
          `expected ${LABEL_SOURCE}=${input.expectedSource} on ${shown}, found ${source}`,
          {
            expected: input.expectedSource,
            found: source,
          },
        );
      }
      return { digest: input.digest, source, version, revision };
    },
  };
}
