/**
 * Writing and deleting tags, each verified after: create-only (idempotent
 * for the same digest, TagExists for another), move, and a delete that never
 * takes a digest another kept tag still uses (the registry deletes by digest,
 * which drops every tag on it), and, given the digest a plan saw, a delete
 * that keeps a tag re-pushed since (compare-then-delete). Check-then-write:
 * callers serialise mutations of one repository (one workflow per
 * repository), the registry has no conditional PUT or DELETE. Every read
 * a write decides on is on the endpoint written: the registry's first.
 */
import { isDigest } from '../../lib/kit/imageRef.js';
import { fatal, FatalFailure } from '../../shared/failures.js';
import { TAG_PATTERN } from '../../shared/tags.js';
import { deleteManifest, getManifest, probeManifest, putManifest } from './manifests.js';
import { type Repo } from './request.js';
import { indexSchema, INDEX_MEDIA_TYPES } from './schema.js';
import { listTags } from './tagList.js';
import { primary, type Session } from './transport.js';
import { type DeleteTagRequest, type DeleteTagResult, type TagWrite, type TagWriteResult } from './types.js';
import { mapLimit } from './util.js';

const RESOLVE_CONCURRENCY = 4;

function requireTag(tag: string): void {
  if (!TAG_PATTERN.test(tag)) {
    throw fatal(
      FatalFailure.BadInput,
      `expected a tag of [A-Za-z0-9_][A-Za-z0-9._-]{0,127}, found ${JSON.stringify(tag)}`,
    );
  }
}

function requireDigest(digest: string): void {
  if (!isDigest(digest)) {
    throw fatal(
      FatalFailure.BadInput,
      `expected a digest of the form sha256:<64 lowercase hex>, found ${JSON.stringify(digest)}`,
    );
  }
}

function repoOf(req: { registry: string; repository: string }): Repo {
  return { registry: req.registry, repository: req.repository };
}

/** Re-resolves the tag after a write: it must point at the digest now. */
async function verifyTag(s: Session, req: TagWrite): Promise<void> {
  const after = await probeManifest(s, repoOf(req), req.tag);
  if (after?.digest === req.digest) return;
  const shown = `${req.registry}/${req.repository}:${req.tag}`;
  if (after === undefined) {
    throw fatal(
      FatalFailure.PushRejected,
      `expected ${shown} to resolve to ${req.digest} after writing it, found no such tag`,
      {
        tag: req.tag,
        expected: req.digest,
      },
    );
  }
  throw fatal(
    FatalFailure.TagExists,
    `expected ${shown} to resolve to ${req.digest} after writing it, found ${after.digest} (another writer moved it)`,
    { tag: req.tag, expected: req.digest, found: after.digest },
  );
}

async function writeTag(client: Session, req: TagWrite, refuseOther: boolean): Promise<TagWriteResult> {
  const s = primary(client, req.registry);
  requireTag(req.tag);
  requireDigest(req.digest);
  const repo = repoOf(req);
  const manifest = await getManifest(s, { ...repo, digest: req.digest });
  const before = await probeManifest(s, repo, req.tag);
  if (before?.digest === req.digest)
    return { tag: req.tag, digest: req.digest, previousDigest: before.digest, outcome: 'unchanged' };
  if (before !== undefined && refuseOther) {
    throw fatal(
      FatalFailure.TagExists,
      `expected ${req.registry}/${req.repository}:${req.tag} to be absent or at ${req.digest} (create-only), found it at ${before.digest}`,
      { tag: req.tag, wanted: req.digest, found: before.digest },
    );
  }
  await putManifest(s, { ...repo, tag: req.tag }, manifest.mediaType, manifest.body);
  await verifyTag(s, req);
  return before === undefined
    ? { tag: req.tag, digest: req.digest, outcome: 'created' }
    : { tag: req.tag, digest: req.digest, previousDigest: before.digest, outcome: 'moved' };
}

export function tagCreateOnly(s: Session, req: TagWrite): Promise<TagWriteResult> {
  return writeTag(s, req, true);
}

export function moveTag(s: Session, req: TagWrite): Promise<TagWriteResult> {
  return writeTag(s, req, false);
}

/** Does this manifest (a kept tag's) list `digest` as a child? Only indexes can. */
async function listsChild(
  s: Session,
  repo: Repo,
  found: { digest: string; mediaType: string | undefined },
  digest: string,
): Promise<boolean> {
  if (found.mediaType !== undefined && !INDEX_MEDIA_TYPES.includes(found.mediaType)) return false;
  const manifest = await getManifest(s, { ...repo, digest: found.digest });
  if (!INDEX_MEDIA_TYPES.includes(manifest.mediaType)) return false;
  return indexSchema.parse(manifest.json).manifests.some((m) => m.digest === digest);
}

export async function deleteTagSafely(client: Session, req: DeleteTagRequest): Promise<DeleteTagResult> {
  const s = primary(client, req.registry);
  requireTag(req.tag);
  const repo = repoOf(req);
  const shown = `${req.registry}/${req.repository}:${req.tag}`;
  if (req.expectedDigest !== undefined) requireDigest(req.expectedDigest);
  const target = await probeManifest(s, repo, req.tag);
  if (target === undefined) return { tag: req.tag, outcome: 'already-gone', tagsRemoved: [] };
  if (req.expectedDigest !== undefined && target.digest !== req.expectedDigest)
    return {
      tag: req.tag,
      outcome: 'moved',
      expected: req.expectedDigest,
      found: target.digest,
      tagsRemoved: [],
    };
  const alsoDeleting = new Set(req.alsoDeleting ?? []);
  const planned = req.alsoDeletingDigests ?? {};
  // a tag also being deleted that holds another digest than planned was re-pushed: it is kept
  const isDeleting = (tag: string, digest: string) =>
    alsoDeleting.has(tag) && (planned[tag] === undefined || planned[tag] === digest);
  const others = (await listTags(s, repo)).filter((t) => t !== req.tag);
  const resolved = await mapLimit(others, RESOLVE_CONCURRENCY, async (tag) => ({
    tag,
    found: await probeManifest(s, repo, tag),
  }));
  const sameDigest = resolved.filter((r) => r.found?.digest === target.digest).map((r) => r.tag);
  const keptSharing = sameDigest.filter((t) => !isDeleting(t, target.digest));
  const keptOthers = resolved.filter(
    (r) => r.found !== undefined && r.found.digest !== target.digest && !isDeleting(r.tag, r.found.digest),
  );
  const byDigest = new Map<string, { digest: string; mediaType: string | undefined; tags: string[] }>();
  for (const r of keptOthers) {
    const entry = byDigest.get(r.found!.digest) ?? { ...r.found!, tags: [] };
    entry.tags.push(r.tag);
    byDigest.set(r.found!.digest, entry);
  }
  const parents = await mapLimit([...byDigest.values()], RESOLVE_CONCURRENCY, async (entry) =>
    (await listsChild(s, repo, entry, target.digest)) ? entry.tags : [],
  );
  const inIndexes = parents.flat();
  if (keptSharing.length > 0 || inIndexes.length > 0) {
    const parts = [
      ...(keptSharing.length ? [`tag(s) ${keptSharing.join(', ')} point at it`] : []),
      ...(inIndexes.length ? [`the index at tag(s) ${inIndexes.join(', ')} lists it`] : []),
    ];
    throw fatal(
      FatalFailure.DigestShared,
      `expected no tag that is kept to use ${target.digest} (the digest of ${shown}, which a delete removes), found ${parts.join('; ')}`,
      { tag: req.tag, digest: target.digest, sharedWith: keptSharing, listedBy: inIndexes },
    );
  }
  await deleteManifest(s, { ...repo, digest: target.digest }, true);
  const tagsRemoved = [req.tag, ...sameDigest];
  for (const tag of tagsRemoved) {
    const after = await probeManifest(s, repo, tag);
    if (after !== undefined) {
      throw fatal(
        FatalFailure.PushRejected,
        `expected ${req.registry}/${req.repository}:${tag} to be gone after deleting ${target.digest}, found it at ${after.digest}`,
        { tag, deleted: target.digest, found: after.digest },
      );
    }
  }
  return { tag: req.tag, digest: target.digest, outcome: 'deleted', tagsRemoved };
}
