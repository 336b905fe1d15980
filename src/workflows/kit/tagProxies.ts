/** The tag procedures' activities (promote, rollback, clean-up), bound like the bump's (see proxies.ts). */
import { binder } from './proxies.js';
import type { RetryPolicyInput } from '../../shared/bump.js';

const at = (i: { registry: string; repository: string }) => `${i.registry}/${i.repository}`;

export function tagActivitiesFor(retry: RetryPolicyInput) {
  const bind = binder(retry);
  return {
    inspectSource: bind(
      'inspectSource',
      'registry',
      (i) => `resolve ${at(i)}${i.from.startsWith('sha256:') ? '@' : ':'}${i.from}`,
    ),
    verifySignature: bind(
      'verifySignature',
      'registry',
      (i) => `verify the signature of ${at(i)}@${i.digest.slice(0, 19)}`,
    ),
    readTags: bind('readTags', 'registry', (i) => `read ${i.tags.join(', ')} of ${at(i)}`),
    listTagDigests: bind('listTagDigests', 'registry', (i) => `list the tags of ${at(i)}`),
    writeTag: bind(
      'writeTag',
      'registry',
      (i) => `${i.mode === 'create-only' ? 'create' : 'move'} ${at(i)}:${i.tag} → ${i.digest.slice(0, 19)}`,
    ),
    deleteTag: bind('deleteTag', 'registry', (i) => `delete ${at(i)}:${i.tag}`),
    recordAudit: bind(
      'recordAudit',
      'forge',
      (i) => `record the ${i.procedure} of ${i.image} as release ${i.tag}`,
    ),
  };
}
export type TagActivities = ReturnType<typeof tagActivitiesFor>;
