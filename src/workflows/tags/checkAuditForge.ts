/**
 * Before a promotion's or a rollback's approval, so before any tag is written:
 * where the audit will be a release on the image's GitHub repository, the
 * forge answers and the token may make it (checkAuditForge). A missing or
 * refused token, an unknown repository, a wrong GITHUB_API_URL or an outage
 * blocks here, showing the step and the forge's error, within seconds (few
 * attempts: nothing is at stake yet); `retry` checks again once fixed, a
 * rejection ends the procedure with nothing written. Where no release applies
 * (no GitHub source) it passes: the audit goes to the workflow's memo.
 */
import { FatalFailure } from '../../shared/failures.js';
import type { RetryPolicyInput } from '../../shared/bump.js';
import type { SourceImage } from '../../shared/tags.js';
import { binder } from '../kit/index.js';
import type { TagContext } from './tagContext.js';

/** The name of the step (blocked there: nothing written yet). */
export const FORGE_CHECK_STEP = 'check that the audit release can be recorded on';

const BLOCK_ON = [FatalFailure.AuthRefused, FatalFailure.RepoNotFound, FatalFailure.ForgeMisconfigured];

export async function checkAuditForge(
  ctx: TagContext,
  retry: RetryPolicyInput,
  source: SourceImage,
): Promise<void> {
  const check = binder({ ...retry, maximumAttempts: Math.min(retry.maximumAttempts, 3) })(
    'checkAuditForge',
    'forge',
    (i) => `check that the audit release can be recorded on ${i.sourceRepo ?? 'the source'}`,
  );
  await ctx.step(
    `${FORGE_CHECK_STEP} ${source.source ?? 'the source'}`,
    () => check({ sourceRepo: source.source, revision: source.revision }),
    { blockOn: BLOCK_ON },
  );
}
