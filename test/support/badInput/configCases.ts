/**
 * The bad-input suite's config cases (issue 20): every key of the config file
 * (src/configSchema.ts, bumpflow.config.example.yaml) with values a person
 * might write by mistake, plus YAML that does not parse, duplicate keys and
 * keys that do not exist. test/unit/badInputConfig.test.ts loads each as the
 * CLI and the worker do and checks the typed ConfigError: the file, the key
 * path, the line, what was expected and what was found, no secret shown.
 */
import type { ConfigCase } from './configCaseKit.js';
import { approvalCases, credentialCases } from './configCasesCredentials.js';
import { fileCases, registryCases, targetCases } from './configCasesTargets.js';
import { signatureCases } from './configCasesSignatures.js';
import { notificationCases, promotionCases } from './configCasesPromotion.js';
import { catalogCases } from './configCasesCatalog.js';

export type { ConfigCase } from './configCaseKit.js';
export { PEM, SECRET } from './configCaseKit.js';

export const configCases: readonly ConfigCase[] = [
  ...fileCases,
  ...targetCases,
  ...registryCases,
  ...credentialCases,
  ...approvalCases,
  ...promotionCases,
  ...signatureCases,
  ...notificationCases,
  ...catalogCases,
];
