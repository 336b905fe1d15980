/** Identities for ids and search attributes: a target repository from its URL, an image repository from its name. */
import { parseRepoUrl } from '../../lib/kit/repoUrl.js';
import { normalizeImageRepository } from '../../lib/kit/imageRef.js';
import { pure } from '../kit/index.js';

export function repoKey(url: string): string {
  return pure(() => parseRepoUrl(url).key);
}

/** `docker.io/x` → `docker.io/library/x`, hosts without case (src/lib/kit/imageRef.ts); a bad name fails the workflow, typed. */
export function imageRepoKey(image: string): string {
  return pure(() => normalizeImageRepository(image).key);
}
