// The bundle entry (workflowsPath): every workflow the worker runs.
export { bumpImage } from './bump/bumpImage.js';
export { bumpBranch } from './bump/bumpBranch.js';
