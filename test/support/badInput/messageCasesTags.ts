/**
 * The tag procedures' bad messages: the gate's whole table to a promotion
 * waiting for approval (`promote`), the few that tell rollback and clean-up
 * apart (`rollback`, `cleanup`), and the `request`s a person can type to the
 * repository's queue (`queue`, busy with that promotion). `values.promoteId`
 * is the promotion's id, `values.staging` the digest it plans.
 */
import { TAG_IMAGE } from '../../../src/sandbox/tagWorld.js';
import { gateCases } from './messageCasesGate.js';
import { huge, type MessageCase } from './messageCases.js';

const image = { ...TAG_IMAGE };
const gateFor = (procedure: 'promote' | 'rollback' | 'cleanup', few: boolean): MessageCase[] =>
  gateCases({
    to: procedure,
    approveUpdate: 'approvePlan',
    rejectUpdate: 'rejectPlan',
    otherDigest:
      procedure === 'cleanup'
        ? undefined
        : /the approval names sha256:0{64} but the planned digest is sha256:[a-f0-9]{64}/,
    branch: new RegExp(`a ${procedure} of image tags has no branches: drop "branch"`),
    note: new RegExp(`a ${procedure} of image tags has no release note: drop "note"`),
    rejectBranch: new RegExp(`a ${procedure} of image tags has no branches: drop "branch"`),
    waiting: 'awaiting-approval',
    few,
  });

export const promoteCases: MessageCase[] = [
  ...gateFor('promote', false),
  {
    case: 'promote: a signal it does not take (request)',
    to: 'promote',
    kind: 'signal',
    name: 'request',
    input: '{}',
    refused: /^signal request refused: this workflow takes approve, reject, retry$/,
  },
];
export const rollbackCases: MessageCase[] = gateFor('rollback', true);
export const cleanupCases: MessageCase[] = gateFor('cleanup', true);

/** A request to the queue, typed. */
const request = (c: string, input: MessageCase['input'], refused: RegExp, hidden?: string): MessageCase => ({
  case: `queue: ${c}`,
  to: 'queue',
  kind: 'signal',
  name: 'request',
  input,
  refused,
  hidden,
});
const promoteRequest = (over: Record<string, unknown>, input: Record<string, unknown> = {}) =>
  JSON.stringify({
    procedure: 'promote',
    workflowId: 'promote/ghcr.io/vexxhost/magnum/typed-1',
    input: { image, from: 'staging', to: ['prod'], stamp: null, ...input },
    ...over,
  });

export const queueCases: MessageCase[] = [
  request('no payload', undefined, /^request refused: expected a JSON object, found no payload$/),
  request('an array', '[{"procedure": "promote"}]', /^request refused: expected a JSON object, found \[/),
  request('no input', promoteRequest({ input: undefined }), /^request refused: .*input: .*expected object/),
  request(
    'an unknown procedure',
    promoteRequest({ procedure: 'delete-all' }),
    /^request refused: .*procedure: .*found \{"procedure":"delete-all"/,
  ),
  request(
    'another repository',
    promoteRequest({}, { image: { registry: 'ghcr.io', repository: 'vexxhost/heat' } }),
    /^request refused: promote\/ghcr\.io\/vexxhost\/magnum\/typed-1 is for ghcr\.io\/vexxhost\/heat, this queue serialises ghcr\.io\/vexxhost\/magnum$/,
  ),
  request(
    'a registry with a scheme and credentials',
    promoteRequest({}, { image: { registry: 'https://bot:hunter2@ghcr.io', repository: 'vexxhost/magnum' } }),
    /^request refused: .*input\.image\.registry: /,
    'hunter2',
  ),
  request(
    'a repository out of its namespace',
    promoteRequest({}, { image: { registry: 'ghcr.io', repository: '../../etc/passwd' } }),
    /^request refused: .*input\.image\.repository: /,
  ),
  request(
    'a source digest that is not one',
    promoteRequest({}, { from: 'sha256:XYZ' }),
    /^request refused: .*input\.from: /,
  ),
  request(
    'a target tag with a path in it',
    promoteRequest({}, { to: ['../prod'] }),
    /^request refused: .*input\.to\.0: expected a tag of/,
  ),
  request('no target tag', promoteRequest({}, { to: [] }), /^request refused: .*input\.to: Too small/),
  request(
    'a 70 000-character workflow id',
    promoteRequest({ workflowId: huge() }),
    /^request refused: .*workflowId: Too big/,
  ),
  request(
    'a token among the fields',
    promoteRequest({}, { token: ['ghp', 'FAKE0TOKEN'.repeat(4)].join('_') }),
    /^request refused: .*unknown key "token"/,
    'FAKE0TOKENFAKE0TOKEN',
  ),
  request(
    'a clean-up of no pattern',
    JSON.stringify({
      procedure: 'cleanup',
      workflowId: 'cleanup/typed-2',
      input: { image, patterns: [], olderThan: '24h' },
    }),
    /^request refused: .*input\.patterns: Too small/,
  ),
  request(
    'a clean-up younger than a second',
    JSON.stringify({
      procedure: 'cleanup',
      workflowId: 'cleanup/typed-3',
      input: { image, patterns: ['*'], olderThan: '0s' },
    }),
    /^request refused: .*input\.olderThan: /,
  ),
  request(
    'a rollback with approval switched off by a string',
    JSON.stringify({
      procedure: 'rollback',
      workflowId: 'rollback/typed-4',
      input: { image, approval: { required: 'no' } },
    }),
    /^request refused: .*input\.approval\.required: /,
  ),
  request(
    'a retag entry with a tag under promotion policy and no digest',
    JSON.stringify({
      procedure: 'retag',
      workflowId: 'retag-image/typed-5',
      input: {
        image,
        entry: { index: 0, line: 1, name: 'x' },
        srcBuildTag: 'staging',
        tag: 'prod',
        notify: 'retag/none',
      },
    }),
    /^request refused: .*input\.digest: /,
  ),
  request(
    "the running promotion's id again, for a rollback",
    (v) => JSON.stringify({ procedure: 'rollback', workflowId: v.promoteId, input: { image } }),
    /^request refused: .* was already requested \(promote\); one request per id$/,
  ),
  {
    case: 'queue: a signal it does not take (approve)',
    to: 'queue',
    kind: 'signal',
    name: 'approve',
    input: '{}',
    refused: /^signal approve refused: this workflow takes request$/,
  },
  {
    case: 'queue: an update (it takes none)',
    to: 'queue',
    kind: 'update',
    name: 'approvePlan',
    input: '{}',
    refused: /approvePlan/,
  },
];

/**
 * Retag entries typed to the queue behind the waiting promotion: well-formed,
 * so queued, each refused (UnapprovedWrite) when its turn comes, naming no
 * run that planned it. `values.promoteId` names a promotion, not a retag run.
 */
export function queuedForgeries(
  v: Record<string, string>,
): { workflowId: string; why: RegExp; input: object }[] {
  const entry = (tag: string, notify: string) => ({
    image,
    entry: { index: 0, line: 4, name: 'docker.io/vexxhost/magnum' },
    srcBuildTag: 'staging',
    tag,
    digest: v.staging,
    notify,
  });
  return [
    {
      workflowId: 'retag-image/typed-promote-run',
      why: /found a promoteImage workflow, not a retagManifest/,
      input: entry('stx.typed-1', v.promoteId!),
    },
    {
      workflowId: 'retag-image/typed-no-run',
      why: /found no such workflow/,
      input: entry('stx.typed-2', 'retag/no/such/run'),
    },
    {
      workflowId: 'retag-image/typed-prod',
      why: /found .*:prod: .*only promote .* and rollback write it/,
      input: entry('prod', 'retag/no/such/run'),
    },
  ];
}
