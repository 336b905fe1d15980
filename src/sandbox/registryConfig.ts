/**
 * The config.yml of a sandbox registry (distribution 2.8): filesystem
 * storage, deletes on or off, and at most one auth method — htpasswd basic
 * auth, or token auth (`auth.token`: realm, service, issuer and the bundle of
 * root certificates its tokens' x5c chains must lead to).
 */

export interface RegistryTokenAuth {
  /** where clients get tokens, e.g. `http://127.0.0.1:<port>/token` (the Bearer challenge's realm) */
  realm: string;
  /** the token's `aud` and the challenge's `service` */
  service: string;
  /** the token's `iss` */
  issuer: string;
  /** path of a PEM file of the certificates that token signing chains must end in */
  rootCertBundle: string;
}

export interface RegistryConfig {
  port: number;
  storage: string;
  secret: string;
  deletes: boolean;
  htpasswd?: string;
  token?: RegistryTokenAuth;
}

export function registryConfigYaml(o: RegistryConfig): string {
  if (o.htpasswd !== undefined && o.token !== undefined)
    throw new Error('expected one registry auth method (htpasswd or token), found both');
  // JSON strings are valid YAML double-quoted scalars.
  const q = (s: string): string => JSON.stringify(s);
  const lines = [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${q(o.storage)}`,
    '  delete:',
    `    enabled: ${o.deletes ? 'true' : 'false'}`,
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: ${q(`127.0.0.1:${o.port}`)}`,
    `  secret: ${q(o.secret)}`,
  ];
  if (o.htpasswd !== undefined)
    lines.push('auth:', '  htpasswd:', '    realm: "bumpflow-test-registry"', `    path: ${q(o.htpasswd)}`);
  if (o.token !== undefined) {
    lines.push(
      'auth:',
      '  token:',
      `    realm: ${q(o.token.realm)}`,
      `    service: ${q(o.token.service)}`,
      `    issuer: ${q(o.token.issuer)}`,
      `    rootcertbundle: ${q(o.token.rootCertBundle)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
