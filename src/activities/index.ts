/**
 * Activities: everything that touches the world, one folder per procedure
 * (bump/, tags/, retag/, catalog/, sweep/, pin/) and kit/ for those several
 * use (git, registry, forge, confirm, notices) and the shared deps, types, wrap.
 * Each takes one object, is idempotent, and reports failures as typed
 * Temporal failures: non-retryable for what no retry can fix, retryable for
 * outages. Dependencies come in through `createActivities(deps)`: the worker
 * builds real clients, tests build them against local real parts.
 */
import type { ActivityDeps } from './kit/deps.js';
import { gitActivities } from './kit/gitActivities.js';
import { registryActivities } from './kit/registryActivities.js';
import { reasonActivities } from './bump/reasonActivities.js';
import { forgeActivities } from './kit/forgeActivities.js';
import { tagActivities } from './tags/tagActivities.js';
import { signatureActivities } from './tags/signatureActivities.js';
import { auditActivities } from './tags/auditActivities.js';
import { retagActivities } from './retag/retagActivities.js';
import { retagApprovalActivities } from './retag/retagApprovalActivities.js';
import { sweepActivities } from './sweep/sweepActivities.js';
import { pinActivities } from './pin/pinActivities.js';
import { catalogActivities } from './catalog/catalogActivities.js';
import { catalogMirrorActivities } from './catalog/catalogMirror.js';
import { catalogFilesActivities } from './catalog/catalogFiles.js';
import { noticeActivities } from './kit/noticeActivities.js';
import { tagApprovalActivities } from './tags/tagApprovalActivities.js';
import { confirmActivities } from './kit/confirmActivities.js';
import { wrapActivities } from './kit/wrap.js';

export type { ActivityDeps } from './kit/deps.js';
export * from './kit/types.js';
export type { TrustPolicyEntry } from './tags/signatureActivities.js';
export type { ListedTag } from './tags/tagActivities.js';
export type { WorkflowLook, WorkflowLookInput } from './kit/confirmActivities.js';
export type { MirrorCatalogImageInput, MirrorCatalogImageResult } from './catalog/catalogMirror.js';

export function createActivities(deps: ActivityDeps) {
  const activities = {
    ...gitActivities(deps),
    ...registryActivities(deps),
    ...reasonActivities(deps),
    ...forgeActivities(deps),
    ...tagActivities(deps),
    ...signatureActivities(deps),
    ...auditActivities(deps),
    ...retagActivities(deps),
    ...retagApprovalActivities(deps),
    ...sweepActivities(deps),
    ...pinActivities(deps),
    ...catalogActivities(deps),
    ...catalogMirrorActivities(deps),
    ...catalogFilesActivities(deps),
    ...noticeActivities(deps),
    ...tagApprovalActivities(deps),
    ...confirmActivities(deps),
  };
  // Git and registry calls can take long (clones, pushes, large manifests): they heartbeat.
  const heartbeat = new Set<keyof typeof activities>([
    'listBranches',
    'readPins',
    'sourceHead',
    'pushBump',
    'validateReason',
    'resolveDigest',
    'inspectImage',
    'inspectSource',
    'verifySignature',
    'readTags',
    'listTagDigests',
    'writeTag',
    'deleteTag',
    'readRetagManifest',
    'resolveRetagEntries',
    'requestRetagImages',
    'checkSweepPins',
    'readUnpinned',
    'pushPins',
    'readCatalog',
    'checkImage',
    'planCatalog',
    'readCatalogs',
    'planCatalogs',
    'pushFiles',
    'mirrorCatalogImage',
  ]);
  return wrapActivities(activities, { heartbeat });
}

export type Activities = ReturnType<typeof createActivities>;
