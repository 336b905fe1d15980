/**
 * Workflow ids: one running procedure per thing it changes. Built from the
 * normalised identity of a repository (see src/lib/repoUrl.ts: `key`, e.g.
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
