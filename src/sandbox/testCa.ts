/**
 * A local certificate authority made with the openssl CLI, standing in for
 * Fulcio in tests: a root CA, optionally an intermediate, and a short-lived
 * leaf certificate for a cosign public key carrying what Fulcio writes (SAN
 * URI or email = the identity, EKU code signing, the OIDC issuer in both
 * Fulcio extensions: 1.3.6.1.4.1.57264.1.1 raw, 1.3.6.1.4.1.57264.1.8
 * UTF8String). `cosign sign --certificate/--certificate-chain` attaches it.
 */
import { readFile, writeFile } from 'node:fs/promises';
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
function configValue(what: string, value: string): string {
  if (value === '' || /[\n\r,$"\\]/.test(value)) {
    throw new Error(
      `expected a ${what} without newlines, commas, $, quotes or backslashes, found ${JSON.stringify(value)}`,
    );
  }
  return value;
}

async function openssl(args: string[], cwd: string): Promise<void> {
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

function derOf(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}

export async function makeTestCa(dir: string, options: TestCaOptions): Promise<TestCa> {
  const identity = configValue('identity', options.identity);
  const issuer = configValue('issuer', options.issuer);
  const name = configValue('name', options.name ?? 'bumpflow test').replace(/[/=]/g, ' ');
  const withIntermediate = options.intermediate ?? true;
  const san = /^[^@:/\s]+@[^@\s]+$/.test(identity) ? `email:${identity}` : `URI:${identity}`;
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
      'basicConstraints = critical,CA:FALSE',
      'keyUsage = critical,digitalSignature',
      'extendedKeyUsage = codeSigning',
      `subjectAltName = ${san}`,
      'subjectKeyIdentifier = hash',
      'authorityKeyIdentifier = keyid',
      `1.3.6.1.4.1.57264.1.1 = DER:${Buffer.from(issuer).toString('hex')}`,
      `1.3.6.1.4.1.57264.1.8 = ASN1:UTF8String:${issuer}`,
      '',
    ].join('\n'),
  );
  await writeFile(path.join(dir, 'leaf-key.pub'), options.publicKeyPem);
  /** A new P-256 key `<file>.key` and a request for it (`<file>.csr`), or with `-x509` a self-signed `<file>.pem`. */
  const request = (file: string, subject: string, extra: string[]): Promise<void> =>
    openssl(
      [
        'req',
        '-config',
        'ca.cnf',
        ...extra,
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        `${file}.key`,
        '-out',
        extra.includes('-x509') ? `${file}.pem` : `${file}.csr`,
        '-subj',
        subject,
      ],
      dir,
    );
  /** `<file>.csr` signed by `<ca>` with the extension section `<file>`, as `<file>.pem`. */
  const issue = (
    file: string,
    ca: string,
    serial: number,
    days: number,
    extra: string[] = [],
  ): Promise<void> =>
    openssl(
      [
        'x509',
        '-req',
        '-in',
        `${file}.csr`,
        ...extra,
        '-CA',
        `${ca}.pem`,
        '-CAkey',
        `${ca}.key`,
        '-set_serial',
        String(serial),
        '-days',
        String(days),
        '-extfile',
        'ca.cnf',
        '-extensions',
        file,
        '-out',
        `${file}.pem`,
      ],
      dir,
    );

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
        validFor: { start: new Date().toISOString() },
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
