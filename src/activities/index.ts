/**
 * Activities: everything that touches the world, grouped by what they touch.
 * Each takes one object, is idempotent, and reports failures as typed
 * Temporal failures: non-retryable for what no retry can fix, retryable for
 * outages. Dependencies come in through `createActivities(deps)`: the worker
 * builds real clients, tests build them against local real parts.
 */
import type { ActivityDeps } from './deps.js';
import { gitActivities } from './gitActivities.js';
import { registryActivities } from './registryActivities.js';
import { reasonActivities } from './reasonActivities.js';
import { forgeActivities } from './forgeActivities.js';
import { tagActivities } from './tagActivities.js';
import { signatureActivities } from './signatureActivities.js';
import { auditActivities } from './auditActivities.js';
import { retagActivities } from './retagActivities.js';
import { retagApprovalActivities } from './retagApprovalActivities.js';
import { sweepActivities } from './sweepActivities.js';
import { pinActivities } from './pinActivities.js';
import { catalogActivities } from './catalogActivities.js';
import { catalogMirrorActivities } from './catalogMirror.js';
import { catalogFilesActivities } from './catalogFiles.js';
import { noticeActivities } from './noticeActivities.js';
import { tagApprovalActivities } from './tagApprovalActivities.js';
import { confirmActivities } from './confirmActivities.js';
import { wrapActivities } from './wrap.js';

export type { ActivityDeps } from './deps.js';
export * from './types.js';
export type { TrustPolicyEntry } from './signatureActivities.js';
export type { ListedTag } from './tagActivities.js';
export type { WorkflowLook, WorkflowLookInput } from './confirmActivities.js';
export type { MirrorCatalogImageInput, MirrorCatalogImageResult } from './catalogMirror.js';

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
