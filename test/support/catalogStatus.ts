/** A catalog update's status as the workflow reports it, for the pure renderers' tests: one file, awaiting approval, unless `over` says otherwise. */
import type { CatalogStatus } from '../../src/shared/catalog.js';

export const CATALOG_REPO = 'https://github.com/osism/openstack-image-manager';

export function catalogStatusWith(over: Partial<CatalogStatus>): CatalogStatus {
  return {
    procedure: 'catalog',
    repo: CATALOG_REPO,
    path: 'etc/images/ubuntu.yml',
    branch: 'main',
    state: 'awaiting-approval',
    dryRun: false,
    images: [],
    skipped: [],
    notices: [],
    refusals: [],
    ...over,
  };
}
