/**
 * Issue 23, parts 2 and 3 (pure parts): a target's image scope (globs) and
 * --image (prefixes) as one intersection; the references pinned by tag only
 * found in Atmosphere's real vars files (checked against an independent
 * regex over the fixtures); the byte-exact "add a digest" edit; the sweep's
 * request from a target with a scope, its refusals, and what the CLI prints.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  collectImageTags,
  describeScope,
  imageScopeProblem,
  inScope,
  renderUnpinned,
  unpinnedByBranch,
} from '../../src/lib/sweep/index.js';
import { addDigests } from '../../src/lib/kit/digestEdit.js';
import { indexVarsFile } from '../../src/lib/kit/varsFile.js';
import { BumpflowError, FatalFailure } from '../../src/shared/failures.js';
import { ATMOSPHERE_BRANCHES } from '../support/atmosphereBranches.js';
import { parseConfig } from '../../src/configFile.js';
import type { CliContext } from '../../src/cli/kit/context.js';
import { parseSweepWords } from '../../src/cli/sweep/sweepRequest.js';
import { formatSweep } from '../../src/cli/sweep/sweepStart.js';
import { createSchedule } from '../../src/cli/schedule/scheduleActions.js';
import type { Client } from '@temporalio/client';
import { sweepInputSchema, type SweepResult } from '../../src/workflows/sweep/sweepInput.js';
import { pinWorkBranch } from '../../src/workflows/pin/details.js';
import { pinWorkflowId, workflowIdProblem } from '../../src/shared/ids.js';

const BRANCHES = ATMOSPHERE_BRANCHES;
const MAIN = BRANCHES[0]!.text;
const SCOPE = ['ghcr.io/vexxhost/**'];
const D = (c: string) => `sha256:${c.repeat(64)}`;

/**
 * Independent of the code under test: every `<key>: "…<registry>/<repo>:<tag>"` line of the
 * images mapping whose value ends at the tag (no `@sha256:`), with branch, key and image.
 */
function unpinnedByRegex(image: RegExp) {
  const re =
    /^ {2}([A-Za-z0-9_]+): "(?:\{\{ atmosphere_image_prefix \}\})?([a-z0-9.-]+\/[a-z0-9._/-]+):([A-Za-z0-9._-]+)"$/;
  return BRANCHES.flatMap((b) =>
    b.text.split('\n').flatMap((line) => {
      const m = re.exec(line);
      return m && image.test(m[2]!) ? [`${b.branch} ${m[1]} ${m[2]}:${m[3]}`] : [];
    }),
  );
}
const asRows = (refs: { branch: string; key: string; id: string }[]) =>
  refs.map((r) => `${r.branch} ${r.key} ${r.id}`);

void describe("a target's image scope (globs) and --image (prefixes)", () => {
  void it('an image must match a glob AND start with a prefix: --image narrows, never widens', () => {
    const match = inScope({ images: SCOPE, imagePrefixes: ['ghcr.io/vexxhost/n', 'quay.io/'] });
    assert.equal(match('ghcr.io/vexxhost/nova'), true);
    assert.equal(match('ghcr.io/vexxhost/neutron'), true);
    assert.equal(match('ghcr.io/vexxhost/magnum'), false, 'in scope, not under --image');
    assert.equal(match('quay.io/ceph/ceph'), false, '--image names it, the target does not');
    assert.equal(inScope({ images: ['ghcr.io/vexxhost/*'] })('ghcr.io/vexxhost/charts/cert-manager'), false);
    assert.equal(inScope({ images: SCOPE })('ghcr.io/vexxhost/charts/cert-manager'), true);
    assert.equal(inScope({})('docker.io/library/haproxy'), true, 'no scope: every image');
    assert.equal(describeScope({ images: SCOPE }), 'ghcr.io/vexxhost/**');
    assert.equal(
      describeScope({ images: SCOPE, imagePrefixes: ['ghcr.io/vexxhost/magnum'] }),
      'ghcr.io/vexxhost/**, starting with ghcr.io/vexxhost/magnum',
    );
    assert.equal(describeScope({ imagePrefixes: [] }), undefined);
  });

  void it('a bad glob is refused with what was expected and found', () => {
    assert.equal(imageScopeProblem('ghcr.io/vexxhost/**'), undefined);
    assert.match(
      imageScopeProblem('ghcr.io/vexxhost/') ?? '',
      /^expected an image glob such as ghcr\.io\/vexxhost\/\*\* .*found "ghcr\.io\/vexxhost\/", which ends in \/ and matches no image name$/,
    );
    assert.match(imageScopeProblem('ghcr.io/{a,') ?? '', /found "ghcr\.io\/\{a,", which matches nothing/);
    assert.match(imageScopeProblem('GHCR.io/x') ?? '', /^expected an image glob .*, found "GHCR\.io\/x"$/);
  });

  void it('with the scope, the sweep collects exactly the prefix sweep of before (Atmosphere: every vexxhost pin)', () => {
    const byGlob = collectImageTags(BRANCHES, { images: SCOPE });
    const byPrefix = collectImageTags(BRANCHES, { imagePrefixes: ['ghcr.io/vexxhost/'] });
    assert.deepEqual(
      byGlob.pairs.map((p) => p.id),
      byPrefix.pairs.map((p) => p.id),
    );
    assert.ok(byGlob.pairs.every((p) => p.image.startsWith('ghcr.io/vexxhost/')));
    const all = collectImageTags(BRANCHES);
    assert.ok(
      all.pairs.some((p) => !p.image.startsWith('ghcr.io/vexxhost/')),
      'third-party pins exist',
    );
    const narrowed = collectImageTags(BRANCHES, { images: SCOPE, imagePrefixes: ['ghcr.io/vexxhost/nova'] });
    assert.ok(narrowed.pairs.length > 0);
    assert.ok(narrowed.pairs.every((p) => p.image.startsWith('ghcr.io/vexxhost/nova')));
  });
});

void describe('references pinned by tag only, in the real vars files', () => {
  void it('in scope: exactly the independent count, by image, branch and key (5 on main, 1 on four stable branches)', () => {
    const found = collectImageTags(BRANCHES, { images: SCOPE }).unpinned;
    const expected = unpinnedByRegex(/^ghcr\.io\/vexxhost\//);
    assert.deepEqual(asRows(found), expected);
    assert.deepEqual(expected, [
      'main cert_manager_helm_chart ghcr.io/vexxhost/charts/cert-manager:v1.15.5',
      'main dep_check ghcr.io/vexxhost/kubernetes-entrypoint:edge',
      'main openvswitch_db_server ghcr.io/vexxhost/openvswitch:v3.3.6-6',
      'main openvswitch_vswitchd ghcr.io/vexxhost/openvswitch:v3.3.6-6',
      'main pod_tls_sidecar ghcr.io/vexxhost/pod-tls-sidecar:v1.0.0',
      'stable/2023.2 cert_manager_helm_chart ghcr.io/vexxhost/charts/cert-manager:v1.11.5',
      'stable/2024.1 cert_manager_helm_chart ghcr.io/vexxhost/charts/cert-manager:v1.11.5',
      'stable/2024.2 cert_manager_helm_chart ghcr.io/vexxhost/charts/cert-manager:v1.11.5',
      'stable/2025.1 cert_manager_helm_chart ghcr.io/vexxhost/charts/cert-manager:v1.11.5',
    ]);
    // each at its real line
    for (const r of found) {
      const text = BRANCHES.find((b) => b.branch === r.branch)!.text;
      assert.match(
        text.split('\n')[r.line - 1]!,
        new RegExp(`^  ${r.key}: ".*${r.id.replace(/[.]/g, '\\.')}"$`),
      );
    }
  });

  void it('without a scope, third-party ones too (the same independent count); outside the scope, none', () => {
    const all = collectImageTags(BRANCHES).unpinned;
    const expected = unpinnedByRegex(/./);
    assert.deepEqual(asRows(all), expected);
    assert.ok(all.length > 100 && all.some((r) => r.image === 'quay.io/ceph/ceph'));
    assert.deepEqual(collectImageTags(BRANCHES, { images: ['registry.example.com/**'] }).unpinned, []);
    assert.deepEqual(
      asRows(
        collectImageTags(BRANCHES, { images: SCOPE, imagePrefixes: ['ghcr.io/vexxhost/openvswitch'] })
          .unpinned,
      ),
      expected.filter((r) => r.includes('ghcr.io/vexxhost/openvswitch:')),
    );
  });

  void it('shown apart from the pins: one row per image:tag and branch, its keys; grouped by branch for the pin runs', () => {
    const found = collectImageTags(BRANCHES, { images: SCOPE }).unpinned;
    const text = renderUnpinned(found, 'text');
    assert.match(text, /^\nUnpinned \(by tag only, no digest: 9 references, not counted among the pins\):\n/);
    assert.match(
      text,
      /ghcr\.io\/vexxhost\/openvswitch:v3\.3\.6-6 +main +openvswitch_db_server, openvswitch_vswitchd/,
    );
    assert.equal(text.split('\n').length, 3 + 8, 'a heading, the column heads and 8 rows');
    assert.match(renderUnpinned(found, 'markdown'), /\*\*Unpinned .*\*\*\n\| image \| branch \| keys \|/);
    assert.equal(renderUnpinned([], 'text'), '');
    const narrow = renderUnpinned(found, 'text', { width: 70 });
    assert.ok(
      narrow.split('\n').every((l) => l.length <= 70),
      narrow,
    );
    assert.match(narrow, /^ghcr\.io\/vexxhost\/openvswitch: +main +\+2 more$/m, 'the keys give way first');
    const cli = renderUnpinned(found, 'text', { width: 100 });
    assert.ok(cli.split('\n').every((l) => l.length <= 100));
    assert.match(cli, /^ghcr\.io\/vexxhost\/openvswitch:v3\.3\.6-6 +main +openvswitch_db_server, \+1 more$/m);
    assert.deepEqual(
      unpinnedByBranch(found).map((g) => `${g.branch}:${g.refs.length}`),
      ['main:5', 'stable/2023.2:1', 'stable/2024.1:1', 'stable/2024.2:1', 'stable/2025.1:1'],
    );
  });
});

void describe('addDigests: a digest written after the tag, every other byte kept', () => {
  const additions = [
    { image: 'ghcr.io/vexxhost/openvswitch', tag: 'v3.3.6-6', digest: D('a') },
    { image: 'ghcr.io/vexxhost/pod-tls-sidecar', tag: 'v1.0.0', digest: D('b') },
  ];

  void it('on main.yml: exactly the three lines, each `…:<tag>@sha256:<digest>"`, as a plain string edit makes them', () => {
    const { text, changed } = addDigests(MAIN, additions, 'main.yml');
    // independently: the same lines with the digest spliced in by string replacement
    const expected = MAIN.split('\n')
      .map((line) => {
        for (const a of additions)
          if (line.endsWith(`${a.image}:${a.tag}"`)) return `${line.slice(0, -1)}@${a.digest}"`;
        return line;
      })
      .join('\n');
    assert.equal(text, expected);
    assert.equal(text.length, MAIN.length + 3 * ('@'.length + D('a').length));
    assert.deepEqual(
      changed.map((c) => c.key),
      ['openvswitch_db_server', 'openvswitch_vswitchd', 'pod_tls_sidecar'],
    );
    const after = indexVarsFile(text);
    assert.equal(after.pins.length, indexVarsFile(MAIN).pins.length + 3);
    assert.equal(after.tagOnly.length, indexVarsFile(MAIN).tagOnly.length - 3);
    const ovs = after.pins.filter((p) => p.ref.repository === 'vexxhost/openvswitch');
    assert.deepEqual(
      ovs.map((p) => `${p.key} ${p.ref.tag}@${p.ref.digest}`),
      [`openvswitch_db_server v3.3.6-6@${D('a')}`, `openvswitch_vswitchd v3.3.6-6@${D('a')}`],
    );
  });

  void it('keeps CRLF line ends, quotes and other keys on a flow mapping line', () => {
    const crlf = '_atmosphere_images:\r\n  a: "ghcr.io/vexxhost/a:v1"\r\n  b: ghcr.io/vexxhost/b:v2\r\n';
    assert.equal(
      addDigests(crlf, [{ image: 'ghcr.io/vexxhost/b', tag: 'v2', digest: D('c') }]).text,
      `_atmosphere_images:\r\n  a: "ghcr.io/vexxhost/a:v1"\r\n  b: ghcr.io/vexxhost/b:v2@${D('c')}\r\n`,
    );
    const flow = "_atmosphere_images: {a: 'ghcr.io/x/a:1', b: 'ghcr.io/x/b:1'}\n";
    assert.equal(
      addDigests(flow, [
        { image: 'ghcr.io/x/a', tag: '1', digest: D('d') },
        { image: 'ghcr.io/x/b', tag: '1', digest: D('e') },
      ]).text,
      `_atmosphere_images: {a: 'ghcr.io/x/a:1@${D('d')}', b: 'ghcr.io/x/b:1@${D('e')}'}\n`,
    );
  });

  void it('refuses what it cannot edit in place, typed, and writes nothing', () => {
    const typed = (type: string, message: RegExp) => (e: unknown) =>
      e instanceof BumpflowError && e.type === type && message.test(e.message);
    assert.throws(
      () => addDigests(MAIN, [{ image: 'ghcr.io/vexxhost/magnum', tag: 'main', digest: D('a') }], 'main.yml'),
      typed(
        FatalFailure.BadInput,
        /expected ghcr\.io\/vexxhost\/magnum:main pinned by tag only in main\.yml, found no such reference/,
      ),
    );
    assert.throws(
      () => addDigests(MAIN, [{ ...additions[0]!, digest: 'sha256:short' }]),
      typed(FatalFailure.BadInput, /sha256:short/),
    );
    // an escape in a double-quoted value: the reference is not written verbatim on its line
    const escaped = '_atmosphere_images:\n  a: "ghcr.io/vexxhost/\\x61:v1"\n';
    assert.throws(
      () => addDigests(escaped, [{ image: 'ghcr.io/vexxhost/a', tag: 'v1', digest: D('a') }]),
      typed(
        FatalFailure.MalformedVarsFile,
        /expected ghcr\.io\/vexxhost\/a:v1 written verbatim once on line 2 \(a\)/,
      ),
    );
  });
});

void describe("the sweep's request from a target with images", () => {
  const config = parseConfig(
    [
      'targets:',
      '  atmosphere:',
      '    repo: https://github.com/vexxhost/atmosphere',
      '    images: [ghcr.io/vexxhost/**]',
      '  plain:',
      '    repo: https://github.com/vexxhost/plain',
      '',
    ].join('\n'),
    'bumpflow.yaml',
  );
  const ctx: CliContext = {
    env: { USER: 'ops' },
    settings: {
      address: '127.0.0.1:1',
      namespace: 'default',
      taskQueue: 'q',
      uiUrl: 'http://localhost:8233',
    },
    config: () => config,
    client: () => Promise.reject(new Error('no server in this test')),
  };

  void it("carries the target's images; --image narrows within them; --pin asks for pin runs", () => {
    const r = parseSweepWords(ctx, [
      'sweep',
      '--target',
      'atmosphere',
      '--image',
      'ghcr.io/vexxhost/nova',
      '--pin',
    ]);
    assert.deepEqual(r.images, ['ghcr.io/vexxhost/**']);
    assert.deepEqual(r.imagePrefixes, ['ghcr.io/vexxhost/nova']);
    assert.equal(r.pin, true);
    const plain = parseSweepWords(ctx, ['sweep', '--target', 'plain', '--report']);
    assert.equal('images' in plain, false, 'a target without images sweeps every image, as before');
    assert.equal('pin' in plain, false);
    const byRepo = parseSweepWords(ctx, ['sweep', '--repo', 'https://github.com/vexxhost/atmosphere']);
    assert.equal('images' in byRepo, false);
  });

  void it("a schedule made from the words takes the target's images: its action's input and its note", async () => {
    const created: { action: { args: unknown[] }; state: { note: string } }[] = [];
    const client = {
      schedule: { create: (o: (typeof created)[number]) => (created.push(o), Promise.resolve({})) },
    } as unknown as Client;
    const request = parseSweepWords(ctx, ['sweep', '--target', 'atmosphere', '--pin']);
    await createSchedule(client, ctx.settings, 'sweep-atmosphere', '6h', { command: 'sweep', request });
    const args = created[0]!.action.args[0] as { images?: string[]; pin?: boolean };
    assert.deepEqual(args.images, ['ghcr.io/vexxhost/**']);
    assert.equal(args.pin, true);
    assert.equal(
      created[0]!.state.note,
      'bumpflow sweep of https://github.com/vexxhost/atmosphere (scope: ghcr.io/vexxhost/**, pin) every 6h',
    );
  });

  void it('the workflow input refuses a bad glob and pin with report, typed', () => {
    const bad = sweepInputSchema.safeParse({ targetRepo: 'https://github.com/o/r', images: ['ghcr.io/o/'] });
    assert.equal(bad.success, false);
    assert.match(bad.error!.issues[0]!.message, /ends in \/ and matches no image name/);
    const both = sweepInputSchema.safeParse({
      targetRepo: 'https://github.com/o/r',
      pin: true,
      report: true,
    });
    assert.equal(both.success, false);
    assert.match(both.error!.issues[0]!.message, /expected "pin" or "report", found both/);
  });

  void it('the printed result names the scope, the unpinned references and the pin runs', () => {
    const unpinned = collectImageTags(BRANCHES.slice(0, 1), { images: SCOPE }).unpinned;
    const result: SweepResult = {
      state: 'done',
      targetRepo: 'https://github.com/vexxhost/atmosphere',
      report: false,
      scope: 'ghcr.io/vexxhost/**',
      branches: ['main'],
      heads: {},
      pinCount: 120,
      pairCount: 100,
      counts: { current: 120, behind: 0, unavailable: 0 },
      behind: [],
      unavailable: [],
      bumps: [],
      unpinned,
      pins: [
        {
          branch: 'main',
          workflowId: pinWorkflowId('github.com/vexxhost/atmosphere', 'main'),
          images: [...new Set(unpinned.map((u) => u.id))],
          outcome: 'started',
        },
      ],
      table: '',
      markdown: '',
    };
    const text = formatSweep('sweep/vexxhost/atmosphere', result, { wide: true });
    assert.match(text, /^scope: ghcr\.io\/vexxhost\/\*\*$/m);
    assert.match(text, /120 pins: 0 behind, 120 current, 0 unavailable/);
    assert.match(text, /Unpinned \(by tag only, no digest: 5 references, not counted among the pins\):/);
    assert.match(
      text,
      /Pin runs:\n {2}main \(.*ghcr\.io\/vexxhost\/pod-tls-sidecar:v1\.0\.0.*\): started pin\/vexxhost\/atmosphere\/main/,
    );
    assert.equal(workflowIdProblem('pin/vexxhost/atmosphere/stable/2025.1'), undefined);
    assert.equal(pinWorkBranch('stable/2025.1'), 'pin-digests-2025.1');
  });
});
