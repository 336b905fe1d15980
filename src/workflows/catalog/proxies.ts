/** The catalog update's activities, bound like the bump's (see ../kit/proxies.ts): git reads and the push, mirror reads, the PR. */
import { binder } from '../kit/index.js';
import type { RetryPolicyInput } from '../../shared/bump.js';

export function catalogActivitiesFor(retry: RetryPolicyInput) {
  const bind = binder(retry);
  return {
    readCatalog: bind('readCatalog', 'git', (i) => `read ${i.path} on ${i.branch} of ${i.repoUrl}`),
    // the mirror's listing and checksum file: short HTTP reads, heartbeating, under the registry class's timeouts
    readCatalogs: bind(
      'readCatalogs',
      'git',
      (i) =>
        `read the catalogs ${i.paths?.join(', ') ?? `of ${i.dir ?? 'etc/images'}/`} on ${i.branch} of ${i.repoUrl}`,
    ),
    checkImage: bind('checkImage', 'registry', (i) => `find the newest build of ${i.image.name}`),
    planCatalog: bind('planCatalog', 'git', (i) => `write ${i.updates.length} new version(s) into ${i.path}`),
    planCatalogs: bind(
      'planCatalogs',
      'git',
      (i) => `write the new versions into ${i.edits.map((e) => e.path).join(', ')}`,
    ),
    checkForge: bind('checkForge', 'forge', (i) => `check that pull requests can be opened on ${i.repoUrl}`),
    mirrorCatalogImage: bind('mirrorCatalogImage', 'upload', (i) => `mirror ${i.image} to ${i.mirrorUrl}`),
    pushFiles: bind('pushFiles', 'git', (i) => `push ${i.workBranch} onto ${i.baseBranch}`),
    openPullRequest: bind('openPullRequest', 'forge', (i) => `open or find the PR ${i.head} → ${i.base}`),
  };
}
export type CatalogActivities = ReturnType<typeof catalogActivitiesFor>;
