// The bundle entry (workflowsPath): every workflow the worker runs.
export { bumpImage } from './bumpImage.js';
export { bumpBranch } from './bumpBranch.js';
