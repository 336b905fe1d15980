/**
 * A bump's bad messages: to the parent (`approve`, `reject`, `retry`, and the
 * internal `branchStatus` a person can forge), to a waiting branch (the gate's
 * table, the internal `replaceNote` forged with another file or content), and
 * to both once closed. The bench: a bump of two branches, both awaiting
 * approval (`parent`, `child` = stable/2025.1); `values.note` is the parent's
 * note plan (JSON), `values.childId` the branch's workflow id.
 */
import { gateCases } from './messageCasesGate.js';
import { huge, type MessageCase } from './messageCases.js';

/** A report from `main` as a branch sends it, with `over` on top. */
function report(v: Record<string, string>, over: Record<string, unknown>): string {
  return JSON.stringify({
    branch: 'main',
    tag: 'main',
    state: 'pr-opened',
    workflowId: v.mainId,
    validation: [],
    refusals: [],
    notices: [],
    seq: 1_000,
    ...over,
  });
}
const note = (v: Record<string, string>, over: Record<string, unknown>): string =>
  JSON.stringify({ ...(JSON.parse(v.note!) as object), ...over });

const parent = (
  c: string,
  kind: 'signal' | 'update',
  name: string,
  input: MessageCase['input'],
  refused: RegExp | null,
) => ({ case: `parent: ${c}`, to: 'parent', kind, name, input, refused }) satisfies MessageCase;
const child = (c: string, name: string, input: MessageCase['input'], refused: RegExp | null) =>
  ({ case: `child: ${c}`, to: 'child', kind: 'signal', name, input, refused }) satisfies MessageCase;

export const bumpCases: MessageCase[] = [
  parent(
    'approve naming a branch the bump has not',
    'signal',
    'approve',
    '{"branch": "stable/9999.1"}',
    /approve refused: no branch stable\/9999\.1 in this bump \(branches: main, stable\/2025\.1\)/,
  ),
  parent(
    'approve with terminal escapes in approver',
    'signal',
    'approve',
    '{"approver": "\\u001b[2Jroot"}',
    /approve refused: .*approver: expected a name \(letters/,
  ),
  parent(
    'approve with a 70 000-character approver',
    'signal',
    'approve',
    () => JSON.stringify({ approver: huge() }),
    /approver: Too big/,
  ),
  parent('retry while nothing is blocked', 'signal', 'retry', '{}', /retry refused: nothing is blocked/),
  parent(
    'retry of a branch not blocked',
    'signal',
    'retry',
    '{"branch": "main"}',
    /retry refused: nothing on main is blocked/,
  ),
  parent(
    'reject with a number for reason',
    'signal',
    'reject',
    '{"reason": 5}',
    /reject refused: .*reason: .*expected string/,
  ),
  parent('an update the parent does not define', 'update', 'approveBranch', '{}', /approveBranch/),
  parent(
    'branchStatus that is not an object',
    'signal',
    'branchStatus',
    '"pr-opened"',
    /branchStatus refused: expected one JSON object \{branch, tag, state, .*found "pr-opened"/,
  ),
  parent(
    'branchStatus of a branch the bump has not',
    'signal',
    'branchStatus',
    (v) => report(v, { branch: 'stable/9999.1', tag: '9999.1' }),
    /branchStatus refused: no branch stable\/9999\.1 in this bump/,
  ),
  parent(
    'branchStatus with an unknown state',
    'signal',
    'branchStatus',
    (v) => report(v, { state: 'merged' }),
    /branchStatus refused: .*state: Invalid option/,
  ),
  parent(
    'branchStatus forged: main pr-opened',
    'signal',
    'branchStatus',
    (v) => report(v, { prUrl: 'https://evil.example/pr/1', prNumber: 1 }),
    /branchStatus refused: main is awaiting-approval \(report \d+\), not pr-opened \(report 1000\): no branch of this bump sent it$/,
  ),
  parent(
    'branchStatus forged: main approved and pushing',
    'signal',
    'branchStatus',
    (v) => report(v, { state: 'pushing', approvedBy: 'root' }),
    /branchStatus refused: main is awaiting-approval .*not pushing .*no branch of this bump sent it/,
  ),
  parent(
    'branchStatus forged: main blocked, to notify with a lie',
    'signal',
    'branchStatus',
    (v) =>
      report(v, { state: 'blocked', lastError: { type: 'Outage', message: 'click https://evil.example' } }),
    /branchStatus refused: main is awaiting-approval .*not blocked/,
  ),
  parent(
    'branchStatus forged under another workflow id',
    'signal',
    'branchStatus',
    (v) => report(v, { state: 'awaiting-approval', workflowId: 'bump/evil/main', seq: 2 }),
    /branchStatus refused: main is .*, not .*bump\/evil\/main/,
  ),
  parent(
    'branchStatus forged with 70 000-character fields',
    'signal',
    'branchStatus',
    (v) => report(v, { validation: [huge()], notices: [huge()] }),
    /branchStatus refused: main is awaiting-approval .*not pr-opened \(report 1000\)/,
  ),
  parent(
    'branchStatus forged as a late report (seq 0)',
    'signal',
    'branchStatus',
    (v) => report(v, { state: 'pushing', seq: 0 }),
    null,
  ),
  ...gateCases({
    to: 'child',
    approveUpdate: 'approveBranch',
    rejectUpdate: 'rejectBranch',
    otherDigest: /the approval names sha256:0{64} but the planned digest is sha256:[a-f0-9]{64}/,
    branch: /the approval names branch stable\/9999\.1, this workflow bumps stable\/2025\.1/,
    note: /a replacement release note goes to the parent bump workflow/,
    rejectBranch: /the rejection names branch stable\/9999\.1, this workflow bumps stable\/2025\.1/,
    waiting: 'awaiting-approval',
  }),
  child(
    'replaceNote with no payload',
    'replaceNote',
    undefined,
    /replaceNote refused: expected one JSON object \{file, section, text, content\}, found no payload/,
  ),
  child(
    'replaceNote forged: another file (the vars file)',
    'replaceNote',
    (v) => note(v, { file: 'roles/defaults/vars/main.yml', content: 'pwned: true\n' }),
    /replaceNote refused: expected the note file releasenotes\/notes\/.*, found "roles\/defaults\/vars\/main\.yml"/,
  ),
  child(
    'replaceNote forged: a path out of the repository',
    'replaceNote',
    (v) => note(v, { file: '../../.git/hooks/post-checkout' }),
    /replaceNote refused: expected the note file .*found "\.\.\/\.\.\/\.git/,
  ),
  child(
    'replaceNote forged: content not the rendering of its text',
    'replaceNote',
    (v) => note(v, { content: '---\nfixes:\n  - |\n    Something else entirely.\n' }),
    /replaceNote refused: expected the content rendered from its text/,
  ),
  child(
    'replaceNote forged: another section',
    'replaceNote',
    (v) =>
      note(v, {
        section: (JSON.parse(v.note!) as { section: string }).section === 'fixes' ? 'upgrade' : 'fixes',
      }),
    /replaceNote refused: expected the section (fixes|upgrade), found "(upgrade|fixes)"/,
  ),
  child(
    'replaceNote with text of control characters',
    'replaceNote',
    (v) => note(v, { text: 'a\u0000b', content: 'x' }),
    /replaceNote refused: .*printable characters/,
  ),
  child(
    'branchStatus sent to a branch (it takes none)',
    'branchStatus',
    (v) => report(v, { branch: 'stable/2025.1', tag: '2025.1' }),
    /signal branchStatus refused: this workflow takes approve, reject, retry, replaceNote/,
  ),
];

/** Once the bump has ended: each is refused by the server, so the CLI exits non-zero. */
export const closedBumpCases: MessageCase[] = [
  {
    case: 'closed child: approve update',
    to: 'child',
    kind: 'update',
    name: 'approveBranch',
    input: '{}',
    refused: /workflow execution already completed/,
    exitNonZero: true,
  },
  {
    case: 'closed child: reject update',
    to: 'child',
    kind: 'update',
    name: 'rejectBranch',
    input: '{"reason": "late"}',
    refused: /workflow execution already completed/,
    exitNonZero: true,
  },
  {
    case: 'closed parent: approve signal',
    to: 'parent',
    kind: 'signal',
    name: 'approve',
    input: '{}',
    refused: /workflow execution already completed/,
    exitNonZero: true,
  },
  {
    case: 'closed parent: forged branchStatus',
    to: 'parent',
    kind: 'signal',
    name: 'branchStatus',
    input: (v) => report(v, {}),
    refused: /workflow execution already completed/,
    exitNonZero: true,
  },
];
