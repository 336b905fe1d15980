/** The config file's tag-procedure sections, the worker's trust policy read from it, and the UI's details. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, parseConfig, tagApproval } from '../../src/configFile.js';
import { trustPolicyOf } from '../../src/trustPolicy.js';
import { repoRoot } from '../../src/sandbox/paths.js';
import { pemOf } from '../support/signatureFixtures.js';
import { trustRuleFor } from '../../src/activities/tags/signatureActivities.js';
import { queueDetails, requestSummary, tagDetails, commitUrl } from '../../src/lib/tags/tagDetails.js';
import { queueRequestSchema, type TagStatus } from '../../src/shared/tags.js';

/** A fresh ECDSA key pair as PEM (SPKI public, PKCS#8 private). */
const ecKeys = () => {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
};
const DIGEST = `sha256:${'a'.repeat(64)}`;
const OLD = `sha256:${'b'.repeat(64)}`;

describe('config: signatures, promotion, cleanup', () => {
  it('has defaults when the sections are absent', () => {
    const c = parseConfig('targets: {}\n', 'b.yaml');
    assert.deepEqual(c.signatures, []);
    assert.equal(c.promotion.stamp, '{tag}-{date}-{revision:7}');
    assert.deepEqual(c.promotion.aliases, {});
    assert.equal(c.cleanup.approveAbove, 10);
  });

  it('refuses a rule with both a key and keyless, and keyless without an issuer', () => {
    assert.throws(
      () =>
        parseConfig(
          'signatures:\n  - images: "x/*"\n    key: a.pub\n    keyless: {trustedRoot: r.pem, identity: i, issuer: s}\n',
          'b.yaml',
        ),
      (e: unknown) => e instanceof ConfigError && /exactly one of key/.test(e.message) && e.line === 2,
    );
    assert.throws(
      () =>
        parseConfig(
          'signatures:\n  - images: "x/*"\n    keyless: {trustedRoot: r.pem, identity: i}\n',
          'b.yaml',
        ),
      (e: unknown) => e instanceof ConfigError && /exactly one of issuer, issuerRegExp/.test(e.message),
    );
  });

  it('a key rule is logged unless it says tlog: optional; log settings of a keyless rule go inside keyless', () => {
    assert.throws(
      () => parseConfig('signatures:\n  - images: "x/*"\n    key: a.pub\n', 'b.yaml'),
      (e: unknown) =>
        e instanceof ConfigError && /name the transparency log .* or to say tlog: optional/.test(e.message),
    );
    assert.equal(
      parseConfig(
        'signatures:\n  - { images: "x/*", key: a.pub, trustedRoot: trusted_root.json }\n',
        'b.yaml',
      ).signatures[0]?.trustedRoot,
      'trusted_root.json',
    );
    assert.throws(
      () =>
        parseConfig(
          'signatures:\n  - images: "x/*"\n    tlog: optional\n    keyless: {trustedRoot: r.pem, identity: i, issuer: s}\n',
          'b.yaml',
        ),
      (e: unknown) => e instanceof ConfigError && /inside keyless/.test(e.message),
    );
    assert.throws(
      () =>
        parseConfig(
          'signatures:\n  - images: "x/*"\n    keyless: {trustedRoot: r.pem, identity: i, issuer: s, tlog: maybe}\n',
          'b.yaml',
        ),
      (e: unknown) => e instanceof ConfigError && /required|optional/.test(e.message),
    );
  });

  it('tagApproval: the first rule whose image and tag globs match decides; unmatched waits', () => {
    const c = parseConfig(
      'promotion:\n  approval:\n    - { images: "ghcr.io/acme/*", tags: staging, required: false }\n    - { tags: "prod*", required: true }\n',
      'b.yaml',
    );
    assert.deepEqual(tagApproval(c, 'ghcr.io/acme/app', ['staging']), {
      required: false,
      pattern: 'ghcr.io/acme/*:staging',
    });
    assert.deepEqual(tagApproval(c, 'ghcr.io/other/app', ['staging']), { required: true });
    assert.deepEqual(tagApproval(c, 'ghcr.io/acme/app', ['latest', 'prod']), {
      required: true,
      pattern: '*:prod*',
    });
    assert.deepEqual(tagApproval(undefined, 'ghcr.io/acme/app', ['prod']), { required: true });
  });

  it('refuses a promotion.approval glob that would match nothing, with its key path and line', () => {
    const refusedGlob = (rule: string, key: string, message: RegExp) =>
      assert.throws(
        () =>
          parseConfig(
            `promotion:\n  approval:\n    - { tags: prod, required: true }\n    - ${rule}\n`,
            'b.yaml',
          ),
        (e: unknown) =>
          e instanceof ConfigError &&
          e.key === key &&
          e.line === 4 &&
          e.message.startsWith(`b.yaml:4: ${key}: `) &&
          message.test(e.message),
      );
    refusedGlob(
      '{ tags: "prod{", required: false }',
      'promotion.approval.1.tags',
      /expected a tag glob .*found "prod\{", which matches nothing \(an unclosed \[ or \{\)$/,
    );
    refusedGlob(
      '{ tags: "prod-[9-0]*", required: false }',
      'promotion.approval.1.tags',
      /found "prod-\[9-0\]\*", which matches nothing \(Range out of order/,
    );
    refusedGlob(
      '{ images: "ghcr.io/acme/[ab", required: false }',
      'promotion.approval.1.images',
      /expected an image glob .*found "ghcr\.io\/acme\/\[ab", which matches nothing/,
    );
    refusedGlob(
      '{ images: "GHCR.io/acme/*", required: false }',
      'promotion.approval.1.images',
      /expected an image glob .*found "GHCR\.io\/acme\/\*"$/,
    );
    refusedGlob(
      '{ tags: "prod latest", required: false }',
      'promotion.approval.1.tags',
      /expected a tag glob .*found "prod latest"$/,
    );
    const ok = parseConfig(
      'promotion:\n  approval:\n    - { images: "localhost:5000/acme/**", tags: "{prod,latest}", required: true }\n    - { images: "ghcr.io/acme/app?", tags: "change_[0-9]*_latest", required: false }\n',
      'b.yaml',
    );
    assert.equal(tagApproval(ok, 'localhost:5000/acme/team/app', ['latest']).required, true);
    assert.equal(tagApproval(ok, 'ghcr.io/acme/app1', ['change_12_latest']).required, false);
  });
});

describe('trust policy from the worker config', () => {
  it('reads key files relative to the config file, and says which file is missing', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bumpflow-trust-'));
    try {
      await writeFile(path.join(dir, 'k.pub'), ecKeys().publicPem);
      const file = path.join(dir, 'bumpflow.yaml');
      const c = parseConfig(
        'signatures:\n  - { images: "ghcr.io/acme/*", key: k.pub, tlog: optional }\n  - { images: "ghcr.io/**", key: gone.pub, tlog: optional }\n',
        file,
      );
      assert.throws(
        () => trustPolicyOf(c, file),
        (e: unknown) =>
          e instanceof ConfigError && e.key === 'signatures.1.key' && /gone\.pub.*ENOENT/.test(e.message),
      );
      const one = parseConfig(
        'signatures:\n  - { images: "ghcr.io/acme/*", key: k.pub, tlog: optional }\n',
        file,
      );
      const policy = trustPolicyOf(one, file);
      assert.equal(policy[0]!.rule.kind, 'key');
      assert.equal(trustRuleFor(policy, 'ghcr.io/acme/app')?.name, 'k.pub');
      assert.equal(trustRuleFor(policy, 'ghcr.io/acme/team/app'), undefined, '* does not cross a /');
      assert.equal(trustRuleFor(policy, 'quay.io/acme/app'), undefined);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
  it("refuses a key file that is not a public key at the worker's start, naming the rule and file, never its content", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bumpflow-trust-'));
    try {
      const file = path.join(dir, 'bumpflow.yaml');
      const config = parseConfig(
        'signatures:\n  - { images: "ghcr.io/acme/*", key: good.pub, tlog: optional }\n  - { images: "ghcr.io/**", key: k.pub, tlog: optional }\n',
        file,
      );
      const keys = ecKeys();
      await writeFile(path.join(dir, 'good.pub'), keys.publicPem);
      const contents = {
        'not PEM at all': 'secret-looking-text-s3cr3t\n',
        'a truncated key': '-----BEGIN PUBLIC KEY-----\nMFkwS3CR3T\n-----END PUBLIC KEY-----\n',
        'a private key': keys.privatePem,
        'a certificate-shaped file':
          '-----BEGIN CERTIFICATE-----\nS3CR3Tbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n',
      };
      for (const [what, content] of Object.entries(contents)) {
        await writeFile(path.join(dir, 'k.pub'), content);
        assert.throws(
          () => trustPolicyOf(config, file),
          (e: unknown) => {
            assert.ok(e instanceof ConfigError, `${what}: ${String(e)}`);
            assert.equal(e.key, 'signatures.1.key', what);
            assert.equal(e.file, file, what);
            assert.match(
              e.message,
              /expected a PEM public key \(ECDSA, RSA or ed25519, as cosign\.pub\) at .*k\.pub, found /,
              what,
            );
            assert.doesNotMatch(
              e.message,
              /S3CR3T|s3cr3t|MFkw|MIG|BEGIN/i,
              `${what}: the file's content is not shown`,
            );
            return true;
          },
        );
      }
      await writeFile(path.join(dir, 'k.pub'), keys.publicPem);
      assert.equal(trustPolicyOf(config, file).length, 2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('trust material named by the config file', () => {
  interface Log {
    baseUrl: string;
    publicKey: { rawBytes: string };
    logId: { keyId: string };
  }
  const publicGood = JSON.parse(
    readFileSync(path.join(repoRoot, 'fixtures', 'signatures', 'public-good', 'trusted_root.json'), 'utf8'),
  ) as { certificateAuthorities: { certChain: { certificates: { rawBytes: string }[] } }[]; tlogs: Log[] };

  it('a PEM bundle with the log keys it names, and a key rule whose log is a PEM key; a trusted root refuses extras', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bumpflow-trust-'));
    try {
      const rekor = publicGood.tlogs[0]!;
      const cas = publicGood.certificateAuthorities.flatMap((c) =>
        c.certChain.certificates.map((x) => pemOf('CERTIFICATE', x.rawBytes)),
      );
      await writeFile(path.join(dir, 'ca.pem'), cas.join(''));
      await writeFile(path.join(dir, 'rekor.pub'), pemOf('PUBLIC KEY', rekor.publicKey.rawBytes));
      await writeFile(path.join(dir, 'k.pub'), pemOf('PUBLIC KEY', rekor.publicKey.rawBytes));
      await writeFile(path.join(dir, 'trusted_root.json'), JSON.stringify(publicGood));
      const file = path.join(dir, 'bumpflow.yaml');
      const text = [
        'signatures:',
        '  - { images: "ghcr.io/a/*", key: k.pub, trustedRoot: rekor.pub }',
        '  - images: "ghcr.io/b/*"',
        '    keyless: { trustedRoot: ca.pem, tlogKeys: [rekor.pub], identity: i, issuer: s }',
        '',
      ].join('\n');
      const [keyRule, keyless] = trustPolicyOf(parseConfig(text, file), file).map((e) => e.rule);
      const logIdOf = (r: typeof keyRule) => (r?.trustedRoot?.tlogs?.[0] as Log | undefined)?.logId.keyId;
      assert.equal(keyRule?.kind === 'key' && keyRule.tlog, 'required');
      assert.equal(logIdOf(keyRule), rekor.logId.keyId, "the log id computed from the key is Sigstore's");
      assert.equal(logIdOf(keyless), rekor.logId.keyId);
      assert.equal(keyless?.kind === 'keyless' && keyless.sct, 'required', 'SCTs required by default');
      const json = text.replace('trustedRoot: ca.pem', 'trustedRoot: trusted_root.json');
      assert.throws(
        () => trustPolicyOf(parseConfig(json, file), file),
        (e: Error) => /only beside a PEM bundle/.test(e.message),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('tag details for the UI', () => {
  const status: TagStatus = {
    procedure: 'promote',
    image: 'ghcr.io/acme/app',
    state: 'awaiting-approval',
    source: {
      digest: DIGEST,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      platforms: ['linux/amd64', 'linux/arm64'],
    },
    evidence: { digest: DIGEST, source: 'sig-tag', signatureManifest: OLD, verifiedBy: 'key cosign.pub' },
    plan: {
      image: 'ghcr.io/acme/app',
      digest: DIGEST,
      stamp: 'prod-20261201-abc1234',
      revision: 'abc1234def',
      commitUrl: 'https://github.com/acme/app/commit/abc1234def',
      tags: [
        { tag: 'prod-20261201-abc1234', to: DIGEST, mode: 'create-only', change: 'create' },
        { tag: 'prod', from: OLD, to: DIGEST, mode: 'move', change: 'move' },
      ],
    },
    written: [],
    deleted: [],
    notices: [],
    refusals: ['approve refused: x'],
  };

  it('shows the plan, the signature and how to approve', () => {
    const md = tagDetails(status);
    assert.match(md, /^### promote ghcr\.io\/acme\/app — awaiting approval/);
    assert.match(md, /`prod`: `sha256:bbbbbbbbbbbb` → `sha256:aaaaaaaaaaaa` \(move\)/);
    assert.match(md, /`prod-20261201-abc1234`: — → `sha256:aaaaaaaaaaaa` \(create, create-only\)/);
    assert.match(md, /\*\*signature\*\* key cosign\.pub \(sig-tag\)/);
    assert.match(md, /\[`abc1234def`\]\(https:\/\/github\.com\/acme\/app\/commit\/abc1234def\)/);
    assert.match(md, /send the `approve` signal/);
    assert.match(md, /Refused messages: 1/);
  });

  it('commit links only for a sha revision', () => {
    assert.equal(commitUrl('https://github.com/acme/app', 'not a sha'), undefined);
    assert.equal(commitUrl(undefined, 'abc1234'), undefined);
    assert.equal(
      commitUrl('https://github.com/acme/app.git', 'abc1234'),
      'https://github.com/acme/app/commit/abc1234',
    );
  });

  it('summarises requests and the queue', () => {
    const r = queueRequestSchema.parse({
      procedure: 'rollback',
      workflowId: 'rollback/ghcr.io/acme/app/20261201T000000Z-ab12',
      input: { image: { registry: 'ghcr.io', repository: 'acme/app' }, aliases: ['latest'] },
    });
    assert.equal(requestSummary(r), 'roll back ghcr.io/acme/app:prod, latest to the previous stamp');
    const md = queueDetails({
      image: 'ghcr.io/acme/app',
      running: { workflowId: 'promote/x', procedure: 'promote', since: '2026-12-01T00:00:00Z' },
      waiting: [{ workflowId: r.workflowId, procedure: 'rollback', requestedAt: '2026-12-01T00:00:01Z' }],
      recent: [],
      refusals: [],
    });
    assert.match(md, /— busy/);
    assert.match(md, /\*\*1\. waiting\*\* rollback `rollback\/ghcr\.io\/acme\/app\/20261201T000000Z-ab12`/);
  });
});
