/**
 * The catalog command's parser and what the CLI makes of its scope: `--path`
 * optional and repeatable (one → `path`, as every run before had; several →
 * `paths`; none → every catalog of `--dir` or etc/images), the same parser for
 * a schedule's words, the workflow id / summary / schedule note from the scope,
 * and the status table's FILE column in a run of several catalogs.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { TemporalSettings } from '../../src/config.js';
import type { CatalogImageRow, CatalogStatus } from '../../src/shared/catalog.js';
import type { CliContext } from '../../src/cli/kit/context.js';
import { CliError, ExitCode } from '../../src/cli/kit/exitCodes.js';
import { parseCatalogWords } from '../../src/cli/catalog/catalogRequest.js';
import { checkCatalogRequest, startCatalog } from '../../src/cli/catalog/catalogStart.js';
import { createSchedule } from '../../src/cli/schedule/scheduleActions.js';
import { formatCatalogStatus } from '../../src/cli/catalog/catalogFormat.js';
import { catalogStatusWith } from '../support/catalogStatus.js';

const REPO = 'https://github.com/osism/openstack-image-manager';
const UBUNTU = 'etc/images/ubuntu.yml';
const DEBIAN = 'etc/images/debian.yml';
const SETTINGS: TemporalSettings = {
  address: '127.0.0.1:1',
  namespace: 'default',
  taskQueue: 'bumpflow-test',
  uiUrl: 'http://localhost:8233',
};
const ctx: CliContext = {
  env: { USER: 'ops' },
  settings: SETTINGS,
  config: () => undefined,
  client: () => Promise.reject(new Error('no server in this test')),
};

const words = (...rest: string[]) => ['catalog', '--repo', REPO, ...rest];
const parse = (...rest: string[]) => parseCatalogWords(ctx, words(...rest));

/** The usage error (exit 2) `run` throws. */
function refusalOf(run: () => unknown): CliError {
  try {
    run();
  } catch (err) {
    assert.ok(err instanceof CliError, `expected a CliError, found ${String(err)}`);
    assert.equal(err.exitCode, ExitCode.usage);
    return err;
  }
  assert.fail('expected a refusal, found none');
}

void describe('catalog --path / --dir: what the update reads', () => {
  void it('one --path is `path`, the input a one-catalog run always had (same keys, same order)', () => {
    const r = parse('--path', UBUNTU);
    assert.equal(r.path, UBUNTU);
    assert.equal('paths' in r, false);
    assert.equal('dir' in r, false);
    assert.equal(
      JSON.stringify(r),
      JSON.stringify({ repoUrl: REPO, path: UBUNTU, branch: 'main', dryRun: false, requestedBy: 'ops' }),
    );
  });

  void it('--path twice is `paths`, in the order typed', () => {
    const r = parse('--path', UBUNTU, '--path', DEBIAN);
    assert.deepEqual(r.paths, [UBUNTU, DEBIAN]);
    assert.equal('path' in r, false);
    assert.equal('dir' in r, false);
  });

  void it('no --path is neither: every catalog of etc/images in one run', () => {
    const r = parse('--keep', '2');
    for (const key of ['path', 'paths', 'dir']) assert.equal(key in r, false, key);
    assert.equal(r.keep, 2);
    assert.equal(checkCatalogRequest(r).scope, 'etc/images/');
  });

  void it('--dir alone is `dir`', () => {
    const r = parse('--dir', 'etc/other');
    assert.equal(r.dir, 'etc/other');
    assert.equal('path' in r, false);
    assert.equal('paths' in r, false);
    assert.equal(checkCatalogRequest(r).scope, 'etc/other/');
  });

  void it('--dir with --path is refused (exit 2), naming both', () => {
    const e = refusalOf(() => parse('--dir', 'etc/images', '--path', UBUNTU));
    assert.match(e.message, /^--dir: expected either --dir <folder> .* or --path <file> .*, not both; found/);
    assert.match(e.message, /found --dir "etc\/images" and --path "etc\/images\/ubuntu\.yml"$/);
  });

  void it('a --path given twice is refused (exit 2), naming it', () => {
    const e = refusalOf(() => parse('--path', UBUNTU, '--path', DEBIAN, '--path', UBUNTU));
    assert.match(e.message, /--path: expected each catalog once, found "etc\/images\/ubuntu\.yml" twice/);
  });

  void it('more than 50 catalogs are refused; 50 are taken', () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => ['--path', `c${i}.yml`]).flat();
    assert.equal(parse(...many(50)).paths?.length, 50);
    const e = refusalOf(() => parse(...many(51)));
    assert.match(e.message, /--path: expected at most 50 catalogs .*, found 51 \(the last "c50\.yml"\)/);
  });

  void it('each --path and --dir is checked as a path inside the repository', () => {
    assert.match(
      refusalOf(() => parse('--path', UBUNTU, '--path', '../x.yml')).message,
      /--path: expected a relative path/,
    );
    assert.match(refusalOf(() => parse('--dir', '/etc/images')).message, /--dir: expected a relative path/);
  });

  void it("a schedule's words parse without --path, and a bad first word names the optional --path", () => {
    const r = parseCatalogWords(ctx, ['catalog', '--repo', REPO, '--dry-run']);
    assert.equal(r.dryRun, true);
    for (const key of ['path', 'paths', 'dir']) assert.equal(key in r, false, key);
    const e = refusalOf(() => parseCatalogWords(ctx, ['sweep', '--repo', REPO]));
    assert.match(e.message, /"-- catalog --repo <url> \[--path <file>\]"/);
  });

  void it('names too long together for a workflow id are refused before anything starts', () => {
    const long = Array.from({ length: 20 }, (_, i) => [
      '--path',
      `etc/images/${'x'.repeat(50)}-${i}.yml`,
    ]).flat();
    const e = refusalOf(() => parse(...long));
    assert.match(
      e.message,
      /^--path: expected catalogs whose names together fit a workflow id of at most 900 characters .*, found \d+ characters$/,
    );
  });
});

/** A client whose workflow.start / schedule.create record what they were given. */
function recordingClient(fail?: Error) {
  const started: Record<string, unknown>[] = [];
  const client = {
    workflow: {
      start: (_type: string, o: Record<string, unknown>) => {
        if (fail) return Promise.reject(fail);
        started.push(o);
        return Promise.resolve({ workflowId: o.workflowId, firstExecutionRunId: 'r1' });
      },
    },
    schedule: {
      create: (o: Record<string, unknown>) => (started.push(o), Promise.resolve({})),
    },
  } as unknown as Client;
  return { client, started };
}

void describe('the workflow id, summary and schedule from the scope', () => {
  const SLUG_ID = 'catalog/osism/openstack-image-manager';

  void it('one catalog keeps its id and summary; several are joined by commas; none is etc/images/', async () => {
    for (const [rest, id, summary] of [
      [['--path', UBUNTU], `${SLUG_ID}/${UBUNTU}`, `the VM images of ${UBUNTU} in`],
      [['--path', UBUNTU, '--path', DEBIAN], `${SLUG_ID}/${UBUNTU},${DEBIAN}`, `of ${UBUNTU}, ${DEBIAN} in`],
      [['--branch', 'stable'], `${SLUG_ID}/etc/images/@stable`, 'the VM images of etc/images/ in'],
    ] as const) {
      const { client, started } = recordingClient();
      await startCatalog(client, SETTINGS, parse(...rest));
      assert.equal(started[0]?.workflowId, id);
      assert.ok(String(started[0]?.staticSummary).includes(summary), String(started[0]?.staticSummary));
    }
  });

  void it('a second update of the same catalogs is refused, naming them and the running id', async () => {
    const id = `${SLUG_ID}/${UBUNTU},${DEBIAN}`;
    const { client } = recordingClient(
      new WorkflowExecutionAlreadyStartedError('started', id, 'updateCatalog'),
    );
    await assert.rejects(startCatalog(client, SETTINGS, parse('--path', UBUNTU, '--path', DEBIAN)), (err) => {
      assert.ok(err instanceof CliError);
      assert.equal(
        err.message.split(': follow')[0],
        `an update of ${UBUNTU}, ${DEBIAN} in ${REPO} is already running as ${SLUG_ID}/${UBUNTU},${DEBIAN}`,
      );
      return true;
    });
  });

  void it("a catalog schedule's run id and note come from the scope", async () => {
    for (const [rest, id, note] of [
      [['--path', UBUNTU], `${SLUG_ID}/${UBUNTU}/images`, `of ${UBUNTU} in`],
      [
        ['--path', UBUNTU, '--path', DEBIAN],
        `${SLUG_ID}/${UBUNTU},${DEBIAN}/images`,
        `of ${UBUNTU}, ${DEBIAN} in`,
      ],
      [[], `${SLUG_ID}/etc/images/images`, 'of etc/images/ in'],
    ] as const) {
      const { client, started } = recordingClient();
      await createSchedule(client, SETTINGS, 'images', '1d', { command: 'catalog', request: parse(...rest) });
      const o = started[0] as { action: { workflowId: string }; state: { note: string } };
      assert.equal(o.action.workflowId, id);
      assert.ok(o.state.note.includes(note), o.state.note);
    }
  });
});

const row = (image: string, line: number, file?: string): CatalogImageRow => ({
  ...(file === undefined ? {} : { file }),
  image,
  line,
  old: { version: '20260108', checksum: `sha256:${'a'.repeat(64)}` },
  new: {
    version: '20260115',
    buildDate: '2026-01-15',
    checksum: `sha256:${'b'.repeat(64)}`,
    url: 'https://mirror/x.img',
    checksumUrl: 'https://mirror/SHA256SUMS',
  },
  change: 'update',
});

const status = (over: Partial<CatalogStatus>): CatalogStatus =>
  catalogStatusWith({ repo: REPO, path: UBUNTU, ...over });

void describe('formatCatalogStatus', () => {
  void it('a one-file run has no FILE column, its text as it always was', () => {
    const text = formatCatalogStatus(
      'ID',
      status({
        images: [row('Ubuntu 24.04', 3)],
        skipped: [{ image: 'Ubuntu 14.04', line: 90, why: 'disabled' }],
      }),
    );
    assert.equal(
      text,
      [
        `catalog ${UBUNTU} on main of ${REPO} (ID): awaiting-approval`,
        '',
        'IMAGE         LINE  OLD                              NEW                           BUILD DATE',
        'Ubuntu 24.04  3     20260108 sha256:aaaaaaaaaaaa  →  20260115 sha256:bbbbbbbbbbbb  2026-01-15',
        '',
        'left alone: Ubuntu 14.04 (disabled)',
      ].join('\n'),
    );
    assert.doesNotMatch(text, /FILE/);
  });

  void it('a run of several files shows a FILE column first, and names the file of each image left alone', () => {
    const text = formatCatalogStatus(
      'ID',
      status({
        path: 'etc/images/',
        files: [DEBIAN, UBUNTU],
        images: [row('Debian 12', 5, DEBIAN), row('Ubuntu 24.04', 3, UBUNTU)],
        skipped: [{ file: UBUNTU, image: 'Ubuntu 14.04', line: 90, why: 'disabled' }],
      }),
    );
    const lines = text.split('\n');
    assert.equal(lines[0], `catalog etc/images/ on main of ${REPO} (ID): awaiting-approval`);
    assert.equal(lines[1], `catalogs: ${DEBIAN}, ${UBUNTU}`);
    assert.match(lines[3]!, /^FILE {19}IMAGE {9}LINE {2}OLD {30}NEW/);
    assert.match(lines[4]!, /^etc\/images\/debian\.yml {2}Debian 12 {5}5 {5}20260108 sha256:a{12} {2}→/);
    assert.match(lines[5]!, /^etc\/images\/ubuntu\.yml {2}Ubuntu 24\.04 {2}3 {5}20260108 sha256:a{12} {2}→/);
    assert.equal(lines.at(-1), `left alone: ${UBUNTU}: Ubuntu 14.04 (disabled)`);
  });
});
