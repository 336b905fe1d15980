/** What activities are built from: real clients in the worker, clients of local real parts in tests. */
import type { RegistryClient } from '../../clients/registry/index.js';
import type { Git } from '../../clients/git/index.js';
import type { Forge } from '../../clients/forge/index.js';
import type { TrustPolicyEntry } from '../tags/signatureActivities.js';
import type { NoticeSettings } from '../../clients/notify/index.js';
import type { PromotionPolicy } from '../../lib/kit/promotionPolicy.js';
import type { TagApprovalSettings } from '../tags/tagApprovalActivities.js';
import type { CatalogMirror } from '../../clients/s3MirrorSettings.js';

export interface ActivityDeps {
  registry: RegistryClient;
  git: Git;
  forge: Forge;
  /** commit identity (and DCO sign-off) of the bot */
  author: { name: string; email: string };
  /** which signatures the worker trusts, per image repository (from its config file); none: nothing is promoted */
  trust?: readonly TrustPolicyEntry[];
  /** where notices go (the config file's `notifications`); undefined: nowhere */
  notices?: NoticeSettings | undefined;
  /** the config file's promotion stamp and aliases: the tags only promote and rollback write; undefined: prod and its default stamps */
  promotion?: PromotionPolicy | undefined;
  /** the config file's `promotion.approval` rules and `cleanup.approveAbove`: the worker's say on a tag plan's approval; undefined (no config file): every plan waits for a human */
  tagApproval?: TagApprovalSettings | undefined;
  /** the config file's `catalog.mirror`, its credentials read from the variables it names; undefined: catalog images are not mirrored */
  catalogMirror?: CatalogMirror | undefined;
}
