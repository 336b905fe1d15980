/**
 * The bad-input suite's CLI cases (issue 20): every flag and argument of
 * every command, with values a person might type by mistake. Each case is
 * refused before anything reaches a server (exit 2; test/unit/badInputCli.test.ts
 * runs them offline, where exit 3 would mean the value got through), and
 * `says` checks that the message names the flag or argument, what was
 * expected and what was found. One file per command group.
 */
import { bumpCases } from './cliCasesBump.js';
import { scheduleCases, sweepCases } from './cliCasesSweep.js';
import { approveCases, rejectCases, retryCases } from './cliCasesGate.js';
import { listCases, statusCases } from './cliCasesStatus.js';
import { promoteCases } from './cliCasesPromote.js';
import { cleanupCases, rollbackCases, tagsCases } from './cliCasesTags.js';
import { retagCases } from './cliCasesRetag.js';
import { catalogCases, programCases } from './cliCasesCatalog.js';
import type { CliCase } from './cliCaseKit.js';

export type { CliCase } from './cliCaseKit.js';
export { SECRET } from './cliCaseKit.js';

export const cliCases: readonly CliCase[] = [
  ...bumpCases,
  ...sweepCases,
  ...scheduleCases,
  ...statusCases,
  ...listCases,
  ...approveCases,
  ...rejectCases,
  ...retryCases,
  ...promoteCases,
  ...rollbackCases,
  ...cleanupCases,
  ...tagsCases,
  ...retagCases,
  ...catalogCases,
  ...programCases,
];
