/**
 * A local certificate authority made with the openssl CLI, standing in for
 * Fulcio in tests: a root CA, optionally an intermediate, and a short-lived
 * leaf certificate for a cosign public key carrying what Fulcio writes (SAN
 * URI or email = the identity, EKU code signing, the OIDC issuer in both
 * Fulcio extensions: 1.3.6.1.4.1.57264.1.1 raw, 1.3.6.1.4.1.57264.1.8
 * UTF8String). `cosign sign --certificate/--certificate-chain` attaches it.
 * issueShortLivedLeaf issues more such leaves from the same CA, each for a new
 * key and with an exact validity window (to test expiry against a timestamp).
 */
import { randomBytes, X509Certificate } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';

const OPENSSL_TIMEOUT_MS = 30_000;

export interface TestCaOptions {
  /** the certificate's SAN: a URI (`https://…`), or an email address */
  identity: string;
  issuer: string;
  /** the cosign public key (cosign.pub) the leaf certifies */
  publicKeyPem: string;
  /** an intermediate between root and leaf (default true) */
  intermediate?: boolean;
  /** the CAs' common-name prefix, to tell two test CAs apart (default `bumpflow test`) */
  name?: string;
}

export interface TestCa {
  rootPath: string;
  rootPem: string;
  intermediatePem?: string;
  /** intermediate (if any) then root, PEM: cosign's `--certificate-chain` */
  chainPath: string;
  leafPath: string;
  leafPem: string;
  /** a sigstore trusted_root.json naming this CA (intermediate then root) */
  trustedRootJson: string;
}

/** Rejects what would break or be expanded in an openssl config value. */
export function configValue(what: string, value: string): string {
  if (value === '' || /[\n\r,$"\\]/.test(value)) {
    throw new Error(
      `expected a ${what} without newlines, commas, $, quotes or backslashes, found ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** Runs the openssl CLI in `cwd`, throwing with its stderr when it fails. */
export async function openssl(args: string[], cwd: string): Promise<void> {
  const result = await execa('openssl', args, {
    cwd,
    timeout: OPENSSL_TIMEOUT_MS,
    reject: false,
    stdin: 'ignore',
  });
  if (result.exitCode !== 0) {
    throw new Error(
      `expected openssl ${args[0]} to succeed, found exit ${result.exitCode}: ${String(result.stderr).trim()}`,
    );
  }
}

/** The base64 DER of a PEM certificate, as a trusted root's `rawBytes`. */
export function derOf(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}

/**
 * In `dir`, with the openssl config `config`: a new P-256 key `<file>.key` and
 * a request for it (`<file>.csr`), or with `-x509` a self-signed `<file>.pem`.
 */
export function requestCertificate(
  dir: string,
  config: string,
  file: string,
  subject: string,
  extra: string[],
): Promise<void> {
  const out = extra.includes('-x509') ? `${file}.pem` : `${file}.csr`;
  const key = `-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ${file}.key -out ${out}`;
  return openssl(['req', '-config', config, ...extra, ...key.split(' '), '-subj', subject], dir);
}

/** In `dir`: `<file>.csr` signed by `<ca>` with `config`'s extension section `<file>`, as `<file>.pem`. */
export function issueCertificate(
  dir: string,
  config: string,
  issued: { file: string; ca: string; serial: number; days: number },
  extra: string[] = [],
): Promise<void> {
  const { file, ca, serial, days } = issued;
  const by = `-CA ${ca}.pem -CAkey ${ca}.key -set_serial ${serial} -days ${days}`;
  const what = `-extfile ${config} -extensions ${file} -out ${file}.pem`;
  return openssl(['x509', '-req', '-in', `${file}.csr`, ...extra, ...`${by} ${what}`.split(' ')], dir);
}

/** The SAN for an identity: an email address, else a URI. */
function sanOf(identity: string): string {
  return /^[^@:/\s]+@[^@\s]+$/.test(identity) ? `email:${identity}` : `URI:${identity}`;
}

/** What Fulcio writes in a leaf, as an openssl extension section's lines. */
function fulcioLeafExtensions(identity: string, issuer: string): string[] {
  return [
    'basicConstraints = critical,CA:FALSE',
    'keyUsage = critical,digitalSignature',
    'extendedKeyUsage = codeSigning',
    `subjectAltName = ${sanOf(identity)}`,
    'subjectKeyIdentifier = hash',
    'authorityKeyIdentifier = keyid',
    `1.3.6.1.4.1.57264.1.1 = DER:${Buffer.from(issuer).toString('hex')}`,
    `1.3.6.1.4.1.57264.1.8 = ASN1:UTF8String:${issuer}`,
  ];
}

export async function makeTestCa(dir: string, options: TestCaOptions): Promise<TestCa> {
  const identity = configValue('identity', options.identity);
  const issuer = configValue('issuer', options.issuer);
  const name = configValue('name', options.name ?? 'bumpflow test').replace(/[/=]/g, ' ');
  const withIntermediate = options.intermediate ?? true;
  await writeFile(
    path.join(dir, 'ca.cnf'),
    [
      '[req]',
      'distinguished_name = dn',
      '[dn]',
      '[root]',
      'basicConstraints = critical,CA:TRUE',
      'keyUsage = critical,keyCertSign,cRLSign',
      'subjectKeyIdentifier = hash',
      '[intermediate]',
      'basicConstraints = critical,CA:TRUE,pathlen:0',
      'keyUsage = critical,keyCertSign,cRLSign',
      'subjectKeyIdentifier = hash',
      'authorityKeyIdentifier = keyid',
      '[leaf]',
      ...fulcioLeafExtensions(identity, issuer),
      '',
    ].join('\n'),
  );
  await writeFile(path.join(dir, 'leaf-key.pub'), options.publicKeyPem);
  const request = (file: string, subject: string, extra: string[]): Promise<void> =>
    requestCertificate(dir, 'ca.cnf', file, subject, extra);
  const issue = (file: string, ca: string, serial: number, days: number, extra: string[] = []) =>
    issueCertificate(dir, 'ca.cnf', { file, ca, serial, days }, extra);

  await request('root', `/O=${name}/CN=${name} root`, ['-x509', '-days', '7', '-extensions', 'root']);
  if (withIntermediate) {
    await request('intermediate', `/O=${name}/CN=${name} intermediate`, ['-new']);
    await issue('intermediate', 'root', 2, 7);
  }
  // openssl 3.0 cannot make a certificate without a request: a throwaway key's
  // request carries the subject, and -force_pubkey puts the cosign key in.
  await request('leaf', `/O=${name}`, ['-new']);
  await issue('leaf', withIntermediate ? 'intermediate' : 'root', 3, 1, ['-force_pubkey', 'leaf-key.pub']);

  const rootPem = await readFile(path.join(dir, 'root.pem'), 'utf8');
  const intermediatePem = withIntermediate
    ? await readFile(path.join(dir, 'intermediate.pem'), 'utf8')
    : undefined;
  const chainPath = path.join(dir, 'chain.pem');
  await writeFile(chainPath, `${intermediatePem ?? ''}${rootPem}`);
  const trustedRootJson = JSON.stringify({
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [],
    certificateAuthorities: [
      {
        subject: { organization: name, commonName: `${name} root` },
        uri: 'https://fulcio.invalid',
        certChain: {
          certificates: [intermediatePem, rootPem]
            .filter((p) => p !== undefined)
            .map((p) => ({ rawBytes: derOf(p) })),
        },
        // from the root's own notBefore (whole seconds, as RFC 3161 times are), not this instant's milliseconds
        validFor: { start: new Date(new X509Certificate(rootPem).validFrom).toISOString() },
      },
    ],
    ctlogs: [],
    timestampAuthorities: [],
  });
  return {
    rootPath: path.join(dir, 'root.pem'),
    rootPem,
    ...(intermediatePem !== undefined ? { intermediatePem } : {}),
    chainPath,
    leafPath: path.join(dir, 'leaf.pem'),
    leafPem: await readFile(path.join(dir, 'leaf.pem'), 'utf8'),
    trustedRootJson,
  };
}

export interface ShortLivedLeafOptions {
  /** the certificate's SAN: a URI (`https://…`), or an email address */
  identity: string;
  issuer: string;
  notBefore: Date;
  notAfter: Date;
}

export interface ShortLivedLeaf {
  /** the new key, PKCS#8 PEM, unencrypted, mode 0600 */
  keyPath: string;
  keyPem: string;
  leafPath: string;
  leafPem: string;
}

/** An openssl `ca` date: UTCTime (YYMMDDHHMMSSZ) for 1950–2049 as RFC 5280 asks, else GeneralizedTime. */
function caDate(date: Date): string {
  const full = date
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/[-:T]/g, '');
  const year = date.getUTCFullYear();
  return year >= 1950 && year < 2050 ? full.slice(2) : full;
}

/**
 * A Fulcio-like leaf for a new P-256 key, valid from `notBefore` to `notAfter`
 * (to the second), issued by `ca`'s intermediate (else its root) through
 * `openssl ca` with a minimal CA database in `dir` (one call at a time per
 * `dir`). It chains only from the CA certificates' own notBefore (their
 * making) onward, whatever `notBefore` says.
 */
export async function issueShortLivedLeaf(
  ca: TestCa,
  dir: string,
  options: ShortLivedLeafOptions,
): Promise<ShortLivedLeaf> {
  const identity = configValue('identity', options.identity);
  const issuer = configValue('issuer', options.issuer);
  if (!(options.notBefore.getTime() < options.notAfter.getTime())) {
    throw new Error('expected notBefore to be before notAfter');
  }
  const caDir = path.dirname(ca.rootPath);
  const signer = path.join(caDir, ca.intermediatePem !== undefined ? 'intermediate' : 'root');
  await mkdir(path.join(dir, 'newcerts'), { recursive: true });
  // made once, then kept; the first serial a random positive 64-bit one, so
  // that two databases for one CA hardly ever share serials
  const serial = randomBytes(8);
  serial[0] = (serial[0]! & 0x3f) | 0x10;
  const keep = (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  };
  await writeFile(path.join(dir, 'index.txt'), '', { flag: 'wx' }).catch(keep);
  await writeFile(path.join(dir, 'serial'), `${serial.toString('hex')}\n`, { flag: 'wx' }).catch(keep);
  const file = `short-leaf-${randomBytes(4).toString('hex')}`;
  await writeFile(
    path.join(dir, `${file}.cnf`),
    [
      '[ca]\ndefault_ca = short_lived\n[short_lived]\ndatabase = index.txt\nnew_certs_dir = newcerts',
      'serial = serial\ndefault_md = sha256\npolicy = any_subject\nunique_subject = no',
      'copy_extensions = none\nemail_in_dn = no',
      '[any_subject]\norganizationName = optional\ncommonName = optional',
      '[req]\ndistinguished_name = dn\n[dn]\n[leaf]',
      ...fulcioLeafExtensions(identity, issuer),
      '',
    ].join('\n'),
  );
  await requestCertificate(dir, `${file}.cnf`, file, '/O=bumpflow test', ['-new']);
  const keyPath = path.join(dir, `${file}.key`);
  await chmod(keyPath, 0o600);
  const window = `-startdate ${caDate(options.notBefore)} -enddate ${caDate(options.notAfter)}`;
  const signing = `-config ${file}.cnf -batch -notext -in ${file}.csr -out ${file}.pem -extensions leaf`;
  const signedBy = ['-cert', `${signer}.pem`, '-keyfile', `${signer}.key`];
  await openssl(['ca', ...`${signing} ${window}`.split(' '), ...signedBy], dir);
  const leafPath = path.join(dir, `${file}.pem`);
  return {
    keyPath,
    keyPem: await readFile(keyPath, 'utf8'),
    leafPath,
    leafPem: await readFile(leafPath, 'utf8'),
  };
}
