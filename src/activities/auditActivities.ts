/**
 * The audit entry of a tag change: a GitHub release on the image's source
 * repository (tag = the stamp or audit tag, target = the image's revision),
 * found or created, so a retry never makes a second one. Where no forge
 * applies (the source is not on GitHub, or no source label), the workflow's
 * result and memo are the record: this activity says so and does nothing.
 */
import { parseRepoUrl } from '../lib/repoUrl.js';
import type { ActivityDeps } from './deps.js';

export interface AuditInput {
  procedure: string;
  image: string;
  /** the image's org.opencontainers.image.source */
  sourceRepo?: string | undefined;
  /** the release's tag: the stamp (promote) or the audit tag (rollback) */
  tag: string;
  /** the commit the release points at: the image's revision */
  revision?: string | undefined;
  name: string;
  body: string;
}

export function auditActivities(deps: ActivityDeps) {
  return {
    async recordAudit(
      input: AuditInput,
    ): Promise<{ kind: 'release' | 'workflow'; url?: string; why?: string }> {
      if (input.sourceRepo === undefined || input.revision === undefined)
        return { kind: 'workflow', why: 'the image has no source or revision label' };
      let owner: string;
      let repo: string;
      try {
        const parsed = parseRepoUrl(input.sourceRepo);
        if (parsed.host !== 'github.com') return { kind: 'workflow', why: `${parsed.host} is not GitHub` };
        [owner, repo] = parsed.path.split('/') as [string, string];
      } catch {
        return {
          kind: 'workflow',
          why: `the source label ${JSON.stringify(input.sourceRepo)} is not a repository URL`,
        };
      }
      const release = await deps.forge.findOrCreateRelease({
        owner,
        repo,
        tag: input.tag,
        targetCommitish: input.revision,
        name: input.name,
        body: input.body,
      });
      return { kind: 'release', url: release.url };
    },
  };
}
