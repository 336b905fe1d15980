/**
 * The audit entry of a tag change: a GitHub release on the image's source
 * repository (tag = the stamp or audit tag, target = the image's revision),
 * found or created, so a retry never makes a second one. Where no forge
 * applies (the source is not on GitHub, or no source label), the workflow's
 * result and memo are the record: this activity says so and does nothing.
 * `checkAuditForge`, before any tag is written: where the audit will be a
 * release, the forge answers and the token may create releases there.
 */
import { BumpflowError, fatal, isFatalFailureType } from '../../shared/failures.js';
import { parseRepoUrl } from '../../lib/kit/repoUrl.js';
import type { ActivityDeps } from '../kit/deps.js';

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

type AuditTarget = { kind: 'release'; owner: string; repo: string } | { kind: 'workflow'; why: string };

/** Where the audit of an image with these labels goes: a release on its GitHub repository, or the workflow. */
function auditTarget(input: { sourceRepo?: string | undefined; revision?: string | undefined }): AuditTarget {
  if (input.sourceRepo === undefined || input.revision === undefined)
    return { kind: 'workflow', why: 'the image has no source or revision label' };
  try {
    const parsed = parseRepoUrl(input.sourceRepo);
    if (parsed.host !== 'github.com') return { kind: 'workflow', why: `${parsed.host} is not GitHub` };
    const [owner, repo] = parsed.path.split('/') as [string, string];
    return { kind: 'release', owner, repo };
  } catch {
    return {
      kind: 'workflow',
      why: `the source label ${JSON.stringify(input.sourceRepo)} is not a repository URL`,
    };
  }
}

export function auditActivities(deps: ActivityDeps) {
  return {
    async recordAudit(
      input: AuditInput,
    ): Promise<{ kind: 'release' | 'workflow'; url?: string; why?: string }> {
      const target = auditTarget(input);
      if (target.kind === 'workflow') return target;
      const release = await deps.forge.findOrCreateRelease({
        owner: target.owner,
        repo: target.repo,
        tag: input.tag,
        targetCommitish: input.revision!,
        name: input.name,
        body: input.body,
      });
      return { kind: 'release', url: release.url };
    },

    /**
     * Before any tag is written: where the audit will be a release, the forge
     * answers, knows the source repository and the token may push there (a
     * release makes a tag: Contents, write). The forge's typed failures, their
     * message saying what was being checked; `workflow` where no release applies.
     */
    async checkAuditForge(input: {
      sourceRepo?: string | undefined;
      revision?: string | undefined;
    }): Promise<{ kind: 'release' | 'workflow'; fullName?: string; why?: string }> {
      const target = auditTarget(input);
      if (target.kind === 'workflow') return target;
      try {
        const access = await deps.forge.checkPullRequestAccess({ owner: target.owner, repo: target.repo });
        return { kind: 'release', fullName: access.fullName };
      } catch (err) {
        if (!(err instanceof BumpflowError) || !isFatalFailureType(err.type)) throw err;
        throw fatal(
          err.type,
          `the audit release on ${target.owner}/${target.repo} cannot be recorded, so no tag is written yet: ${err.message}`,
          err.details,
        );
      }
    },
  };
}
