/**
 * Config cases: `signatures` rules (key, keyless identities, trusted roots,
 * transparency log and SCT requirements), including the files the worker
 * reads at its start (a missing key file, a private key, a trusted root that
 * is not one): the same ConfigError, with the key's line.
 */
import { keyless, keylessWith, PEM, SECRET, type ConfigCase } from './configCaseKit.js';

const keyRule = (...extra: string[]) =>
  ['signatures:', "  - images: 'ghcr.io/acme/*'", ...extra.map((l) => `    ${l}`), ''].join('\n');
const IMAGE_GLOB = 'expected an image glob such as ghcr\\.io/acme/\\* or ghcr\\.io/\\*\\* .*, found';

export const signatureCases: ConfigCase[] = [
  { yaml: 'signatures: {}\n', key: 'signatures', line: 1, says: /^expected a list, found \{\}/ },
  {
    yaml: keyRule().replace("'ghcr.io/acme/*'", "''") + '    key: k.pub\n    tlog: optional\n',
    key: 'signatures.0.images',
    line: 2,
    says: new RegExp(`^${IMAGE_GLOB} ""$`),
  },
  {
    yaml: keyRule('key: k.pub', 'tlog: optional').replace('ghcr.io/acme/*', 'GHCR.io/acme/*'),
    key: 'signatures.0.images',
    line: 2,
    says: new RegExp(`^${IMAGE_GLOB} "GHCR\\.io/acme/\\*"$`),
  },
  {
    yaml: keyRule('key: k.pub', 'tlog: optional').replace('ghcr.io/acme/*', 'ghcr.io/[acme'),
    key: 'signatures.0.images',
    line: 2,
    says: new RegExp(`^${IMAGE_GLOB} "ghcr\\.io/\\[acme", which matches nothing`),
  },
  {
    yaml: keyRule("key: ''", 'tlog: optional'),
    key: 'signatures.0.key',
    line: 3,
    says: /^expected a file path \(relative to the config file\), found ""/,
  },
  {
    yaml: keyRule('key: k.pub', 'tlog: maybe'),
    key: 'signatures.0.tlog',
    line: 4,
    says: /^expected one of required, optional, found "maybe"/,
  },
  {
    yaml: keyRule('key: k.pub'),
    key: 'signatures.0',
    line: 2,
    says: /^expected a key rule to name the transparency log .* or to say tlog: optional .*, found \{"images":"ghcr\.io\/acme\/\*","key":"k\.pub"\}/,
  },
  {
    yaml: keyRule(),
    key: 'signatures.0',
    line: 2,
    says: /^expected exactly one of key \(a cosign public key file\) or keyless, found \{"images":"ghcr\.io\/acme\/\*"\}/,
  },
  {
    yaml: keyRule('key: k.pub', 'tlog: optional', 'keyless: { trustedRoot: r.json, identity: i, issuer: s }'),
    key: 'signatures.0',
    line: 2,
    says: /^expected exactly one of key \(a cosign public key file\) or keyless, found /,
  },
  {
    yaml: keylessWith().replace('  - images', '  - tlog: optional\n    images'),
    key: 'signatures.0',
    line: 2,
    says: /^expected tlog and trustedRoot inside keyless for a keyless rule, found them beside it/,
  },
  {
    yaml: keyRule('key: k.pub', `password: ${SECRET}`),
    key: 'signatures.0.password',
    line: 4,
    says: /^expected the name of an environment variable that holds the secret .*, found a value written in the file/,
  },
  {
    yaml: keyless('issuer: https://token.actions.githubusercontent.com'),
    key: 'signatures.0.keyless',
    line: 3,
    says: /^expected exactly one of identity, identityRegExp, found /,
  },
  {
    yaml: keyless('identity: ci@example.com', 'identityRegExp: ".*"', 'issuer: https://dex.example.com'),
    key: 'signatures.0.keyless',
    line: 3,
    says: /^expected exactly one of identity, identityRegExp, found /,
  },
  {
    yaml: keyless('identity: ci@example.com'),
    key: 'signatures.0.keyless',
    line: 3,
    says: /^expected exactly one of issuer, issuerRegExp, found /,
  },
  {
    yaml: keyless("identityRegExp: '(['", 'issuer: https://dex.example.com'),
    key: 'signatures.0.keyless.identityRegExp',
    line: 5,
    says: /^expected a valid regular expression, found "\(\[" \(Unterminated character class\)/,
  },
  {
    yaml: keyless('identity: ci@example.com', "issuerRegExp: '*dex'"),
    key: 'signatures.0.keyless.issuerRegExp',
    line: 6,
    says: /^expected a valid regular expression, found "\*dex" \(Nothing to repeat\)/,
  },
  {
    yaml: keyless("identity: ''", 'issuer: https://dex.example.com'),
    key: 'signatures.0.keyless.identity',
    line: 5,
    says: /^expected a signer identity or issuer, found ""/,
  },
  {
    yaml: keyless('identity: ci@example.com', `issuer: https://dex:${SECRET}@dex.example.com`),
    key: 'signatures.0.keyless.issuer',
    line: 6,
    says: /^expected a signer identity or issuer without credentials in it, found "https:\/\/\*\*\*@dex\.example\.com"/,
  },
  {
    yaml: keylessWith('sct: nope'),
    key: 'signatures.0.keyless.sct',
    line: 7,
    says: /^expected one of required, optional, found "nope"/,
  },
  {
    yaml: keylessWith('tlog: never'),
    key: 'signatures.0.keyless.tlog',
    line: 7,
    says: /^expected one of required, optional, found "never"/,
  },
  {
    yaml: keylessWith('tlogKeys: rekor.pub'),
    key: 'signatures.0.keyless.tlogKeys',
    line: 7,
    says: /^expected a list, found "rekor\.pub"/,
  },
  {
    yaml: keylessWith("timestampAuthorities: ['']"),
    key: 'signatures.0.keyless.timestampAuthorities.0',
    line: 7,
    says: /^expected a file path \(relative to the config file\), found ""/,
  },
  {
    yaml: keylessWith('fulcio: https://fulcio.example.com'),
    key: 'signatures.0.keyless.fulcio',
    line: 7,
    says: /^expected one of the documented keys .*, found an unknown key "fulcio"/,
  },
  {
    yaml: keyless('identity: i', 'issuer: s').replace('trustedRoot: trusted_root.json', "trustedRoot: ''"),
    key: 'signatures.0.keyless.trustedRoot',
    line: 4,
    says: /^expected a file path \(relative to the config file\), found ""/,
  },
  // the files the worker reads when it starts
  {
    yaml: keyRule('key: gone.pub', 'tlog: optional'),
    key: 'signatures.0.key',
    line: 3,
    says: /^expected a readable file at \S+gone\.pub, found ENOENT/,
  },
  {
    yaml: keyRule('key: cosign.key', 'tlog: optional'),
    files: { 'cosign.key': PEM.private },
    key: 'signatures.0.key',
    line: 3,
    says: /^expected a PEM public key \(ECDSA, RSA or ed25519, as cosign\.pub\) at \S+cosign\.key, found a private key/,
  },
  {
    yaml: keyRule('key: k.pub', 'tlog: optional'),
    files: { 'k.pub': 'not a key\n' },
    key: 'signatures.0.key',
    line: 3,
    says: /^expected a PEM public key .* at \S+k\.pub, found /,
  },
  {
    yaml: keyRule('key: k.pub', 'trustedRoot: root.json'),
    files: { 'k.pub': PEM.public, 'root.json': '{"mediaType": 7}' },
    key: 'signatures.0.trustedRoot',
    line: 4,
    says: /^\S+root\.json: expected a sigstore trusted_root\.json.*, found /,
  },
  {
    yaml: keylessWith(),
    key: 'signatures.0.keyless.trustedRoot',
    line: 4,
    says: /^expected a readable file at \S+trusted_root\.json, found ENOENT/,
  },
  {
    yaml: keylessWith(),
    files: { 'trusted_root.json': 'certificates, not JSON' },
    key: 'signatures.0.keyless.trustedRoot',
    line: 4,
    says: /^\S+trusted_root\.json: expected .*, found /,
  },
];
