/**
 * Sweeps: every digest pin of a target's vars file on every branch, resolved
 * once per distinct image:tag, decided pin by pin, grouped into the bumps to
 * start, and shown as a table. Pure: the caller resolves (registry client,
 * limitPerKey per registry host) and starts the bumps.
 *
 *   const pins = collectImageTags([{ branch, text }, …], { images, imagePrefixes });
 *   // pins.unpinned: the references in scope pinned by tag only (renderUnpinned)
 *   // resolve each pins.pairs[i] (one HEAD of <image>:<tag>) → answers[pair.id]
 *   // optionally: platformPinsToClassify(pins, answers) → set pinnedPlatforms
 *   const outcome = decideSweep(pins, answers);
 *   servicesBehind(pins, outcome); renderSweepTable(outcome, 'markdown');
 */
export {
  collectImageTags,
  pairId,
  type ImageTagPair,
  type SweepBranch,
  type SweepPin,
  type SweepPins,
  type UnpinnedRef,
} from './pins.js';
export {
  decideSweep,
  platformPinsToClassify,
  type Evidence,
  type PinVerdict,
  type SweepAnswer,
  type SweepFailure,
  type SweepOutcome,
  type TagResolution,
} from './decide.js';
export { servicesBehind, type ServiceBump } from './services.js';
export { renderSweepTable } from './render.js';
export { limitPerKey, type KeyedLimit } from '../kit/limit.js';
export { describeScope, imageScopeProblem, inScope, type ImageScope } from './scope.js';
export { renderUnpinned, unpinnedByBranch } from './unpinned.js';
