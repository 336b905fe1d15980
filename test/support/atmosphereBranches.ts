/** The six real Atmosphere vars files (fixtures/atmosphere), as the sweep reads them: each branch with its file's text. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SweepBranch } from '../../src/lib/sweep/index.js';
import { atmosphereDir } from '../../src/sandbox/paths.js';

/** branch → the fixture file holding its vars file */
export const ATMOSPHERE_FILES: Record<string, string> = {
  main: 'main.yml',
  'stable/2023.1': 'stable-2023.1.yml',
  'stable/2023.2': 'stable-2023.2.yml',
  'stable/2024.1': 'stable-2024.1.yml',
  'stable/2024.2': 'stable-2024.2.yml',
  'stable/2025.1': 'stable-2025.1.yml',
};

export const ATMOSPHERE_BRANCHES: SweepBranch[] = Object.entries(ATMOSPHERE_FILES).map(([branch, file]) => ({
  branch,
  text: readFileSync(path.join(atmosphereDir, file), 'utf8'),
}));
