/**
 * Activities of the VM image catalog update (`updateCatalog`): read and
 * validate the catalog at the branch head, find each image's newest build
 * and its checksum on the distro's mirror (catalogCheck.ts), write the new versions into
 * the text (byte-exact, src/lib/catalog/catalogEdit.ts), and push the work
 * branch. Idempotent: reads change nothing, the same plan gives the same
 * branch name and text, and the git client's push finds a commit already
 * there (`pushed: false`).
 */
import { createHash } from 'node:crypto';
import { log } from '@temporalio/activity';
import { fatal, FatalFailure } from '../../shared/failures.js';
import type { CatalogImageRef, SkippedImage } from '../../shared/catalog.js';
import { parseCatalog, updatableImages } from '../../lib/catalog/catalogFile.js';
import { writeCatalogVersions, type CatalogUpdate } from '../../lib/catalog/catalogEdit.js';
import { assertValidRefName } from '../../lib/kit/branches.js';
import { createHttpFetch, type HttpFetch } from '../../clients/httpFetch.js';
import type { ActivityDeps } from '../kit/deps.js';
import { imageChecker } from './catalogCheck.js';
import { baseAndWorkHeads } from '../kit/workHeads.js';

export interface PushFilesInput {
  repoUrl: string;
  baseBranch: string;
  workBranch: string;
  /** the base head the files were planned on: if the base moved and changed them, nothing is pushed (`stale`) */
  expectedBaseSha: string;
  files: Array<{ path: string; content: string }>;
  message: string;
  /** ISO time fixed by the workflow, so a retried push builds the identical commit */
  date: string;
}

export interface PushFilesResult {
  /** the base moved and one of the files changed there since the plan: re-plan */
  stale: boolean;
  baseSha: string;
  commitSha?: string | undefined;
  pushed: boolean;
}

export interface CatalogPlan {
  text: string;
  workBranch: string;
  /** per update, in order: the mirror_url written (if the entry has one) */
  mirrorUrls: Array<string | undefined>;
}

/** `etc/images/ubuntu.yml` → `ubuntu`, for branch names. */
function stem(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1).replace(/\.[^.]*$/, '');
  return (
    base
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'catalog'
  );
}

/** One branch per catalog file and set of new versions, so a rerun finds the same branch and PR. */
export function catalogWorkBranch(path: string, updates: readonly CatalogUpdate[], keep?: number): string {
  const key = [path, String(keep ?? ''), ...updates.map((u) => `${u.image}\t${u.version.checksum}`).sort()];
  const hash = createHash('sha256').update(key.join('\n')).digest('hex').slice(0, 12);
  return `update-images-${stem(path)}-${hash}`;
}

export function catalogActivities(deps: ActivityDeps, http: HttpFetch = createHttpFetch()) {
  const { git } = deps;

  const textAt = (repoUrl: string, sha: string, branch: string, path: string) =>
    catalogTextAt(deps, repoUrl, sha, branch, path);

  return {
    /** The catalog at the branch head, validated: the images to check and those left alone. */
    async readCatalog(input: { repoUrl: string; branch: string; path: string }): Promise<{
      baseSha: string;
      images: CatalogImageRef[];
      skipped: SkippedImage[];
    }> {
      const baseSha = await catalogBase(deps, input.repoUrl, input.branch);
      const text = await textAt(input.repoUrl, baseSha, input.branch, input.path);
      return { baseSha, ...catalogImages(text, input.branch, input.path) };
    },

    /** The newest build on the distro's mirror and its checksum, in the form its latest_url names (catalogCheck.ts). */
    checkImage: imageChecker(http),

    /** The catalog's new text with every update written, and the work branch for this set of versions. */
    async planCatalog(input: {
      repoUrl: string;
      branch: string;
      path: string;
      baseSha: string;
      updates: CatalogUpdate[];
      keep?: number | undefined;
    }): Promise<CatalogPlan> {
      const text = await textAt(input.repoUrl, input.baseSha, input.branch, input.path);
      const edited = writeCatalogVersions(text, input.updates, {
        keep: input.keep,
        source: `${input.branch}:${input.path}`,
      });
      return {
        text: edited.text,
        workBranch: catalogWorkBranch(input.path, input.updates, input.keep),
        mirrorUrls: edited.written.map((w) => w.mirrorUrl),
      };
    },

    /** The work branch: one signed-off commit of `files` on the base; nothing when the plan went stale. */
    async pushFiles(input: PushFilesInput): Promise<PushFilesResult> {
      const { baseSha, workSha } = await baseAndWorkHeads(git, input);
      if (baseSha !== input.expectedBaseSha) {
        for (const file of input.files) {
          const before = await git.readFile(input.repoUrl, { commit: input.expectedBaseSha }, file.path);
          const now = await git.readFile(input.repoUrl, { commit: baseSha }, file.path);
          if (before !== now) {
            log.info('the base changed the planned files', { branch: input.baseBranch, path: file.path });
            return { stale: true, baseSha, pushed: false };
          }
        }
      }
      const result = await git.pushBranch({
        url: input.repoUrl,
        baseBranch: input.baseBranch,
        workBranch: input.workBranch,
        expectedBaseSha: input.expectedBaseSha,
        remoteHeads: { baseSha, workSha },
        files: input.files,
        message: input.message,
        author: deps.author,
        date: input.date,
      });
      log.info('catalog branch ready', {
        branch: input.workBranch,
        commit: result.commitSha,
        pushed: result.pushed,
      });
      return { stale: false, baseSha: result.baseSha, commitSha: result.commitSha, pushed: result.pushed };
    },
  };
}

/** The base branch's head, or MissingBranch. */
export async function catalogBase(deps: ActivityDeps, repoUrl: string, branch: string): Promise<string> {
  assertValidRefName(branch, 'branch');
  const baseSha = await deps.git.branchHead(repoUrl, branch);
  if (baseSha === undefined)
    throw fatal(FatalFailure.MissingBranch, `expected branch ${branch} on ${repoUrl}, found none`);
  return baseSha;
}

/** A catalog's text at a commit, or MalformedCatalog naming the file that is not there. */
export async function catalogTextAt(
  deps: ActivityDeps,
  repoUrl: string,
  sha: string,
  branch: string,
  path: string,
): Promise<string> {
  const text = await deps.git.readFile(repoUrl, { commit: sha }, path);
  if (text === undefined)
    throw fatal(
      FatalFailure.MalformedCatalog,
      `expected the catalog ${path} on ${branch} of ${repoUrl} (at ${sha.slice(0, 12)}); found no such file`,
    );
  return text;
}

/**
 * A catalog's text, validated (MalformedCatalog names `branch:path`, the image and line): the images
 * to check (versions[0] as current) and those left alone. `file` marks each in a run of several files.
 */
export function catalogImages(
  text: string,
  branch: string,
  path: string,
  file?: string,
): { images: CatalogImageRef[]; skipped: SkippedImage[] } {
  const source = `${branch}:${path}`;
  const catalog = parseCatalog(text, source);
  const updatable = new Set(updatableImages(catalog).map((i) => i.index));
  const images: CatalogImageRef[] = [];
  const skipped: SkippedImage[] = [];
  const where = file === undefined ? {} : { file };
  for (const image of catalog.images) {
    if (!updatable.has(image.index)) {
      const why = image.enabled ? 'no latest_url / latest_checksum_url' : 'disabled: enable is false';
      skipped.push({ ...where, image: image.name, line: image.line, why });
      continue;
    }
    const first = image.versions[0];
    if (first === undefined)
      throw fatal(
        FatalFailure.MalformedCatalog,
        `${source} line ${image.line}: image #${image.index} (${JSON.stringify(image.name)}): expected a version entry under versions; found none`,
      );
    images.push({
      ...where,
      name: image.name,
      line: image.line,
      latestUrl: image.latestUrl!,
      latestChecksumUrl: image.latestChecksumUrl!,
      current: {
        version: first.version,
        buildDate: first.buildDate,
        checksum: first.checksum,
        url: first.url,
      },
    });
  }
  return { images, skipped };
}
