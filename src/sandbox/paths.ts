import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root directory. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Real files from the systems bumpflow serves, vendored with their sources (`fixtures/SOURCES.md`). */
export const fixturesDir = path.join(repoRoot, 'fixtures');
export const atmosphereDir = path.join(fixturesDir, 'atmosphere');
