/** The identity of a target repository, from its URL (src/lib/repoUrl.ts); a bad URL fails the workflow, typed. */
import { parseRepoUrl } from '../../lib/repoUrl.js';
import { pure } from '../kit/index.js';

export function repoKey(url: string): string {
  return pure(() => parseRepoUrl(url).key);
}
