/** CLI cases: `approve`, `reject`, `retry` (what a person types at a procedure waiting for them). */
import { BUMP_ID, CATALOG_ID, DIGEST, PROMOTE_ID, RETAG_ID, type CliCase } from './cliCaseKit.js';

const PIN_ID = 'pin/vexxhost/atmosphere/stable/2025.1';

const ID =
  /bumpflow: <id>: expected a bumpflow workflow id as printed when it started \(bump\/…, .*\), found /;
export const id = (found: string, why: string) =>
  new RegExp(`${ID.source}${JSON.stringify(found).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(${why}\\)`);
const BRANCH =
  'expected a branch main or stable/<release>, or its tag \\(such as stable/2025.1 or 2025.1\\), found';
const NAME =
  'expected a name \\(not blank, no tab or control character or line break, at most 200 characters\\), found';

export const approveCases: CliCase[] = [
  { args: ['approve', ''], code: 2, says: id('', 'empty') },
  { args: ['approve', 'magnum'], code: 2, says: id('magnum', 'not one of these forms') },
  {
    args: ['approve', BUMP_ID, '--branch', ''],
    code: 2,
    says: new RegExp(`bumpflow: --branch: ${BRANCH} ""$`, 'm'),
  },
  {
    args: ['approve', BUMP_ID, '--branch', 'a b'],
    code: 2,
    says: new RegExp(`bumpflow: --branch: ${BRANCH} "a b"`),
  },
  {
    args: ['approve', BUMP_ID, '--branch', 'stable/ünïcode'],
    code: 2,
    says: new RegExp(`bumpflow: --branch: ${BRANCH} "stable/ünïcode"`),
  },
  {
    args: ['approve', BUMP_ID, '--branch', 'main,,stable/2025.1'],
    code: 2,
    says: new RegExp(`bumpflow: --branch: ${BRANCH} "" \\(in "main,,stable/2025\\.1"\\)`),
  },
  {
    args: ['approve', BUMP_ID, '--branch', 'main', '--digest', 'sha256:xyz'],
    code: 2,
    says: /bumpflow: --digest: expected a digest of the form sha256:<64 lowercase hex>, found "sha256:xyz"/,
  },
  {
    args: ['approve', BUMP_ID, '--branch', 'main', '--digest', `sha256:${'A'.repeat(64)}`],
    code: 2,
    says: /bumpflow: --digest: expected a digest of the form sha256:<64 lowercase hex>, found "sha256:A{64}"/,
  },
  {
    args: ['approve', BUMP_ID, '--branch', 'main', '--digest', `sha256:${'a'.repeat(63)}`],
    code: 2,
    says: /bumpflow: --digest: expected a digest of the form sha256:<64 lowercase hex>, found "sha256:a{63}"/,
  },
  {
    args: ['approve', BUMP_ID, '--branch', 'main', '--digest', `sha512:${'a'.repeat(128)}`],
    code: 2,
    says: /bumpflow: --digest: expected a digest .*, found "sha512:a{128}"/,
  },
  {
    args: ['approve', BUMP_ID, '--digest', DIGEST],
    code: 2,
    says: /bumpflow: --digest: expected exactly one --branch beside it .*, found 0/,
  },
  {
    args: ['approve', BUMP_ID, '--branch', 'main,stable/2025.1', '--digest', DIGEST],
    code: 2,
    says: /bumpflow: --digest: expected exactly one --branch beside it .*, found 2/,
  },
  {
    args: ['approve', BUMP_ID, '--approver', ''],
    code: 2,
    says: new RegExp(`bumpflow: --approver: ${NAME} "" \\(blank\\)`),
  },
  {
    args: ['approve', BUMP_ID, '--approver', 'o\tps'],
    code: 2,
    says: new RegExp(`bumpflow: --approver: ${NAME} "o\\\\tps" \\(a tab or control character\\)`),
  },
  {
    args: ['approve', BUMP_ID, '--approver', 'x'.repeat(201)],
    code: 2,
    says: new RegExp(`bumpflow: --approver: ${NAME} "x{201}" \\(201 characters\\)`),
  },
  {
    args: ['approve', BUMP_ID, '--note', 'Fixes\tthe flag.'],
    code: 2,
    says: /bumpflow: --note: expected release-note text .*, found/,
  },
  {
    args: ['approve', PROMOTE_ID, '--branch', 'main'],
    code: 2,
    says: /bumpflow: --branch: expected no --branch or --note for a tag procedure .*, found --branch \["main"\]/,
  },
  {
    args: ['approve', PROMOTE_ID, '--note', 'New text.'],
    code: 2,
    says: /bumpflow: --note: expected no --branch or --note for a tag procedure .*, found --note "New text\."/,
  },
  {
    args: ['approve', RETAG_ID, '--digest', DIGEST],
    code: 2,
    says: /bumpflow: --digest: expected no --branch or --note or --digest for a retag .*, found --digest "sha256:a{64}"/,
  },
  {
    args: ['approve', CATALOG_ID, '--branch', 'main'],
    code: 2,
    says: /bumpflow: --branch: expected no --branch or --note or --digest for a catalog update .*, found --branch \["main"\]/,
  },
  {
    args: ['approve', PIN_ID, '--digest', DIGEST],
    code: 2,
    says: /bumpflow: --digest: expected no --branch or --note or --digest for a pin run \(it has one branch, no release note and a digest per image\), found --digest/,
  },
];

export const rejectCases: CliCase[] = [
  { args: ['reject', BUMP_ID], code: 2, says: /error: required option '--reason <text>' not specified/ },
  {
    args: ['reject', BUMP_ID, '--reason', ''],
    code: 2,
    says: /bumpflow: --reason: expected a reason saying why \(not blank, .*\), found "" \(blank\)/,
  },
  {
    args: ['reject', BUMP_ID, '--reason', '\t '],
    code: 2,
    says: /bumpflow: --reason: expected a reason saying why .*, found "\\t " \(blank\)/,
  },
  {
    args: ['reject', BUMP_ID, '--reason', 'wait\u0007'],
    code: 2,
    says: /bumpflow: --reason: expected a reason saying why .*, found "wait\\u0007" \(a tab or control character\)/,
  },
  {
    args: ['reject', BUMP_ID, '--reason', 'x'.repeat(2001)],
    code: 2,
    says: /bumpflow: --reason: expected a reason saying why .*at most 2000 characters\), found "x{2001}" \(2001 characters\)/,
  },
  { args: ['reject', 'magnum', '--reason', 'no'], code: 2, says: id('magnum', 'not one of these forms') },
  {
    args: ['reject', BUMP_ID, '--reason', 'no', '--branch', 'main..x'],
    code: 2,
    says: new RegExp(`bumpflow: --branch: ${BRANCH} "main\\.\\.x"`),
  },
  {
    args: ['reject', BUMP_ID, '--reason', 'no', '--approver', ' '],
    code: 2,
    says: new RegExp(`bumpflow: --approver: ${NAME} " " \\(blank\\)`),
  },
  {
    args: ['reject', PROMOTE_ID, '--reason', 'no', '--branch', 'main'],
    code: 2,
    says: /bumpflow: --branch: expected no --branch for a tag procedure \(it has no branches\), found --branch \["main"\]/,
  },
  {
    args: ['reject', CATALOG_ID, '--reason', 'no', '--branch', 'main'],
    code: 2,
    says: /bumpflow: --branch: expected no --branch for a catalog update .*, found --branch \["main"\]/,
  },
  {
    args: ['reject', PIN_ID, '--reason', 'no', '--branch', 'main'],
    code: 2,
    says: /bumpflow: --branch: expected no --branch for a pin run \(it has one branch\), found --branch \["main"\]/,
  },
];

export const retryCases: CliCase[] = [
  { args: ['retry', ''], code: 2, says: id('', 'empty') },
  { args: ['retry', 'sweep'], code: 2, says: id('sweep', 'not one of these forms') },
  { args: ['retry', BUMP_ID, '--branch', ''], code: 2, says: new RegExp(`bumpflow: --branch: ${BRANCH} ""`) },
  {
    args: ['retry', BUMP_ID, '--branch', 'stable/'],
    code: 2,
    says: new RegExp(`bumpflow: --branch: ${BRANCH} "stable/"`),
  },
  {
    args: ['retry', BUMP_ID, '--branch', '-main'],
    code: 2,
    says: new RegExp(`bumpflow: --branch: ${BRANCH} "-main"`),
  },
  {
    args: ['retry', BUMP_ID, '--branch', 'refs/heads/main'],
    code: 2,
    says: new RegExp(`bumpflow: --branch: ${BRANCH} "refs/heads/main"`),
  },
  {
    args: ['retry', PROMOTE_ID, '--branch', 'main'],
    code: 2,
    says: /bumpflow: --branch: expected no --branch for a tag procedure \(it has no branches\), found --branch "main"/,
  },
  {
    args: ['retry', RETAG_ID, '--branch', 'main'],
    code: 2,
    says: /bumpflow: --branch: expected no --branch for a retag \(it has no branches\), found --branch "main"/,
  },
  {
    args: ['retry', PIN_ID, '--branch', 'main'],
    code: 2,
    says: /bumpflow: --branch: expected no --branch for a pin run \(it has one branch\), found --branch "main"/,
  },
];
