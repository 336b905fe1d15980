/**
 * The approval gate's bad messages (every procedure has one: a bump's branch,
 * promote, rollback, clean-up, the retag from a manifest, the catalog update)
 * and its `retry`: one table, made for a target by what that target answers
 * where the procedures differ (a `branch`, a `digest`, a `note`).
 */
import { CONTROL, huge, type MessageCase } from './messageCases.js';

const OTHER_DIGEST = `sha256:${'0'.repeat(64)}`;
const SHAPE = String.raw`expected one JSON object \{branch\?, digest\?, approver\?, note\?\}`;

export interface GateOptions {
  /** the target's name in the bench */
  to: string;
  /** the update names: approveBranch/rejectBranch, approvePlan/rejectPlan, approveCatalog/rejectCatalog */
  approveUpdate: string;
  rejectUpdate: string;
  /** what an approval naming another digest is told (none: a clean-up takes any, it deletes many) */
  otherDigest?: RegExp | undefined;
  /** what an approval naming a branch is told (a procedure has none; a branch bumps one other) */
  branch: RegExp;
  /** what a replacement note is told */
  note: RegExp;
  /** what a rejection naming a branch is told */
  rejectBranch: RegExp;
  /** its state while waiting for approval, as the retry refusal names it */
  waiting: string;
  /** all cases (default) or the few that tell this target apart from the others */
  few?: boolean;
}

/** The gate's cases for one waiting target: malformed, misplaced, forged and oversized payloads. */
export function gateCases(o: GateOptions): MessageCase[] {
  const signal = (c: string, name: string, input: string | undefined, refused: RegExp): MessageCase => ({
    case: `${o.to}: ${c}`,
    to: o.to,
    kind: 'signal',
    name,
    input,
    refused,
  });
  const update = (c: string, name: string, input: string | undefined, refused: RegExp): MessageCase => ({
    case: `${o.to}: ${c}`,
    to: o.to,
    kind: 'update',
    name,
    input,
    refused,
  });
  const digest = (make: () => MessageCase): MessageCase[] => (o.otherDigest === undefined ? [] : [make()]);
  const few: MessageCase[] = [
    ...digest(() =>
      signal('approve naming another digest', 'approve', `{"digest": "${OTHER_DIGEST}"}`, o.otherDigest!),
    ),
    signal('approve naming a branch', 'approve', '{"branch": "stable/9999.1"}', o.branch),
    signal('approve carrying a note', 'approve', '{"note": "Fixes everything."}', o.note),
    update(
      'approve update with an approver of control characters',
      o.approveUpdate,
      JSON.stringify({ approver: CONTROL }),
      /approve refused: .*approver: expected a name \(letters/,
    ),
    signal(
      'retry while not blocked',
      'retry',
      '{}',
      new RegExp(`retry refused: .* is ${o.waiting}, not blocked`),
    ),
  ];
  if (o.few) return few;
  return [
    ...few,
    signal(
      'approve with no payload',
      'approve',
      undefined,
      new RegExp(`approve refused: ${SHAPE}, found no payload`),
    ),
    signal('approve with null', 'approve', 'null', new RegExp(`approve refused: ${SHAPE}, found null`)),
    signal('approve with an array', 'approve', '[{"approver": "ops"}]', /found \[\{"approver":"ops"\}\]$/),
    signal('approve with a number for approver', 'approve', '{"approver": 7}', /approver: .*expected string/),
    signal(
      'approve with a 70 000-character approver',
      'approve',
      JSON.stringify({ approver: huge() }),
      /approver: Too big: expected string to have <=200 characters; found \{"approver":"x{80,}…$/,
    ),
    signal(
      'approve with terminal escapes in approver',
      'approve',
      JSON.stringify({ approver: CONTROL }),
      /approver: expected a name \(letters/,
    ),
    signal(
      'approve by an approver posing as the policy',
      'approve',
      '{"approver": "policy (branch pattern * needs no approval)"}',
      /approver: expected a name \(letters.*found \{"approver":"policy \(/,
    ),
    signal(
      'approve with a short digest',
      'approve',
      '{"digest": "sha256:abc"}',
      /digest: expected a digest sha256:/,
    ),
    signal(
      'approve with a differently cased key',
      'approve',
      '{"Approver": "ops"}',
      /unknown key "Approver"/,
    ),
    signal(
      'approve with a __proto__ key',
      'approve',
      '{"__proto__": {"approved": true}}',
      /unknown key "__proto__"/,
    ),
    signal(
      'approve with a 70 000-character note',
      'approve',
      JSON.stringify({ note: huge(70_000, 'word ') }),
      /note: Too big: expected string to have <=10000 characters/,
    ),
    signal('reject with no reason', 'reject', '{}', /reject refused: .*reason: .*expected string/),
    signal(
      'reject with a blank reason',
      'reject',
      '{"reason": "   "}',
      /reject refused: .*reason: Too small/,
    ),
    signal(
      'reject with a 70 000-character reason',
      'reject',
      JSON.stringify({ reason: huge() }),
      /reason: Too big: expected string to have <=2000 characters/,
    ),
    signal('reject naming a branch', 'reject', '{"reason": "no", "branch": "stable/9999.1"}', o.rejectBranch),
    signal(
      'reject with control characters in the reason',
      'reject',
      JSON.stringify({ reason: `bad\u001b]8;;http://evil\u0007link` }),
      /reason: expected text of printable characters/,
    ),
    signal(
      'retry naming a branch of 1',
      'retry',
      '{"branch": 1}',
      /retry refused: expected one JSON object \{branch\?\}; branch:/,
    ),
    signal(
      'retry with a string',
      'retry',
      '"now"',
      /retry refused: expected one JSON object \{branch\?\}, found "now"/,
    ),
    update(
      'approve update with no payload',
      o.approveUpdate,
      undefined,
      new RegExp(`approve refused: ${SHAPE}, found no payload`),
    ),
    ...digest(() =>
      update(
        'approve update naming another digest',
        o.approveUpdate,
        `{"digest": "${OTHER_DIGEST}"}`,
        o.otherDigest!,
      ),
    ),
    update('approve update carrying a note', o.approveUpdate, '{"note": "Fixes it."}', o.note),
    update(
      'approve update with a 70 000-character approver',
      o.approveUpdate,
      JSON.stringify({ approver: huge() }),
      /approver: Too big/,
    ),
    update('reject update with no reason', o.rejectUpdate, '{"approver": "ops"}', /reject refused: .*reason/),
    update(
      'reject update with a number',
      o.rejectUpdate,
      '5',
      /reject refused: expected one JSON object \{branch\?, reason, approver\?\}, found 5/,
    ),
    update('an update no workflow defines', 'approveEverything', '{}', /approveEverything/),
  ];
}
