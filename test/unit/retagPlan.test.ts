import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseRetagManifest, retagKey, type RetagEntry } from '../../src/lib/retag/retagManifest.js';
import { planRetag, renderRetagPlan, type RetagAnswer } from '../../src/lib/retag/retagPlan.js';
import { BumpflowError, FatalFailure } from '../../src/shared/failures.js';
import { fixturesDir } from '../../src/sandbox/paths.js';

const text = readFileSync(path.join(fixturesDir, 'starlingx', 'image-tags-4.0-2020.yaml'), 'utf8');
const MIRROR = { 'docker.io/starlingx': '127.0.0.1:5000/starlingx' };
const entries = parseRetagManifest(text, { mirror: MIRROR }).entries;
const digest = (c: string) => `sha256:${c.repeat(64)}`;
const byName = (short: string): RetagEntry => {
  const e = entries.find((x) => x.name === `docker.io/starlingx/${short}`);
  assert.ok(e, short);
  return e;
};
const INDEX = 'application/vnd.oci.image.index.v1+json';

/** One answer per entry: dex copies, sriov skips, oidc conflicts, qat's source is missing, gpu's target lookup failed, the rest copy. */
function answers(): Record<string, RetagAnswer> {
  const out: Record<string, RetagAnswer> = {};
  entries.forEach((e, i) => {
    out[retagKey(e)] = { source: { digest: digest(String(i)), mediaType: INDEX }, target: null };
  });
  out[retagKey(byName('k8s-cni-sriov'))] = {
    source: { digest: digest('a') },
    target: { digest: digest('a') },
  };
  out[retagKey(byName('stx-oidc-client'))] = {
    source: { digest: digest('b') },
    target: { digest: digest('c') },
  };
  out[retagKey(byName('intel-qat-plugin'))] = {
    source: {
      failure: {
        type: FatalFailure.ManifestUnknown,
        message: 'manifest unknown: intel-qat-plugin:master-distroless-stable-20191203T153530Z.0',
      },
    },
    target: null,
  };
  out[retagKey(byName('intel-gpu-plugin'))] = {
    source: { digest: digest('d') },
    target: { failure: { type: 'RegistryUnavailable', message: '503 from 127.0.0.1:5000 after 8 attempts' } },
  };
  return out;
}

void describe('planRetag', () => {
  void it('one step per entry, in manifest order, each with its action', () => {
    const plan = planRetag(entries, answers());
    assert.deepEqual(
      plan.steps.map((s) => [s.entry.name.replace('docker.io/starlingx/', ''), s.action]),
      [
        ['k8s-cni-sriov', 'skip'],
        ['k8s-plugins-sriov-network-device', 'copy'],
        ['intel-fpga-admissionwebhook', 'copy'],
        ['intel-fpga-initcontainer', 'copy'],
        ['intel-fpga-plugin', 'copy'],
        ['intel-gpu-plugin', 'failed'],
        ['intel-qat-plugin', 'missing-source'],
        ['stx-oidc-client', 'conflict'],
        ['dex', 'copy'],
      ],
    );
    assert.deepEqual(plan.counts, {
      copy: 5,
      skip: 1,
      conflict: 1,
      repush: 0,
      'missing-source': 1,
      failed: 1,
    });
    assert.equal(plan.writes, 5);
  });

  void it('copy: the whole image by its digest to the target tag, create-only, at the mirrored name', () => {
    const dex = planRetag(entries, answers()).steps.find((s) => s.entry.name.endsWith('/dex'))!;
    assert.deepEqual(dex.write, {
      from: { registry: '127.0.0.1:5000', repository: 'starlingx/dex', digest: digest('8') },
      to: { registry: '127.0.0.1:5000', repository: 'starlingx/dex', tag: 'stx.4.0-v2.14.0-1' },
      onExistingTag: 'refuse',
    });
    assert.equal(dex.targetDigest, undefined);
  });

  void it('skip and conflict write nothing; a conflict keeps both digests', () => {
    const steps = planRetag(entries, answers()).steps;
    const skip = steps.find((s) => s.action === 'skip')!;
    const conflict = steps.find((s) => s.action === 'conflict')!;
    assert.equal(skip.write, undefined);
    assert.equal(conflict.write, undefined);
    assert.deepEqual([conflict.sourceDigest, conflict.targetDigest], [digest('b'), digest('c')]);
  });

  void it('repush: only the named image, by its manifest name or its mirrored name, moves the tag', () => {
    for (const name of ['docker.io/starlingx/stx-oidc-client', '127.0.0.1:5000/starlingx/stx-oidc-client']) {
      const plan = planRetag(entries, answers(), { repush: [name] });
      const step = plan.steps.find((s) => s.entry.name.endsWith('/stx-oidc-client'))!;
      assert.equal(step.action, 'repush');
      assert.equal(step.write?.onExistingTag, 'move');
      assert.equal(step.write?.from.digest, digest('b'));
      assert.equal(plan.counts.repush, 1);
      assert.equal(plan.counts.conflict, 0);
      assert.equal(plan.writes, 6);
    }
    // a repush of an image that is not in conflict changes nothing for it
    const plan = planRetag(entries, answers(), { repush: ['docker.io/starlingx/k8s-cni-sriov'] });
    assert.equal(plan.steps[0]?.action, 'skip');
  });

  void it('missing source and failed lookups are typed per entry; the others go on', () => {
    const steps = planRetag(entries, answers()).steps;
    const missing = steps.find((s) => s.action === 'missing-source')!;
    assert.equal(missing.failure?.type, FatalFailure.ManifestUnknown);
    assert.equal(missing.write, undefined);
    const failed = steps.find((s) => s.action === 'failed')!;
    assert.equal(failed.failure?.type, 'RegistryUnavailable');
    assert.equal(steps.filter((s) => s.action === 'copy').length, 5);
  });

  void it('a repush of an image no entry names, or an entry without an answer, is BadInput', () => {
    assert.throws(
      () => planRetag(entries, answers(), { repush: ['docker.io/starlingx/nope'] }),
      (e: unknown) =>
        e instanceof BumpflowError && e.type === FatalFailure.BadInput && e.message.includes('nope'),
    );
    const partial = answers();
    delete partial[retagKey(byName('dex'))];
    assert.throws(
      () => planRetag(entries, partial),
      (e: unknown) =>
        e instanceof BumpflowError &&
        e.type === FatalFailure.BadInput &&
        e.message.includes('starlingx/dex:stx.4.0-v2.14.0-1'),
    );
  });
});

void describe('renderRetagPlan', () => {
  const plan = planRetag(entries, answers());

  void it('markdown: a summary and one table row per entry', () => {
    const md = renderRetagPlan(plan, 'markdown');
    const rows = md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| action'));
    assert.equal(rows.length, entries.length);
    assert.match(
      md,
      /^\*\*9 entries: 5 copy, 1 skip, 1 conflict, 1 missing-source, 1 failed; 5 writes after approval\*\*/,
    );
    assert.ok(
      rows.some((r) =>
        r.startsWith(
          '| conflict | docker.io/starlingx/stx-oidc-client (as 127.0.0.1:5000/starlingx/stx-oidc-client) |',
        ),
      ),
    );
    assert.ok(rows.some((r) => r.includes('ManifestUnknown: manifest unknown')));
  });

  void it('text: aligned columns, one line per entry', () => {
    const lines = renderRetagPlan(plan, 'text').split('\n');
    assert.equal(lines.length, 2 + entries.length);
    const col = lines[1]!.indexOf('image');
    assert.ok(col > 0);
    for (const l of lines.slice(2)) {
      assert.equal(l.slice(col - 2, col), '  ', l);
      assert.match(l.slice(col), /^docker\.io\/starlingx\//, l);
    }
    assert.ok(
      lines.some(
        (l) =>
          l.startsWith('copy ') && l.includes(`create stx.4.0-v2.14.0-1 at ${'8'.repeat(12)} (create-only)`),
      ),
    );
  });
});
