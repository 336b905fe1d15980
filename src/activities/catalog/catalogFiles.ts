/**
 * Activities of a catalog update of several files (`catalog --repo` without
 * `--path`, or `--path` given more than once), as update.py's run walks every
 * `etc/images/*.yml`: every file read at one head of the branch (a folder
 * listed there), validated before anything is fetched; then every changed
 * file's new text planned on that head, with one work branch for the whole
 * set. A one-file update keeps its own activities (catalogActivities.ts).
 * Reads only; the same input gives the same plan.
 */
import { createHash } from 'node:crypto';
import { fatal, FatalFailure } from '../../shared/failures.js';
import { CATALOG_DIR, CATALOG_FILE, MAX_CATALOG_FILES } from '../../shared/catalog.js';
import type { CatalogImageRef, SkippedImage } from '../../shared/catalog.js';
import { writeCatalogVersions, type CatalogUpdate } from '../../lib/catalog/catalogEdit.js';
import type { ActivityDeps } from '../kit/deps.js';
import { catalogBase, catalogImages, catalogTextAt } from './catalogActivities.js';

export interface ReadCatalogsInput {
  repoUrl: string;
  branch: string;
  /** the files named; absent: every catalog directly in `dir` */
  paths?: string[] | undefined;
  dir?: string | undefined;
}

export interface ReadCatalogsResult {
  baseSha: string;
  /** in order: the files named, or the folder's catalogs by path */
  files: string[];
  /** every file's images to check, each with its `file`, file by file */
  images: CatalogImageRef[];
  skipped: SkippedImage[];
}

export interface PlanCatalogsInput {
  repoUrl: string;
  branch: string;
  baseSha: string;
  /** per changed file, its updates */
  edits: Array<{ path: string; updates: CatalogUpdate[] }>;
  keep?: number | undefined;
}

export interface CatalogsPlan {
  workBranch: string;
  /** per edit, in order: the new text and, per update, the mirror_url written */
  files: Array<{ path: string; text: string; mirrorUrls: Array<string | undefined> }>;
}

/** One branch per set of new versions across the files, so a rerun finds the same branch and PR. */
export function catalogsWorkBranch(edits: PlanCatalogsInput['edits'], keep?: number): string {
  const key = [
    String(keep ?? ''),
    ...edits.flatMap((e) => e.updates.map((u) => `${e.path}\t${u.image}\t${u.version.checksum}`)).sort(),
  ];
  const hash = createHash('sha256').update(key.join('\n')).digest('hex').slice(0, 12);
  return `update-images-${hash}`;
}

export function catalogFilesActivities(deps: ActivityDeps) {
  /** The folder's catalogs at `sha`: its .yml/.yaml files, or MalformedCatalog when it has none. */
  async function listCatalogs(input: ReadCatalogsInput, sha: string): Promise<string[]> {
    const dir = input.dir ?? CATALOG_DIR;
    const listed = await deps.git.listFolder(input.repoUrl, sha, dir);
    const files = listed.filter((p) => CATALOG_FILE.test(p));
    if (files.length === 0)
      throw fatal(
        FatalFailure.MalformedCatalog,
        `expected catalogs (*.yml, *.yaml) in ${dir}/ on ${input.branch} of ${input.repoUrl} (at ${sha.slice(0, 12)}); ` +
          `found ${listed.length === 0 ? 'no such folder, or an empty one' : `only ${listed.join(', ')}`}`,
      );
    if (files.length > MAX_CATALOG_FILES)
      throw fatal(
        FatalFailure.BadInput,
        `expected at most ${MAX_CATALOG_FILES} catalogs in ${dir}/ for one run; found ${files.length}: name them with --path`,
      );
    return files;
  }

  return {
    /** Every catalog of the run at one head of the branch, validated; the first malformed one fails it. */
    async readCatalogs(input: ReadCatalogsInput): Promise<ReadCatalogsResult> {
      const baseSha = await catalogBase(deps, input.repoUrl, input.branch);
      const files = input.paths ?? (await listCatalogs(input, baseSha));
      const images: CatalogImageRef[] = [];
      const skipped: SkippedImage[] = [];
      for (const file of files) {
        const text = await catalogTextAt(deps, input.repoUrl, baseSha, input.branch, file);
        const read = catalogImages(text, input.branch, file, file);
        images.push(...read.images);
        skipped.push(...read.skipped);
      }
      return { baseSha, files, images, skipped };
    },

    /** Every changed catalog's new text, written on the head the files were read at, and the work branch. */
    async planCatalogs(input: PlanCatalogsInput): Promise<CatalogsPlan> {
      const files: CatalogsPlan['files'] = [];
      for (const edit of input.edits) {
        const text = await catalogTextAt(deps, input.repoUrl, input.baseSha, input.branch, edit.path);
        const edited = writeCatalogVersions(text, edit.updates, {
          keep: input.keep,
          source: `${input.branch}:${edit.path}`,
        });
        files.push({
          path: edit.path,
          text: edited.text,
          mirrorUrls: edited.written.map((w) => w.mirrorUrl),
        });
      }
      return { workBranch: catalogsWorkBranch(input.edits, input.keep), files };
    },
  };
}
