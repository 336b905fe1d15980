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
import { repoPathProblem } from '../lib/kit/repoPath.js';
import { OTHER_ENDS, procedureInputFields, WAITING_STATES, type ProcedureStatusFields } from './procedure.js';

export const CATALOG_PROCEDURE = 'catalog';
export const CatalogWorkflowType = { update: 'updateCatalog' } as const;
export const DEFAULT_CATALOG_APPROVAL_TIMEOUT = '7d';

/** Where update.py reads every catalog (`etc/images/*.yml`): the folder an all-catalogs run lists. */
export const CATALOG_DIR = 'etc/images';
/** A folder's catalogs: its files ending .yml or .yaml (not its subfolders'). */
export const CATALOG_FILE = /\.ya?ml$/;
export const MAX_CATALOG_FILES = 50;

export const catalogInputSchema = z.lazy(() =>
  z
    .strictObject({
      /** the repository's normalised clone URL (src/lib/kit/repoUrl.ts) */
      repoUrl: z.string().min(1).max(500),
      /** one catalog file, a path inside the repository */
      path: checkedString(repoPathProblem).optional(),
      /** several catalog files, updated in one run (one table, one approval, one commit, one PR) */
      paths: z.array(checkedString(repoPathProblem)).min(2).max(MAX_CATALOG_FILES).optional(),
      /** with neither path nor paths: every catalog directly in this folder (default etc/images), in one run */
      dir: checkedString(repoPathProblem).optional(),
      branch: z.string().min(1).max(200).default('main'),
      /** keep the N newest version entries (the new one first); absent: versions[0] replaced in place */
      keep: z.number().int().min(1).max(100).optional(),
      /** show the table, write nothing */
      dryRun: z.boolean().default(false),
      /** after approval, stream each new image to the worker's S3 mirror (catalog.mirror); false: `--no-mirror` */
      mirror: z.boolean().default(true),
      ...procedureInputFields(DEFAULT_CATALOG_APPROVAL_TIMEOUT),
    })
    .superRefine((i, refinement) => {
      const problem = scopeProblem(i);
      if (problem !== undefined) refinement.addIssue({ code: 'custom', message: problem });
    }),
);

function scopeProblem(i: {
  path?: string | undefined;
  paths?: string[] | undefined;
  dir?: string | undefined;
}) {
  const given = [i.path && 'path', i.paths && 'paths', i.dir && 'dir'].filter(Boolean);
  if (given.length > 1)
    return `expected one of "path" (one catalog), "paths" (several) or "dir" (every catalog of a folder); found ${given.join(' and ')}`;
  const twice = i.paths?.find((p, n) => i.paths!.indexOf(p) !== n);
  if (twice !== undefined)
    return `expected each catalog once in "paths"; found ${JSON.stringify(twice)} twice`;
  return undefined;
}

/**
 * What an update reads, as its status and messages name it: the one catalog
 * (`etc/images/ubuntu.yml`), the files named (`etc/images/debian.yml, etc/images/ubuntu.yml`),
 * or the folder whose catalogs are all read (`etc/images/`).
 */
export function catalogScope(i: {
  path?: string | undefined;
  paths?: string[] | undefined;
  dir?: string | undefined;
}): string {
  if (i.path !== undefined) return i.path;
  if (i.paths !== undefined) return i.paths.join(', ');
  return `${i.dir ?? CATALOG_DIR}/`;
}
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
  /** the catalog file (in a run of several files; absent in a one-file run) */
  file?: string | undefined;
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
  /** the catalog file (in a run of several files) */
  file?: string | undefined;
  image: string;
  line: number;
  old: { version: string; checksum: string };
  new?: (FoundBuild & { mirrorUrl?: string | undefined }) | undefined;
  change: 'checking' | 'update' | 'unchanged';
}

/** An image file streamed to the S3 mirror (mirrorCatalogImage), as the PR lists it. */
export interface MirroredImage {
  /** the catalog file (in a run of several files) */
  file?: string | undefined;
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
  /** the catalog file (in a run of several files) */
  file?: string | undefined;
  image: string;
  line: number;
  why: string;
}

export interface CatalogStatus extends ProcedureStatusFields {
  procedure: typeof CATALOG_PROCEDURE;
  repo: string;
  /** what the update reads (catalogScope): one file, the files named, or `etc/images/` */
  path: string;
  /** the catalog files read, in a run of several (absent in a one-file run) */
  files?: string[] | undefined;
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
 * other than main): one update of a catalog file at a time. `scope` is catalogScope's: a file,
 * the files named (joined by `,`), or `etc/images/` for every catalog of the folder.
 */
export function catalogWorkflowId(repoSlug: string, scope: string, branch = 'main'): string {
  return `catalog/${repoSlug}/${scope.replace(/, /g, ',')}${branch === 'main' ? '' : `@${branch}`}`;
}

export function isCatalogWorkflowId(id: string): boolean {
  return id.startsWith('catalog/');
}
