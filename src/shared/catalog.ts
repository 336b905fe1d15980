/**
 * The VM image catalog procedure's contract (`updateCatalog`): its input
 * (parsed at the workflow's start), states, the per-image table its status
 * shows, the gate's messages and the status query, and its workflow id.
 * Plain JSON, no secrets. Pure.
 */
import { defineQuery } from '@temporalio/workflow';
import { z } from 'zod';
import { defineGateMessages } from './gateMessages.js';
import { checkedString } from './bump.js';
import { repoPathProblem } from '../lib/repoPath.js';
import { OTHER_ENDS, procedureInputFields, WAITING_STATES, type ProcedureStatusFields } from './procedure.js';

export const CATALOG_PROCEDURE = 'catalog';
export const CatalogWorkflowType = { update: 'updateCatalog' } as const;
export const DEFAULT_CATALOG_APPROVAL_TIMEOUT = '7d';

export const catalogInputSchema = z.lazy(() =>
  z.strictObject({
    /** the repository's normalised clone URL (src/lib/repoUrl.ts) */
    repoUrl: z.string().min(1).max(500),
    /** the catalog file, a path inside the repository */
    path: checkedString(repoPathProblem),
    branch: z.string().min(1).max(200).default('main'),
    /** keep the N newest version entries (the new one first); absent: versions[0] replaced in place */
    keep: z.number().int().min(1).max(100).optional(),
    /** show the table, write nothing */
    dryRun: z.boolean().default(false),
    /** after approval, stream each new image to the worker's S3 mirror (catalog.mirror); false: `--no-mirror` */
    mirror: z.boolean().default(true),
    ...procedureInputFields(DEFAULT_CATALOG_APPROVAL_TIMEOUT),
  }),
);
export type CatalogRequest = z.input<typeof catalogInputSchema>;
export type CatalogInput = z.output<typeof catalogInputSchema>;

export const catalogStates = [
  'reading',
  'checking',
  'planning',
  'awaiting-approval',
  'mirroring',
  'pushing',
  'opening-pr',
  ...WAITING_STATES,
  'pr-opened',
  ...OTHER_ENDS,
] as const;
export type CatalogState = (typeof catalogStates)[number];
/** States in which the procedure has ended. */
export const CATALOG_ENDED: readonly CatalogState[] = catalogStates.slice(catalogStates.indexOf('pr-opened'));

/** One image the update checks, as the catalog names it (what the check activity needs). */
export interface CatalogImageRef {
  name: string;
  /** 1-based line of the image's entry */
  line: number;
  latestUrl: string;
  latestChecksumUrl: string;
  /** versions[0] (`buildDate` absent in runs started before it was read) */
  current: { version: string; buildDate?: string | undefined; checksum: string; url: string };
}

/** The newest build the mirror has of an image. */
export interface FoundBuild {
  version: string;
  /** YYYY-MM-DD */
  buildDate: string;
  /** `sha256:<hex>` / `sha512:<hex>` */
  checksum: string;
  /** the URL of the image file: dated (Ubuntu, Debian), the matching name (CentOS), or latest_url (AlmaLinux, Rocky) */
  url: string;
  /** where the checksum was read */
  checksumUrl: string;
}

/** A row of the table an operator approves: one image, old → new. */
export interface CatalogImageRow {
  image: string;
  line: number;
  old: { version: string; checksum: string };
  new?: (FoundBuild & { mirrorUrl?: string | undefined }) | undefined;
  change: 'checking' | 'update' | 'unchanged';
}

/** An image file streamed to the S3 mirror (mirrorCatalogImage), as the PR lists it. */
export interface MirroredImage {
  image: string;
  /** the object's key in the bucket */
  key: string;
  size: number;
  /** `sha256:<hex>` / `sha512:<hex>`, verified while streaming */
  checksum: string;
  /** false: the object was already there with this checksum */
  uploaded: boolean;
}

/** An image the update leaves alone, and why (disabled; no latest_url / latest_checksum_url). */
export interface SkippedImage {
  image: string;
  line: number;
  why: string;
}

export interface CatalogStatus extends ProcedureStatusFields {
  procedure: typeof CATALOG_PROCEDURE;
  repo: string;
  path: string;
  branch: string;
  state: CatalogState;
  dryRun: boolean;
  keep?: number | undefined;
  /** the branch head the catalog was read at */
  baseSha?: string | undefined;
  images: CatalogImageRow[];
  skipped: SkippedImage[];
  workBranch?: string | undefined;
  /** the images streamed to the mirror (Patches.catalogMirror), in the table's order */
  mirrored?: MirroredImage[] | undefined;
  commitSha?: string | undefined;
  prUrl?: string | undefined;
  prNumber?: number | undefined;
}
export type CatalogResult = CatalogStatus;

export const catalogGate = defineGateMessages<CatalogStatus>({
  approve: 'approve',
  reject: 'reject',
  approveUpdate: 'approveCatalog',
  rejectUpdate: 'rejectCatalog',
});
export const catalogStatusQuery = defineQuery<CatalogStatus>('status');

/**
 * `catalog/osism/openstack-image-manager/etc/images/ubuntu.yml` (`@<branch>` added for a branch
 * other than main): one update of a catalog file at a time.
 */
export function catalogWorkflowId(repoSlug: string, path: string, branch = 'main'): string {
  return `catalog/${repoSlug}/${path}${branch === 'main' ? '' : `@${branch}`}`;
}

export function isCatalogWorkflowId(id: string): boolean {
  return id.startsWith('catalog/');
}
