/**
 * A real RFC 3161 timestamp authority on loopback, for tests: OpenSSL's own
 * TSA (`openssl ts -reply`) behind node:http. It makes with the openssl CLI a
 * root CA and a TSA signing certificate issued by it (both P-256, valid from
 * their making for a week; the signing certificate with the critical
 * timeStamping EKU `openssl ts` asks for), and answers `POST` (any path) of an
 * `application/timestamp-query` with the `application/timestamp-reply`
 * openssl makes: a TimeStampResp, status and token, or for a malformed query
 * openssl's rejection (status 2, no token) as RFC 3161 has it; HTTP 400 with a
 * short text only when openssl makes no reply at all. Queries are answered one at a time (openssl keeps
 * the serial in a file). `trustedRootEntry` is this TSA as an element of a
 * sigstore trusted_root.json's `timestampAuthorities`.
 */
import { randomInt, X509Certificate } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { listenOnLoopback } from './loopback.js';
import { configValue, derOf, issueCertificate, openssl, requestCertificate } from './testCa.js';

/** A timestamp query is a hash and a few fields: far below this. */
const MAX_QUERY_BYTES = 64 * 1024;
const CONFIG = 'tsa.cnf';
const WORK_DIR = 'tsa_requests';

export interface TimestampAuthorityOptions {
  /** the certificates' organization and common-name prefix (default `bumpflow test tsa`) */
  name?: string;
}

/** One element of a sigstore trusted_root.json's `timestampAuthorities`. */
export interface TimestampAuthorityEntry {
  subject: { organization: string; commonName: string };
  uri: string;
  /** the signing certificate first, the root last; base64 DER */
  certChain: { certificates: { rawBytes: string }[] };
  /** from the signing certificate's notBefore */
  validFor: { start: string };
}

export interface RunningTsa {
  /** `http://127.0.0.1:<port>/` */
  url: string;
  /** the signing certificate then the root, PEM */
  chainPem: string;
  /** the TSA signing certificate, PEM */
  certPem: string;
  rootPem: string;
  trustedRootEntry: TimestampAuthorityEntry;
  /** the HTTP requests received so far, answered or refused */
  readonly requests: number;
  /** stops listening, ends open connections and waits for the query being answered */
  close(): Promise<void>;
}

interface Answer {
  status: number;
  contentType: string;
  body: Buffer;
}

const text = (status: number, message: string): Answer => ({
  status,
  contentType: 'text/plain; charset=utf-8',
  body: Buffer.from(`${message}\n`),
});

/** The certificates' extensions and the `openssl ts` configuration, all paths relative to the TSA's dir. */
function configText(): string {
  return [
    '[req]',
    'distinguished_name = dn',
    '[dn]',
    '[tsa_root]',
    'basicConstraints = critical,CA:TRUE',
    'keyUsage = critical,keyCertSign,cRLSign',
    'subjectKeyIdentifier = hash',
    '[tsa_signer]',
    'basicConstraints = critical,CA:FALSE',
    'keyUsage = critical,digitalSignature',
    'extendedKeyUsage = critical,timeStamping',
    'subjectKeyIdentifier = hash',
    'authorityKeyIdentifier = keyid',
    '[tsa]',
    'default_tsa = tsa_config',
    '[tsa_config]',
    'serial = tsa_serial',
    'signer_cert = tsa_signer.pem',
    'certs = tsa_chain.pem',
    'signer_key = tsa_signer.key',
    'signer_digest = sha256',
    'default_policy = 1.3.6.1.4.1.57264.99.1',
    'other_policies = 1.3.6.1.4.1.57264.99.2',
    'digests = sha256, sha384, sha512',
    'accuracy = secs:1, millisecs:0, microsecs:0',
    'clock_precision_digits = 0',
    'ordering = yes',
    'tsa_name = yes',
    'ess_cert_id_chain = no',
    'ess_cert_id_alg = sha256',
    '',
  ].join('\n');
}

export async function startTimestampAuthority(
  dir: string,
  options: TimestampAuthorityOptions = {},
): Promise<RunningTsa> {
  const name = configValue('name', options.name ?? 'bumpflow test tsa').replace(/[/=]/g, ' ');
  await mkdir(path.join(dir, WORK_DIR), { recursive: true });
  await writeFile(path.join(dir, CONFIG), configText());
  await writeFile(path.join(dir, 'tsa_serial'), '01\n');
  const rootSubject = `/O=${name}/CN=${name} root`;
  await requestCertificate(dir, CONFIG, 'tsa_root', rootSubject, [
    '-x509',
    '-days',
    '7',
    '-extensions',
    'tsa_root',
  ]);
  await requestCertificate(dir, CONFIG, 'tsa_signer', `/O=${name}/CN=${name}`, ['-new']);
  const serial = randomInt(2, 2 ** 31);
  await issueCertificate(dir, CONFIG, { file: 'tsa_signer', ca: 'tsa_root', serial, days: 7 });
  const certPem = await readFile(path.join(dir, 'tsa_signer.pem'), 'utf8');
  const rootPem = await readFile(path.join(dir, 'tsa_root.pem'), 'utf8');
  const chainPem = `${certPem}${rootPem}`;
  await writeFile(path.join(dir, 'tsa_chain.pem'), chainPem);

  let requests = 0;
  let sequence = 0;
  let queue: Promise<unknown> = Promise.resolve();

  /** openssl's reply to one query, through files unique to it. */
  const reply = async (query: Buffer): Promise<Answer> => {
    sequence += 1;
    const queryFile = path.join(WORK_DIR, `${sequence}.tsq`);
    const replyFile = path.join(WORK_DIR, `${sequence}.tsr`);
    try {
      await writeFile(path.join(dir, queryFile), query);
      await openssl(['ts', '-reply', '-config', CONFIG, '-queryfile', queryFile, '-out', replyFile], dir);
      const body = await readFile(path.join(dir, replyFile));
      return { status: 200, contentType: 'application/timestamp-reply', body };
    } catch (error) {
      const detail = (error instanceof Error ? error.message : String(error))
        .split('\n')
        .slice(0, 3)
        .join(' ');
      return text(400, `no timestamp for this query: ${detail.slice(0, 500)}`);
    } finally {
      await rm(path.join(dir, queryFile), { force: true });
      await rm(path.join(dir, replyFile), { force: true });
    }
  };

  const answer = (request: http.IncomingMessage, body: Buffer, size: number): Promise<Answer> => {
    if (request.method !== 'POST') return Promise.resolve(text(405, 'POST a timestamp query'));
    const contentType = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (contentType !== 'application/timestamp-query') {
      return Promise.resolve(text(415, 'expected Content-Type: application/timestamp-query'));
    }
    if (size > MAX_QUERY_BYTES) return Promise.resolve(text(413, 'timestamp query too large'));
    const answered = queue.then(() => reply(body));
    queue = answered.catch(() => undefined);
    return answered;
  };

  const server = http.createServer((request, response) => {
    requests += 1;
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_QUERY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => {
      void answer(request, Buffer.concat(chunks), size)
        .catch((error: unknown) => text(500, `timestamp authority failed: ${String(error)}`))
        .then(({ status, contentType, body }) => {
          if (response.destroyed) return; // closed meanwhile
          const headers = { 'Content-Type': contentType, 'Content-Length': String(body.length) };
          response.writeHead(status, status === 405 ? { ...headers, Allow: 'POST' } : headers).end(body);
        });
    });
  });
  const listening = await listenOnLoopback(server);
  const url = `${listening.url}/`;

  return {
    url,
    chainPem,
    certPem,
    rootPem,
    trustedRootEntry: {
      subject: { organization: name, commonName: `${name} root` },
      uri: url,
      certChain: { certificates: [{ rawBytes: derOf(certPem) }, { rawBytes: derOf(rootPem) }] },
      validFor: { start: new Date(new X509Certificate(certPem).validFrom).toISOString() },
    },
    get requests() {
      return requests;
    },
    async close() {
      await listening.close();
      await queue;
    },
  };
}
