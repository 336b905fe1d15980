/**
 * Workflow ids: one running procedure per thing it changes. Built from the
 * normalised identity of a repository (see src/lib/kit/repoUrl.ts: `key`, e.g.
 * `github.com/vexxhost/atmosphere`), never from the URL as typed. Pure.
 */

/** `github.com/vexxhost/atmosphere` → `vexxhost/atmosphere`; other hosts keep their name: `git.example.com/o/r`. */
function repoPart(repoKey: string): string {
  return repoKey.startsWith('github.com/') ? repoKey.slice('github.com/'.length) : repoKey;
}

/** `bump/vexxhost/atmosphere/magnum`: one bump per service and target repo at a time. */
export function bumpWorkflowId(repoKey: string, service: string): string {
  const name = (service.split('/').pop() ?? service).toLowerCase();
  return `bump/${repoPart(repoKey)}/${name}`;
}

/** A child's id: `<parentId>/<branch tag>`, e.g. `bump/vexxhost/atmosphere/magnum/2025.1`. */
export function branchWorkflowId(parentId: string, tag: string): string {
  return `${parentId}/${tag}`;
}

/** `image-repo/ghcr.io/vexxhost/magnum`: the one queue that mutates an image repository's tags. */
export function imageRepoWorkflowId(image: { registry: string; repository: string }): string {
  return `image-repo/${image.registry}/${image.repository}`;
}

/**
 * A tag procedure's id, unique per request: `promote/ghcr.io/vexxhost/magnum/20260301T142501Z-3f9a`.
 * The repository is part of it, so its queue can be found from the id alone.
 */
export function tagWorkflowId(
  procedure: string,
  image: { registry: string; repository: string },
  at: Date,
  suffix: string,
): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${procedure}/${image.registry}/${image.repository}/${stamp}-${suffix}`;
}

/** The queue of the repository a tag procedure's id names, or undefined for other ids. */
export function queueOfTagWorkflow(workflowId: string): string | undefined {
  const m = /^(?:promote|rollback|cleanup|retag-image)\/(.+)\/\d{8}T\d{6}Z-[a-z0-9]+$/.exec(workflowId);
  return m ? `image-repo/${m[1]}` : undefined;
}

/**
 * A retag from a manifest, one per manifest commit: `retag/<repo>/<path>@<commit12>`,
 * e.g. `retag/starlingx/root/build-tools/…/image-tags-trixie.yaml@292f29cb803f`.
 */
export function retagWorkflowId(repoKey: string, path: string, commit: string): string {
  return `retag/${repoPart(repoKey.replace(/^file:\/\/\//, ''))}/${path}@${commit.slice(0, 12)}`;
}

/** True for a retag from a manifest (retagWorkflowId, or a schedule's run of one); its entries are `retag-image/…`. */
export function isRetagWorkflowId(workflowId: string): boolean {
  return workflowId.startsWith('retag/');
}

/**
 * `pin/vexxhost/atmosphere/stable/2025.1`: one pin run (references pinned by
 * tag only given their digest) per branch of a target repo at a time.
 */
export function pinWorkflowId(repoKey: string, branch: string): string {
  return `pin/${repoPart(repoKey)}/${branch}`;
}

/** True for a pin run's id (pinWorkflowId). */
export function isPinWorkflowId(workflowId: string): boolean {
  return workflowId.startsWith('pin/');
}

/** The first segment of every workflow id bumpflow makes. */
const ID_KINDS = [
  'bump',
  'promote',
  'rollback',
  'cleanup',
  'retag',
  'retag-image',
  'catalog',
  'sweep',
  'pin',
  'image-repo',
];
const MAX_ID_LENGTH = 1000;

/**
 * Why `id` cannot be a workflow id bumpflow made (a person typed something
 * else: a service name, a blank, a control character), or undefined.
 */
export function workflowIdProblem(id: string): string | undefined {
  const found = (why: string) =>
    `expected a bumpflow workflow id as printed when it started (${ID_KINDS.map((k) => `${k}/…`).join(', ')}; such as bump/vexxhost/atmosphere/magnum), found ${JSON.stringify(id)} (${why})`;
  if (typeof id !== 'string' || id === '') return found('empty');
  if (id.length > MAX_ID_LENGTH) return found(`${id.length} characters, at most ${MAX_ID_LENGTH}`);
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f-\u009f]/.test(id)) return found('whitespace or a control character');
  const slash = id.indexOf('/');
  if (slash < 0 || !ID_KINDS.includes(id.slice(0, slash)) || slash === id.length - 1)
    return found('not one of these forms');
  if (id.split('/').some((part) => part === '..' || part === '.')) return found('a . or .. segment');
  return undefined;
}
