/**
 * A catalog update's bad messages: the gate's whole table (approveCatalog /
 * rejectCatalog), sent to an update waiting for approval (`catalog`).
 */
import { gateCases } from './messageCasesGate.js';
import type { MessageCase } from './messageCases.js';

export const catalogCases: MessageCase[] = gateCases({
  to: 'catalog',
  approveUpdate: 'approveCatalog',
  rejectUpdate: 'rejectCatalog',
  otherDigest: /a catalog update has no image digest: drop "digest"/,
  branch: /a catalog update has one branch: drop "branch"/,
  note: /a catalog update has no release note: drop "note"/,
  rejectBranch: /a catalog update has one branch: drop "branch"/,
  waiting: 'awaiting-approval',
});
