/** The forge client's public face: everything outside src/clients/forge/ imports from here. */
export {
  createForge,
  forgeOptionsFromEnvironment,
  parseRepoUrl,
  type Forge,
  type ForgeOptions,
  type GitHubAppOptions,
  type PullRequestAccess,
  type PullRequestDetails,
  type PullRequestRef,
} from './github.js';
