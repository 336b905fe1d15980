/**
 * The identity and issuer a keyless rule trusts, as cosign's flags match them:
 * `identity`/`issuer` exactly, `identityRegExp`/`issuerRegExp` unanchored.
 */
import { fatal, FatalFailure } from '../../shared/failures.js';
import { type KeylessTrustRule } from './types.js';

export function matcher(rule: KeylessTrustRule, field: 'identity' | 'issuer'): (value: string) => boolean {
  const exact = rule[field];
  if (exact !== undefined && exact !== '') return (value) => value === exact;
  const source = field === 'identity' ? rule.identityRegExp : rule.issuerRegExp;
  let problem = 'neither';
  if (source !== undefined && source !== '') {
    try {
      const re = new RegExp(source);
      return (value) => re.test(value);
    } catch (err) {
      problem = `${JSON.stringify(source)} (${err instanceof Error ? err.message : 'invalid'})`;
    }
  }
  throw fatal(
    FatalFailure.BadInput,
    `expected the trust rule ${JSON.stringify(rule.name)} to give a non-empty ${field} or a valid ${field}RegExp, found ${problem}`,
    { rule: rule.name },
  );
}

/** How a rule's expected signer reads in messages. */
export function expectedSigner(rule: { kind: 'key'; name: string } | KeylessTrustRule): string {
  if (rule.kind === 'key') return `key ${rule.name}`;
  const identity = rule.identity ?? `/${rule.identityRegExp}/`;
  const issuer = rule.issuer ?? `/${rule.issuerRegExp}/`;
  return `identity ${identity} from issuer ${issuer}`;
}
