// The bundle entry (workflowsPath): every workflow the worker runs.
export { bumpImage } from './bump/bumpImage.js';
export { bumpBranch } from './bump/bumpBranch.js';
export { imageRepository } from './tags/imageRepository.js';
export { promoteImage } from './tags/promoteImage.js';
export { rollbackImage } from './tags/rollbackImage.js';
export { cleanupTags } from './tags/cleanupTags.js';
export { inspectTags } from './tags/inspectTags.js';
export { retagManifest } from './retag/retagManifest.js';
export { retagImage } from './retag/retagImage.js';
export { updateCatalog } from './catalog/updateCatalog.js';
export { sweepPins } from './sweep/sweepPins.js';
export { pinDigests } from './pin/pinDigests.js';
