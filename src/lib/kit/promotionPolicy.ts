/**
 * The tags under promotion policy: `prod`, the tags of the config's
 * `promotion.aliases` (keys and the tags moved with them), their stamps (the
 * config's `promotion.stamp` template, and the default `<tag>-YYYYMMDD-<hex>`
 * form) and a rollback's audit tags (`<tag>-rollback-…`). Only promote and
 * rollback write them: they verify the signature and ask the approval the
 * README promises for them. Pure.
 */
import { parseStamp } from './stamp.js';

export interface PromotionPolicy {
  /** the stamp template a promotion creates: `{tag}-{date}-{revision:7}` */
  stamp: string;
  /** tag → the tags moved with it: `{prod: [latest]}` */
  aliases: Readonly<Record<string, readonly string[]>>;
}

export const DEFAULT_PROMOTION_POLICY: PromotionPolicy = { stamp: '{tag}-{date}-{revision:7}', aliases: {} };

/** The promoted tags themselves: `prod` and every tag the aliases name. */
export function promotedTags(policy: PromotionPolicy): string[] {
  const tags = new Set(['prod']);
  for (const [tag, aliases] of Object.entries(policy.aliases)) {
    tags.add(tag);
    for (const a of aliases) tags.add(a);
  }
  return [...tags].sort();
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The stamp template as a pattern over the promoted tags (`{tag}` any of them). */
function stampPattern(template: string, tags: readonly string[]): RegExp {
  const parts = template.split(/(\{[^{}]*\})/).map((part) => {
    if (part === '{tag}') return `(?:${tags.map(escape).join('|')})`;
    if (part === '{date}') return '\\d{8}';
    if (part === '{time}') return '\\d{6}';
    const width = /^\{revision(?::(\d+))?\}$/.exec(part);
    if (width) return `[a-f0-9]{${width[1] ?? '40'}}`;
    return escape(part);
  });
  return new RegExp(`^${parts.join('')}$`);
}

/**
 * Why `tag` is under promotion policy (a sentence naming what it is), or
 * undefined when a reviewed plan of another procedure may write it.
 */
export function promotionPolicyOf(tag: string, policy: PromotionPolicy): string | undefined {
  const tags = promotedTags(policy);
  if (tags.includes(tag)) return `${tag} is a promoted tag (prod and the config's promotion.aliases)`;
  if (stampPattern(policy.stamp, tags).test(tag))
    return `${tag} is a promotion stamp (the config's promotion.stamp ${policy.stamp})`;
  for (const t of tags) {
    if (parseStamp(tag, t) !== undefined) return `${tag} is a promotion stamp of ${t}`;
    if (tag.startsWith(`${t}-rollback-`)) return `${tag} is a rollback's audit tag of ${t}`;
  }
  return undefined;
}
