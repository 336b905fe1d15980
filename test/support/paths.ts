import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root directory. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The real fixtures live in the team's shared folder beside the clone
 * (`<clone>/../shared/fixtures`); BUMPFLOW_FIXTURES overrides.
 */
export const fixturesDir = process.env.BUMPFLOW_FIXTURES ?? path.resolve(repoRoot, '..', 'shared', 'fixtures');
export const atmosphereDir = path.join(fixturesDir, 'atmosphere');
