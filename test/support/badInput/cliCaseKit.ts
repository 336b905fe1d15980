/** What the CLI cases are made of: their shape, the values they start from, the duration message. */
export interface CliCase {
  args: string[];
  code: 2;
  /** the refusal: the flag or argument, what was expected and what was found */
  says: RegExp;
  /** a config file's text (passed as BUMPFLOW_CONFIG) */
  config?: string;
  /** the environment besides (BUMPFLOW_TARGET_REPO …) */
  env?: Record<string, string>;
}

/** The password every case with credentials types: it must never be shown back. */
export const SECRET = 'hunter2';

export const REPO = 'https://github.com/vexxhost/atmosphere';
export const IMAGE = 'ghcr.io/vexxhost/magnum';
export const BUMP_ID = 'bump/vexxhost/atmosphere/magnum';
export const PROMOTE_ID = 'promote/ghcr.io/vexxhost/magnum/20260301T142501Z-3f9a';
export const RETAG_ID = 'retag/starlingx/root/image-tags.yaml@292f29cb803f';
export const CATALOG_ID = 'catalog/osism/openstack-image-manager/etc/images/ubuntu.yml';
export const COMMIT = '0123456789abcdef0123456789abcdef01234567';
export const DIGEST = `sha256:${'a'.repeat(64)}`;

/** A config file with one target, for the cases that name it. */
export const CONFIG = 'targets:\n  atmosphere:\n    repo: https://github.com/vexxhost/atmosphere\n';

/** The duration message, for `flag` and the value found. */
export const duration = (flag: string, found: string, why: string): RegExp =>
  new RegExp(
    `bumpflow: ${flag}: expected .*a positive duration from \\S+ to \\S+ of numbers .*, found ${JSON.stringify(found).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(${why}`,
  );
