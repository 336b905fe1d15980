/**
 * Step 2: each image:tag's digest now, verified as a bump verifies a new
 * digest: the manifest fetched by its tag and hashed (resolveDigest: the
 * digest is the bytes', checked against the registry's Docker-Content-Digest),
 * its labels read (inspectImage: the version label must be the tag), and, for
 * a branch build (the tag `main`, or the branch's own tag: `2025.1` on
 * stable/2025.1), its revision compared with that branch's HEAD in the source
 * repo (else the tag is stale). One image at
 * a time; an image refused (the registry's or bumpflow's own verdict: no
 * such tag, a label missing or another version, a stale tag) is left alone
 * and says why, the others stand; any other failure fails the run.
 * An outage waits in `blocked` for `retry`.
 */
import { FatalFailure, RegistryFailure, VerdictFailure } from '../../shared/failures.js';
import type { PinRow } from '../../shared/pin.js';
import { branchTag, sourceBranchForVersion } from '../../lib/kit/branches.js';
import { errorInfo, isFatal, pure } from '../kit/index.js';
import type { PinContext } from './pinContext.js';

/** What one image's answer can be refused for (the others stand); any other failure fails the run. */
const REFUSED: readonly string[] = [
  ...Object.values(RegistryFailure),
  ...Object.values(VerdictFailure),
  FatalFailure.TooLarge,
  FatalFailure.MissingBranch,
];

/**
 * The source branch whose HEAD the image must be built from, as a bump checks it: for a branch
 * build (the tag `main`, or the pin run's own branch tag, `2025.1` on stable/2025.1) that
 * branch; for any other tag (a release such as `v1.0.0`, `edge`) none: its revision is shown, not compared.
 */
function sourceBranchOf(tag: string, branch: string): string | undefined {
  return tag === 'main' || tag === branchTag(branch) ? sourceBranchForVersion(tag) : undefined;
}

async function verify(ctx: PinContext, row: PinRow): Promise<void> {
  const image = { registry: row.registry, repository: row.repository };
  const digest = await ctx.step(`resolve ${row.id}`, () =>
    ctx.acts.resolveDigest({ ...image, tag: row.tag }),
  );
  const facts = await ctx.step(`read the labels of ${row.image}@${digest.slice(0, 19)}`, () =>
    ctx.acts.inspectImage({ ...image, digest, expectedVersion: row.tag }),
  );
  const checks = [
    `the manifest of ${row.id} hashes to its digest`,
    `org.opencontainers.image.version is ${facts.version}, the tag`,
  ];
  const branch = pure(() => sourceBranchOf(row.tag, ctx.input.branch));
  if (branch === undefined) {
    checks.push(
      `${row.tag} is not a branch build: revision ${facts.revision.slice(0, 12)} shown, not compared`,
    );
  } else {
    const head = await ctx.step(`HEAD of ${branch} in ${facts.source}`, () =>
      ctx.acts.sourceHead({ sourceRepo: facts.source, branch }),
    );
    if (head !== facts.revision) {
      row.state = 'refused';
      row.refusal = {
        type: FatalFailure.StaleTag,
        message: `expected the image's revision ${facts.revision.slice(0, 12)} to be the HEAD of ${branch} in ${facts.source}, found HEAD at ${head.slice(0, 12)}: the tag ${row.tag} is stale`,
      };
      return;
    }
    checks.push(`revision ${head.slice(0, 12)} is the HEAD of ${branch} in the source repo`);
  }
  row.state = 'verified';
  row.digest = digest;
  row.checks = checks;
}

export async function resolvePins(ctx: PinContext): Promise<PinRow[]> {
  ctx.enter('resolving');
  for (const row of ctx.status.rows) {
    try {
      await verify(ctx, row);
    } catch (err) {
      // an outage was retried and blocked in its step; a rejection while blocked ends the run
      if (!isFatal(err) || !REFUSED.includes(errorInfo(err).type)) throw err;
      row.state = 'refused';
      row.refusal = errorInfo(err);
    }
    ctx.report();
  }
  return ctx.status.rows.filter((r) => r.state === 'verified');
}
