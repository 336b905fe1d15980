/** Which branches a bump works on: the ones asked (each must exist) or main plus every stable/*. Pure. */
import { fatal, FatalFailure } from '../../shared/failures.js';
import { assertValidRefName, compareBranches } from './branches.js';

/** Branches to bump: the ones asked (each must exist) or main plus every stable/*. */
export function chooseBranches(
  existing: readonly string[],
  requested: readonly string[] | undefined,
  repoUrl: string,
): string[] {
  const candidates = existing.filter((b) => b === 'main' || b.startsWith('stable/')).sort(compareBranches);
  if (requested === undefined || requested.length === 0) {
    if (!candidates.includes('main')) {
      throw fatal(
        FatalFailure.MissingBranch,
        `expected a main branch on ${repoUrl}, found only: ${candidates.join(', ') || '(none)'}`,
      );
    }
    return candidates;
  }
  const wanted = [...new Set(requested.map((b) => assertValidRefName(b.trim(), 'branch')))];
  const missing = wanted.filter((b) => !existing.includes(b));
  if (missing.length > 0) {
    throw fatal(
      FatalFailure.MissingBranch,
      `expected branches that exist on ${repoUrl}; not found: ${missing.join(', ')}. Branches that exist: ${candidates.join(', ')}`,
      { missing, existing: candidates },
    );
  }
  return wanted.sort(compareBranches);
}
