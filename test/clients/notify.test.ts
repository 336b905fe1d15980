/**
 * Delivering notices to REAL loopback HTTP receivers (node:http on
 * 127.0.0.1): the headers and bodies a receiver gets, the sent-ledger that
 * keeps a retry from sending twice, and how each answer is classified
 * (retryable NoticeNotDelivered, non-retryable NoticeRefused), without the
 * URL or the token in any message. The activities run through the same
 * wrapper as in the worker, inside the SDK's MockActivityEnvironment (a real
 * activity Context, no server).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { parseConfig } from '../../src/configFile.js';
import { noticeActivities } from '../../src/activities/kit/noticeActivities.js';
import { wrapActivities } from '../../src/activities/kit/wrap.js';
import { noticeSecrets, noticeSettings, type NoticeSettings } from '../../src/clients/notify/index.js';
import { deliveryId } from '../../src/lib/kit/notices/index.js';
import type {
  DeliverNoticeInput,
  DeliverNoticeResult,
  Notice,
  NoticeTarget,
} from '../../src/shared/notices.js';
import { sampleNotice as notice } from '../support/fixtures.js';

interface Received {
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** A loopback receiver answering `status` (changeable) and recording every request. */
function receiver() {
  const state = { status: 200, answer: 'ok', received: [] as Received[] };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString()) });
      res.writeHead(state.status, { 'content-type': 'text/plain' }).end(state.answer);
    });
  });
  return { server, state };
}

const listen = (server: Server) =>
  new Promise<string>((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );

const TOKEN = 'hook-token-7f3a9c2e';
const SLACK_PATH = '/services/T0001/B0001/slacksecretpath';

const hook = receiver();
const slack = receiver();
const failing = receiver();
const silentSockets = new Set<Socket>();
// accepts the connection, reads the request, never answers
const silent = createServer(() => undefined);
silent.on('connection', (s) => silentSockets.add(s));

let dir: string;
let settings: NoticeSettings;
let hookUrl: string;
let slackUrl: string;
let failingUrl: string;

function activities(notices: NoticeSettings | undefined) {
  return wrapActivities(noticeActivities({ notices }), { heartbeat: new Set() });
}

/** deliverNotice as the worker runs it; `notices` null: no settings at all */
const deliver = (
  input: DeliverNoticeInput,
  notices: NoticeSettings | null = settings,
): Promise<DeliverNoticeResult> =>
  new MockActivityEnvironment().run(activities(notices ?? undefined).deliverNotice, input);

async function failure(promise: Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof ApplicationFailure, `expected an ApplicationFailure, found ${String(err)}`);
    return err;
  }
  assert.fail('expected the delivery to fail');
}

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bumpflow-notices-'));
  hookUrl = `${await listen(hook.server)}/bumpflow`;
  slackUrl = `${await listen(slack.server)}${SLACK_PATH}`;
  failingUrl = `${await listen(failing.server)}/hook`;
  const silentUrl = `${await listen(silent)}/hook`;
  const config = parseConfig(
    [
      'notifications:',
      '  - name: ops-hook',
      '    kind: webhook',
      `    url: ${hookUrl}`,
      '    tokenEnv: OPS_HOOK_TOKEN',
      '    procedures: [bump, promote]',
      '  - name: release-slack',
      '    kind: slack',
      '    urlEnv: TEST_SLACK_URL',
      '    states: [awaiting-approval, failed]',
      '    timeout: 1s',
      '    attempts: 5',
      '  - name: flaky',
      '    kind: webhook',
      '    urlEnv: TEST_FLAKY_URL',
      '    tokenEnv: OPS_HOOK_TOKEN',
      '    procedures: [catalog]',
      '  - name: silent',
      '    kind: webhook',
      `    url: ${silentUrl}`,
      '    timeout: 0.3s',
      '    attempts: 1',
      '    procedures: [sweep]',
      '',
    ].join('\n'),
    'notify.yaml',
  );
  const env = { OPS_HOOK_TOKEN: TOKEN, TEST_SLACK_URL: slackUrl, TEST_FLAKY_URL: failingUrl };
  settings = noticeSettings(config, env, {
    uiUrl: 'http://ui.example',
    namespace: 'default',
    ledgerDir: path.join(dir, 'notices'),
  });
});

after(async () => {
  for (const s of silentSockets) s.destroy();
  for (const server of [hook.server, slack.server, failing.server, silent]) {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
  await rm(dir, { recursive: true, force: true });
});

const UI = 'http://ui.example/namespaces/default/workflows/bump%2Fvexxhost%2Fatmosphere%2Fkeystone';

describe('notice delivery', () => {
  it('planNotice: the targets whose filters match, with their tries and deadlines; none configured → []', async () => {
    const plan = (n: Notice, s: NoticeSettings | null = settings): Promise<NoticeTarget[]> =>
      new MockActivityEnvironment().run(activities(s ?? undefined).planNotice, n);
    assert.deepEqual(await plan(notice()), [
      { name: 'ops-hook', attempts: 3, timeoutMs: 10_000 },
      { name: 'release-slack', attempts: 5, timeoutMs: 1_000 },
    ]);
    assert.deepEqual(
      (await plan(notice({ procedure: 'catalog', state: 'blocked' }))).map((t) => t.name),
      ['flaky'],
    );
    assert.deepEqual(
      (await plan(notice({ procedure: 'rollback', state: 'failed' }))).map((t) => t.name),
      ['release-slack'],
    );
    assert.deepEqual(await plan(notice(), null), []);
  });

  it('a webhook gets one POST with the headers, the bearer token and the JSON body', async () => {
    const n = notice({ key: 'webhook-shape' });
    const result = await deliver({ target: 'ops-hook', notice: n });
    assert.deepEqual(result, { target: 'ops-hook', status: 'sent', httpStatus: 200 });
    assert.equal(hook.state.received.length, 1);
    const [got] = hook.state.received;
    const id = deliveryId(n, 'ops-hook');
    assert.equal(got!.headers['content-type'], 'application/json');
    assert.equal(got!.headers['user-agent'], 'bumpflow');
    assert.equal(got!.headers['x-bumpflow-delivery'], id);
    assert.equal(got!.headers.authorization, `Bearer ${TOKEN}`);
    const body = got!.body as Record<string, unknown>;
    assert.equal(body.type, 'bumpflow.notice');
    assert.equal(body.version, 1);
    assert.equal(body.id, id);
    assert.equal(body.uiUrl, UI);
    assert.equal(body.command, 'bumpflow approve bump/vexxhost/atmosphere/keystone');
    assert.deepEqual(
      { procedure: body.procedure, state: body.state, runId: body.runId, branches: body.branches },
      { procedure: 'bump', state: 'awaiting-approval', runId: 'run-1', branches: ['main'] },
    );
    assert.match(String(body.text), /bumpflow reject/);
    // the ledger holds one file, named by the delivery id
    const entry = JSON.parse(await readFile(path.join(dir, 'notices', id), 'utf8')) as Record<
      string,
      unknown
    >;
    assert.equal(entry.target, 'ops-hook');
    assert.equal(entry.state, 'awaiting-approval');
  });

  it('a Slack target gets {text} in mrkdwn with the UI link and the CLI line, and no token', async () => {
    const before = slack.state.received.length;
    const result = await deliver({ target: 'release-slack', notice: notice({ key: 'slack-shape' }) });
    assert.equal(result.status, 'sent');
    assert.equal(slack.state.received.length, before + 1);
    const got = slack.state.received.at(-1)!;
    assert.equal(got.headers.authorization, undefined);
    const body = got.body as { text: string; unfurl_links: boolean };
    assert.deepEqual(Object.keys(body).sort(), ['text', 'unfurl_links']);
    assert.equal(body.unfurl_links, false);
    assert.ok(body.text.includes(`<${UI}|`), body.text);
    assert.ok(body.text.includes('`bumpflow approve bump/vexxhost/atmosphere/keystone`'), body.text);
  });

  it('a retry after a crash finds the ledger entry and sends nothing; another key or run is sent', async () => {
    const n = notice({ key: 'retry-once' });
    assert.equal((await deliver({ target: 'ops-hook', notice: n })).status, 'sent');
    const count = hook.state.received.length;
    assert.deepEqual(await deliver({ target: 'ops-hook', notice: n }), {
      target: 'ops-hook',
      status: 'already-sent',
    });
    assert.equal(hook.state.received.length, count, 'no second request');
    assert.equal(
      (await deliver({ target: 'ops-hook', notice: { ...n, key: 'retry-twice' } })).status,
      'sent',
    );
    assert.equal((await deliver({ target: 'ops-hook', notice: { ...n, runId: 'run-2' } })).status, 'sent');
    assert.equal(hook.state.received.length, count + 2);
    const ids = hook.state.received.slice(-2).map((r) => r.headers['x-bumpflow-delivery']);
    assert.notEqual(ids[0], ids[1]);
  });

  it('a 500 is a retryable NoticeNotDelivered without URL or token; nothing is recorded, so the next try sends', async () => {
    failing.state.status = 500;
    failing.state.answer = `upstream broke; you sent ${TOKEN} to ${failingUrl}`;
    const n = notice({ procedure: 'catalog', key: 'after-500' });
    const err = await failure(deliver({ target: 'flaky', notice: n }));
    assert.equal(err.type, 'NoticeNotDelivered');
    assert.equal(err.nonRetryable, false);
    assert.match(err.message, /notification target flaky answered 500/);
    for (const secret of [failingUrl, TOKEN, new URL(failingUrl).host])
      assert.ok(!err.message.includes(secret));
    assert.equal(failing.state.received.length, 1);
    await assert.rejects(readFile(path.join(dir, 'notices', deliveryId(n, 'flaky'))), { code: 'ENOENT' });
    failing.state.status = 200;
    assert.deepEqual(await deliver({ target: 'flaky', notice: n }), {
      target: 'flaky',
      status: 'sent',
      httpStatus: 200,
    });
    assert.equal(failing.state.received.length, 2);
    assert.equal(
      failing.state.received[0]!.headers['x-bumpflow-delivery'],
      failing.state.received[1]!.headers['x-bumpflow-delivery'],
      'the same delivery id on every try',
    );
  });

  it('a 404 is a non-retryable NoticeRefused naming the target, the status and the answer, never the URL or token', async () => {
    failing.state.status = 404;
    failing.state.answer = `no such hook ${failingUrl} for ${TOKEN} ${'x'.repeat(400)}`;
    const err = await failure(deliver({ target: 'flaky', notice: notice({ key: 'refused' }) }));
    assert.equal(err.type, 'NoticeRefused');
    assert.equal(err.nonRetryable, true);
    assert.match(
      err.message,
      /notification target flaky refused the notice: expected a 2xx answer, found 404: no such hook/,
    );
    assert.ok(!err.message.includes(failingUrl) && !err.message.includes(TOKEN), err.message);
    assert.ok(err.message.length < 400, `at most 200 characters of the answer: ${err.message.length}`);
    failing.state.status = 200;
  });

  it('a receiver that never answers: NoticeNotDelivered, no answer within 300 ms', async () => {
    const err = await failure(
      deliver({ target: 'silent', notice: notice({ procedure: 'sweep', key: 'silent' }) }),
    );
    assert.equal(err.type, 'NoticeNotDelivered');
    assert.equal(err.nonRetryable, false);
    assert.match(err.message, /^notification target silent did not answer: no answer within 300 ms$/);
  });

  it('a refused connection: NoticeNotDelivered without the address', async () => {
    const closed = createServer();
    const url = `${await listen(closed)}/gone`;
    await new Promise((r) => closed.close(r));
    const only = noticeSettings(
      parseConfig(`notifications:\n  - name: down\n    kind: webhook\n    urlEnv: DOWN_URL\n`, 'n.yaml'),
      { DOWN_URL: url },
      { uiUrl: 'http://ui.example', namespace: 'default', ledgerDir: path.join(dir, 'down') },
    );
    const err = await failure(deliver({ target: 'down', notice: notice() }, only));
    assert.equal(err.type, 'NoticeNotDelivered');
    assert.match(err.message, /^notification target down did not answer: ECONNREFUSED/);
    assert.ok(!err.message.includes(new URL(url).host), err.message);
    assert.deepEqual(await readdir(dir).then((d) => d.includes('down')), false);
  });

  it('a target no longer configured is gone, with no request', async () => {
    const counts = [hook, slack, failing].map((r) => r.state.received.length);
    assert.deepEqual(await deliver({ target: 'removed', notice: notice() }), {
      target: 'removed',
      status: 'gone',
    });
    assert.deepEqual(await deliver({ target: 'ops-hook', notice: notice() }, null), {
      target: 'ops-hook',
      status: 'gone',
    });
    assert.deepEqual(
      [hook, slack, failing].map((r) => r.state.received.length),
      counts,
    );
  });
});

describe('notice settings', () => {
  const config = parseConfig(
    'notifications:\n  - name: release-slack\n    kind: slack\n    urlEnv: SLACK_URL\n  - name: ops-hook\n    kind: webhook\n    url: https://hooks.example.org/x\n    tokenEnv: HOOK_TOKEN\n',
    'n.yaml',
  );
  const where = { uiUrl: 'http://ui', namespace: 'default', ledgerDir: '/nonexistent' };

  it('names the target and the variable when a named variable is unset or empty', () => {
    assert.throws(
      () => noticeSettings(config, { HOOK_TOKEN: 't' }, where),
      /^BadInput: notification target release-slack: expected the environment variable SLACK_URL to hold its URL, found it unset$/,
    );
    assert.throws(
      () => noticeSettings(config, { SLACK_URL: 'https://hooks.slack.example/s', HOOK_TOKEN: '' }, where),
      /notification target ops-hook: expected the environment variable HOOK_TOKEN to hold its token, found it empty/,
    );
    assert.throws(
      () => noticeSettings(config, { SLACK_URL: 'not a url secret', HOOK_TOKEN: 't' }, where),
      (err: Error) =>
        /expected the environment variable SLACK_URL to hold an http\(s\) URL/.test(err.message) &&
        !err.message.includes('secret'),
    );
  });

  it('lists the URLs from the environment and the tokens as secrets, not the URLs written in the file', () => {
    const s = noticeSettings(
      config,
      { SLACK_URL: 'https://hooks.slack.example/s/1', HOOK_TOKEN: 'tok-123456' },
      where,
    );
    assert.deepEqual(noticeSecrets(s).sort(), ['https://hooks.slack.example/s/1', 'tok-123456']);
    assert.deepEqual(noticeSecrets(undefined), []);
    assert.deepEqual(
      s.targets.map((t) => [t.name, t.attempts, t.timeoutMs]),
      [
        ['release-slack', 3, 10_000],
        ['ops-hook', 3, 10_000],
      ],
    );
  });
});
