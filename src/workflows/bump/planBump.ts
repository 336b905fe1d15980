/**
 * Steps 1–4 of a bump: the branches (main and every stable/*, or the ones
 * asked, each checked), the service's current pin on main, its image's labels
 * (source repo, version), and one release note for every branch.
 */
import { uuid4 } from '@temporalio/workflow';
import type { ReleaseNotePlan } from '../../shared/bump.js';
import type { PinsOnBranch, ImageFacts } from '../../activities/index.js';
import { branchTag } from '../../lib/kit/branches.js';
import type { Reason } from '../../lib/bump/reason.js';
import { draftNoteText, noteFileName, renderNote } from '../../lib/bump/releaseNote.js';
import { pure, settleLanes, sideBySide, type Step } from '../kit/index.js';
import type { BumpContext } from './bumpContext.js';

export interface BumpPlan {
  branches: string[];
  main: PinsOnBranch;
  facts: ImageFacts;
  /** the service's short name, from the image repository */
  service: string;
  note: ReleaseNotePlan;
}

function noteSlug(reason: Reason | undefined): string {
  if (reason === undefined) return 'digest';
  switch (reason.kind) {
    case 'commit':
      return reason.sha.slice(0, 10);
    case 'pull-request':
      return `pr-${reason.number}`;
    case 'dependency':
    case 'release':
      return `${reason.name}-${reason.version}`;
  }
}

export async function planBump(ctx: BumpContext): Promise<BumpPlan> {
  const { input, acts, status, reason } = ctx;
  const listBranches = (step: Step = ctx.step) =>
    step(`list the branches of ${input.targetRepo}`, () =>
      acts.listBranches({ repoUrl: input.targetRepo, requested: input.branches }),
    );
  const readMain = async (step: Step = ctx.step) => {
    const pins = await step(`read the ${input.service} pins on main`, () =>
      acts.readPins({
        repoUrl: input.targetRepo,
        branch: 'main',
        varsFile: input.varsFile,
        service: input.service,
      }),
    );
    status.image = pins.image;
    ctx.report();
    return pins;
  };
  const inspectMain = (main: PinsOnBranch, step: Step = ctx.step) =>
    step(`read the labels of ${main.image}@${main.digest.slice(0, 19)}`, () =>
      acts.inspectImage({
        registry: main.registry,
        repository: main.repository,
        digest: main.digest,
        expectedVersion: main.tag,
      }),
    );
  const checkForge = (step: Step = ctx.step) =>
    step(`check that the forge lets bumpflow open pull requests on ${input.targetRepo}`, () =>
      acts.checkForge({ repoUrl: input.targetRepo }),
    );
  let branches: string[];
  let main: PinsOnBranch;
  let facts: ImageFacts;
  if (ctx.lean) {
    // independent reads side by side (git, registry, forge), all settled before a failure is acted on
    const mainLane = (step: Step) =>
      readMain(step).then(async (pins) => [pins, await inspectMain(pins, step)] as const);
    [{ branches }, [main, facts]] = ctx.lanes
      ? await settleLanes(ctx.step, [listBranches, mainLane, checkForge] as const)
      : await sideBySide(ctx.settle, [listBranches(), mainLane(ctx.step), checkForge()]);
  } else {
    ({ branches } = await listBranches());
    main = await readMain();
    facts = await inspectMain(main);
    await checkForge();
  }
  status.sourceRepo = facts.source;

  const service = main.repository.split('/').pop() ?? input.service;
  const section = reason === undefined ? 'upgrade' : 'fixes';
  const text = pure(() => draftNoteText({ service, image: main.image, reason, section }));
  const hex16 = uuid4().replace(/-/g, '').slice(0, 16);
  const note: ReleaseNotePlan = {
    file: pure(() => noteFileName(service, noteSlug(reason), hex16)),
    section,
    text,
    content: pure(() => renderNote(section, text)),
  };
  status.note = note;
  status.branches = branches.map((branch) => ({
    branch,
    tag: pure(() => branchTag(branch)),
    state: 'pending',
    validation: [],
    refusals: [],
    notices: [],
  }));
  return { branches, main, facts, service, note };
}
