/**
 * A retag's bad messages: the few gate cases that tell a retag run apart
 * (`retag`, waiting for approval), then — once approved and writing, its one
 * entry queued behind a queue no worker polls yet — the internal
 * `retagEntryDone` forged to mark that entry done or failed, and retag
 * entries typed to the repository's queue that no run planned (each queued,
 * then refused when its turn comes: `retagQueueForgeries`). `values.entryId`
 * is the entry the run asked for, `values.retagId` the run, `values.source`
 * the source digest it plans.
 */
import { gateCases } from './messageCasesGate.js';
import { huge, type MessageCase } from './messageCases.js';

export const retagGateCases: MessageCase[] = gateCases({
  to: 'retag',
  approveUpdate: 'approvePlan',
  rejectUpdate: 'rejectPlan',
  otherDigest: /a retag writes many digests: drop "digest" and approve the plan/,
  branch: /a retag has no branches: drop "branch"/,
  note: /a retag has no release note: drop "note"/,
  rejectBranch: /a retag has no branches: drop "branch"/,
  waiting: 'awaiting-approval',
  few: true,
});

/** A word from the entry, as retagImage sends it, with `over` on top. */
const word = (v: Record<string, string>, over: Record<string, unknown>) =>
  JSON.stringify({
    workflowId: v.entryId,
    index: 0,
    outcome: 'copied',
    digest: v.source,
    write: 'created',
    ...over,
  });
const done = (c: string, input: MessageCase['input'], refused: RegExp): MessageCase => ({
  case: `retag: retagEntryDone ${c}`,
  to: 'retag',
  kind: 'signal',
  name: 'retagEntryDone',
  input,
  refused,
});
const notWritten = (id = 'retag-image/[^ ]+') =>
  new RegExp(`^retagEntryDone refused: ${id} is no workflow: no entry of this retag said so$`);

export const entryDoneCases: MessageCase[] = [
  done(
    'with no payload',
    undefined,
    /^retagEntryDone refused: expected one JSON object \{workflowId, index, outcome, digest\?, write\?, error\?\}, found no payload$/,
  ),
  done(
    'for an entry the run never asked for',
    (v) => word(v, { workflowId: 'retag-image/forged/e0' }),
    /^retagEntryDone refused: retag-image\/forged\/e0 is not an entry this retag asked for$/,
  ),
  done('forged: the queued entry copied', (v) => word(v, {}), notWritten()),
  done(
    'forged: the queued entry unchanged (an earlier attempt wrote it)',
    (v) => word(v, { write: 'unchanged' }),
    notWritten(),
  ),
  done(
    'forged: the queued entry failed',
    (v) =>
      word(v, {
        outcome: 'failed',
        digest: undefined,
        write: undefined,
        error: { type: 'TagExists', message: 'no' },
      }),
    notWritten(),
  ),
  done('forged: the queued entry for another index', (v) => word(v, { index: 7 }), notWritten()),
  done(
    'with an unknown outcome',
    (v) => word(v, { outcome: 'deleted' }),
    /^retagEntryDone refused: .*outcome: Invalid option/,
  ),
  done(
    'with a digest that is not one',
    (v) => word(v, { digest: 'sha256:xyz' }),
    /^retagEntryDone refused: .*digest: expected a digest sha256:/,
  ),
  done('with a negative index', (v) => word(v, { index: -1 }), /^retagEntryDone refused: .*index: Too small/),
  done(
    'with a 70 000-character error',
    (v) => word(v, { outcome: 'failed', error: { type: 'X', message: huge() } }),
    /^retagEntryDone refused: .*error\.message: Too big/,
  ),
  done(
    'with an extra key',
    (v) => word(v, { approvedBy: 'root' }),
    /^retagEntryDone refused: .*unknown key "approvedBy"/,
  ),
  {
    case: 'retag: a signal it does not take (request)',
    to: 'retag',
    kind: 'signal',
    name: 'request',
    input: '{}',
    refused: /^signal request refused: this workflow takes approve, reject, retry, retagEntryDone$/,
  },
  {
    case: 'retag: approve while writing',
    to: 'retag',
    kind: 'update',
    name: 'approvePlan',
    input: '{"approver": "ops"}',
    refused: /approve refused|the retag is writing, not awaiting approval/,
  },
  {
    case: 'retag: reject while writing',
    to: 'retag',
    kind: 'update',
    name: 'rejectPlan',
    input: '{"reason": "stop"}',
    refused: /the retag is writing: too late to reject/,
  },
];

/**
 * Retag entries typed to the entry's queue while the run writes: well-formed,
 * so queued (behind the run's own entry), each refused UnapprovedWrite when
 * its turn comes, writing nothing; what the refusal must say.
 */
export function retagQueueForgeries(
  v: Record<string, string>,
  entry: { image: { registry: string; repository: string }; srcBuildTag: string; tag: string },
): { workflowId: string; why: RegExp; input: object }[] {
  const request = (over: Record<string, unknown>) => ({
    image: entry.image,
    entry: { index: 0, line: 4, name: `docker.io/${entry.image.repository}` },
    srcBuildTag: entry.srcBuildTag,
    tag: entry.tag,
    digest: v.source,
    notify: v.retagId,
    ...over,
  });
  // when their turn comes the run has asked for no such write, or has already ended (or is ending)
  const notAsked =
    /found (it asked for no write under .*typed-|the run completed, waiting for no write|its plan not approved \(it is done\))/;
  return [
    { workflowId: `${v.retagId}/typed-unasked`, why: notAsked, input: request({}) },
    {
      workflowId: `${v.retagId}/typed-index`,
      why: notAsked,
      input: request({ entry: { index: 5, line: 9, name: 'x' } }),
    },
    {
      workflowId: `${v.retagId}/typed-prod`,
      why: /:prod: .*only promote .* and rollback write it/,
      input: request({ tag: 'prod' }),
    },
    { workflowId: `${v.retagId}/typed-repush`, why: notAsked, input: request({ from: v.source }) },
  ];
}
