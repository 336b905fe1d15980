/**
 * Keyless promotion and rollback as a CI pipeline signs today, on real parts:
 * cosign 3 signs with a short-lived certificate from the local test CA and a
 * timestamp from a real RFC 3161 authority (OpenSSL's), storing a sigstore
 * bundle as an OCI 1.1 referrer; the worker's rule (from its config file)
 * trusts that CA and TSA, with no Rekor and no CT log, said so in the rule.
 * After the certificate has expired, the images are promoted and rolled back
 * to; the same certificate's signature without a timestamp is refused before
 * anything is written. `cosign verify` (v3) agrees on both.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { parseConfig } from '../../src/configFile.js';
import { trustPolicyOf } from '../../src/trustPolicy.js';
import { cosignVerify } from '../../src/sandbox/cosign.js';
import { createTagWorld, revisionOf, TAG_IMAGE, type TagWorld } from '../../src/sandbox/tagWorld.js';
import { FatalFailure } from '../../src/shared/failures.js';
import { tagGate } from '../../src/shared/messages.js';
import { keylessSigner, type KeylessSigner } from '../support/keylessSigner.js';
import { failureOf, skopeoDigest, skopeoTags } from '../support/tagWorlds.js';
import { withTagWorker } from '../support/tags.js';
import { startTemporal } from '../support/temporal.js';

const image = { ...TAG_IMAGE };
const IDENTITY = 'https://github.com/vexxhost/docker-magnum/.github/workflows/build.yml@refs/heads/main';
const ISSUER = 'https://token.actions.githubusercontent.com';
// long enough for three cosign signatures on a loaded 2-core machine, short enough to wait out
const VALID_SECONDS = 45;

describe('keyless promotion and rollback after the certificate expired (RFC 3161 time)', () => {
  let env: TestWorkflowEnvironment;
  let world: TagWorld;
  let signer: KeylessSigner;
  let dir: string;
  before(async () => {
    env = await startTemporal();
    world = await createTagWorld();
    dir = await mkdtemp(path.join(os.tmpdir(), 'bumpflow-keyless-'));
  });
  after(async () => {
    await signer?.close();
    await world?.close();
    await env?.teardown();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('promotes and rolls back to timestamped signatures whose certificate expired; refuses one without a timestamp before any write', async () => {
    const auth = { username: 'bumpflow', password: world.secrets[0]! };
    signer = await keylessSigner(dir, {
      identity: IDENTITY,
      issuer: ISSUER,
      validSeconds: VALID_SECONDS,
      registryAuth: auth,
    });
    const refOf = (digest: string) => `${world.registry.host}/${image.repository}@${digest}`;
    const first = await world.push('staging', { revision: revisionOf('first'), sign: false });
    const second = await world.push('candidate', { revision: revisionOf('second'), sign: false });
    const untimed = await world.push('untimed', { revision: revisionOf('untimed'), sign: false });
    await signer.sign(refOf(first));
    await signer.sign(refOf(second));
    await signer.sign(refOf(untimed), { timestamp: false });
    assert.equal(signer.tsa.requests, 2, 'two signatures timestamped');

    const configFile = path.join(dir, 'bumpflow.yaml');
    const config = [
      'signatures:',
      '  - images: "ghcr.io/vexxhost/*"',
      '    keyless:',
      `      trustedRoot: ${signer.trustedRootPath}`,
      `      identity: ${IDENTITY}`,
      `      issuer: ${ISSUER}`,
      '      tlog: optional # no Rekor here: the timestamp authority gives the time',
      '      sct: optional # no CT log either',
      '',
    ].join('\n');
    await writeFile(configFile, config);
    const trust = trustPolicyOf(parseConfig(config, configFile), configFile);
    const keylessWorld: TagWorld = { ...world, trust, deps: { ...world.deps, trust } };

    const wait = signer.notAfter.getTime() + 1500 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    assert.ok(Date.now() > signer.notAfter.getTime(), 'the certificate has expired');

    const trustedRoot = signer.trustedRootPath;
    const verifyArgs = {
      version: 'v3' as const,
      keyless: { identity: IDENTITY, issuer: ISSUER },
      trustedRoot,
      ignoreTlog: true,
      ignoreSct: true,
      useSignedTimestamps: true,
      registryAuth: auth,
    };
    assert.equal(
      (await cosignVerify({ ...verifyArgs, ref: refOf(first) })).length,
      1,
      'cosign verify accepts it',
    );
    await assert.rejects(
      cosignVerify({ ...verifyArgs, useSignedTimestamps: false, ref: refOf(first) }),
      'and, not told to use the timestamp, cosign checks the expired certificate against now',
    );
    await assert.rejects(
      cosignVerify({ ...verifyArgs, ref: refOf(untimed) }),
      'cosign verify refuses the untimed one too',
    );

    await withTagWorker(env, keylessWorld, async (run) => {
      const promote = async (from: string): Promise<string> => {
        const id = await run.request({
          procedure: 'promote',
          input: { image, from, to: ['prod'], stamp: 'prod-{date}-{revision:7}' },
        });
        const waiting = await run.statusWhen(id, (s) => s.state === 'awaiting-approval');
        assert.equal(
          waiting.evidence?.verifiedBy,
          `certificate ${IDENTITY} from ${ISSUER} (root trusted_root.json)`,
        );
        assert.equal(waiting.evidence?.timeSource, 'timestamp-authority');
        assert.ok(
          new Date(waiting.evidence!.certificateNotAfter!).getTime() < Date.now(),
          'verified after the certificate expired',
        );
        assert.ok(new Date(waiting.evidence!.signedAt!).getTime() <= signer.notAfter.getTime());
        await env.client.workflow
          .getHandle(id)
          .executeUpdate(tagGate.approveUpdate, { args: [{ approver: 'ops' }] });
        const result = await run.result(id);
        assert.equal(result.state, 'done');
        return result.plan!.stamp!;
      };
      const firstStamp = await promote('staging');
      assert.equal(skopeoDigest(world, 'prod'), first);
      await promote('candidate');
      assert.equal(skopeoDigest(world, 'prod'), second);

      const tagsBefore = skopeoTags(world);
      const refused = await run.request({
        procedure: 'promote',
        input: { image, from: 'untimed', to: ['prod'], stamp: 'prod-{date}-{revision:7}' },
      });
      const failure = await failureOf(run, refused);
      assert.equal(failure.type, FatalFailure.NoVerifiedTimestamp, failure.message);
      assert.match(failure.message, /no verified transparency-log entry or RFC 3161 timestamp/);
      assert.equal(skopeoDigest(world, 'prod'), second, 'prod untouched');
      assert.deepEqual(skopeoTags(world), tagsBefore, 'no tag written');

      const back = await run.request({ procedure: 'rollback', input: { image, to: firstStamp } });
      const waiting = await run.statusWhen(back, (s) => s.state === 'awaiting-approval');
      assert.equal(waiting.plan?.digest, first, 'back to the first promotion');
      assert.equal(waiting.evidence?.timeSource, 'timestamp-authority');
      await env.client.workflow
        .getHandle(back)
        .executeUpdate(tagGate.approveUpdate, { args: [{ approver: 'ops' }] });
      assert.equal((await run.result(back)).state, 'done');
      assert.equal(skopeoDigest(world, 'prod'), first);
    });
  });
});
