/**
 * Workflows started by hand with bad input (`temporal workflow start --type
 * <type> --input <json>`), for every workflow type the worker runs: wrong
 * shapes, missing fields, bad digests and refs, paths out of the repository,
 * credentials where a URL goes, secret-looking keys. Each must end the
 * workflow with a typed BadInput failure that says what was expected and
 * found (`failure`), never echoing a credential (`hidden`), with nothing
 * started, read for the worker or written. `v.repoUrl` is a real git repo.
 */
export interface StartCase {
  case: string;
  type: string;
  /** the JSON typed, or none: no `--input` */
  input: ((v: Record<string, string>) => unknown) | undefined;
  failure: RegExp;
  hidden?: string | undefined;
}

/** A GitHub token's shape, made up here (never a real one): what a refused input must not echo. */
const TOKEN = ['ghp', 'FAKE0TOKEN'.repeat(4)].join('_');
const note = {
  file: 'releasenotes/notes/bump-magnum-digest-0123456789abcdef.yaml',
  section: 'upgrade',
  text: 'The Magnum image is bumped.',
  content: '---\nupgrade:\n  - |\n    The Magnum image is bumped.\n',
};
const branch = (v: Record<string, string>) => ({
  service: 'magnum',
  image: { registry: 'ghcr.io', repository: 'vexxhost/magnum' },
  targetRepo: v.repoUrl,
  varsFile: 'roles/defaults/vars/main.yml',
  branch: 'main',
  tag: 'main',
  sourceRepo: v.repoUrl,
  note,
  approvalTimeout: '1h',
  retry: { maximumAttempts: 1, initialInterval: '1s', maximumInterval: '1s' },
  branchCount: 1,
});
export const startCase = (
  type: string,
  name: string,
  input: StartCase['input'],
  failure: RegExp,
  hidden?: string,
): StartCase => ({ case: `${type}: ${name}`, type, input, failure, hidden });

export const startCases: StartCase[] = [
  startCase(
    'bumpImage',
    'no input',
    undefined,
    /^expected a bump request \{service, targetRepo, …\}; \(input\): Invalid input: expected object, received undefined$/,
  ),
  startCase(
    'bumpImage',
    'a string',
    () => 'magnum',
    /\(input\): Invalid input: expected object, received string/,
  ),
  startCase(
    'bumpImage',
    'no targetRepo',
    () => ({ service: 'magnum' }),
    /targetRepo: Invalid input: expected string, received undefined/,
  ),
  startCase(
    'bumpImage',
    'a token in the repo URL',
    () => ({ service: 'magnum', targetRepo: `https://bot:${TOKEN}@github.com/o/r` }),
    /expected a repository URL without credentials/,
    TOKEN,
  ),
  startCase(
    'bumpImage',
    'a token under its own key',
    (v) => ({ service: 'magnum', targetRepo: v.repoUrl, githubToken: TOKEN }),
    /Unrecognized key: "githubToken"/,
    TOKEN,
  ),
  startCase(
    'bumpImage',
    'a vars file out of the repository',
    (v) => ({ service: 'magnum', targetRepo: v.repoUrl, varsFile: '../../etc/passwd' }),
    /varsFile: /,
  ),
  startCase(
    'bumpImage',
    'an approval timeout of 0s',
    (v) => ({ service: 'magnum', targetRepo: v.repoUrl, approvalTimeout: '0s' }),
    /approvalTimeout: /,
  ),
  startCase(
    'bumpImage',
    'a branch that is a git option',
    (v) => ({
      service: 'magnum',
      targetRepo: v.repoUrl,
      branches: ['--upload-pack=touch /tmp/bumpflow-pwned'],
    }),
    /expected a valid branch name \(no leading '-'\), found "--upload-pack/,
  ),
  startCase(
    'bumpBranch',
    'an empty object',
    () => ({}),
    /^expected a branch of a bump \{service, image, branch, tag, note, …\}; service: /,
  ),
  startCase(
    'bumpBranch',
    'a note file out of releasenotes/',
    (v) => ({ ...branch(v), note: { ...note, file: '../../.github/workflows/pwn.yml' } }),
    /note: expected the note file releasenotes\/notes\/<slug>-<16 hex>\.yaml, found "\.\.\/\.\.\/\.github/,
  ),
  startCase(
    'bumpBranch',
    'a note whose content is not its text',
    (v) => ({ ...branch(v), note: { ...note, content: 'pwned: true\n' } }),
    /note: expected the content rendered from its text/,
  ),
  startCase(
    'bumpBranch',
    'no branches in its bump',
    (v) => ({ ...branch(v), branchCount: 0 }),
    /branchCount: Too small/,
  ),
  startCase(
    'retagManifest',
    'a path out of the repository',
    (v) => ({ repoUrl: v.repoUrl, path: '../../etc/passwd' }),
    /^expected a retag \{repoUrl, path, ref\?, dryRun\?, …\}; path: expected a relative path inside the repository/,
  ),
  startCase(
    'retagManifest',
    'a ref that is a git option',
    (v) => ({ repoUrl: v.repoUrl, path: 'x.yaml', ref: '--upload-pack=touch /tmp/bumpflow-pwned' }),
    /ref: expected a branch name .* or a commit sha, found "--upload-pack/,
  ),
  startCase(
    'retagManifest',
    'a remote helper URL',
    () => ({ repoUrl: 'ext::sh -c touch% /tmp/bumpflow-pwned', path: 'x.yaml' }),
    /expected a plain git URL/,
  ),
  startCase(
    'retagManifest',
    'a mirror with credentials',
    (v) => ({
      repoUrl: v.repoUrl,
      path: 'x.yaml',
      mirror: { 'docker.io/starlingx': 'bot:hunter2@ghcr.io/starlingx' },
    }),
    /mirror\./,
    'hunter2',
  ),
  startCase(
    'updateCatalog',
    'a path out of the repository',
    (v) => ({ repoUrl: v.repoUrl, path: '../../etc/passwd' }),
    /^expected a catalog update \{repoUrl, path, branch\?, keep\?, dryRun\?, …\}; path: expected a relative path inside the repository/,
  ),
  startCase(
    'updateCatalog',
    'a token in the repo URL',
    () => ({ repoUrl: `https://x-access-token:${TOKEN}@github.com/o/r`, path: 'etc/images/ubuntu.yml' }),
    /expected a repository URL without credentials/,
    TOKEN,
  ),
  startCase(
    'updateCatalog',
    'a branch that is a git option',
    (v) => ({
      repoUrl: v.repoUrl,
      path: 'etc/images/ubuntu.yml',
      branch: '--upload-pack=touch /tmp/bumpflow-pwned',
    }),
    /expected a valid branch name \(no leading '-'\), found "--upload-pack/,
  ),
  startCase(
    'updateCatalog',
    'keep 0 versions',
    (v) => ({ repoUrl: v.repoUrl, path: 'etc/images/ubuntu.yml', keep: 0 }),
    /keep: Too small/,
  ),
  startCase(
    'sweepPins',
    'a token in the repo URL',
    () => ({ targetRepo: `https://bot:${TOKEN}@github.com/o/r` }),
    /expected a repository URL without credentials/,
    TOKEN,
  ),
  startCase(
    'sweepPins',
    'a thousand reads at once',
    (v) => ({ targetRepo: v.repoUrl, concurrency: 1000 }),
    /^expected a sweep \{targetRepo, varsFile\?, branches\?, report\?, …\}; concurrency: Too big/,
  ),
  startCase(
    'sweepPins',
    'a branch that is a git option',
    (v) => ({ targetRepo: v.repoUrl, branches: ['--output=/tmp/bumpflow-pwned'] }),
    /branches\.0: expected a branch main or stable\/<release>/,
  ),
];
