/**
 * Notices, the worker's pure side: which targets a notice goes to, what it
 * says (summary, text, CLI line, Slack mrkdwn, webhook JSON), its delivery
 * id, and the config file's `notifications` block with every refusal as a
 * ConfigError naming the key and the line.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ConfigError, parseConfig } from '../../src/configFile.js';
import {
  deliveryId,
  noticeCommand,
  noticeTargetsFor,
  noticeWording,
  shellWord,
  slackBody,
  webhookBody,
} from '../../src/lib/kit/notices/index.js';
import type { Notice } from '../../src/shared/notices.js';
import { refusedConfig, sampleNotice } from '../support/fixtures.js';

/** the fixture's two branches */
const notice = (over: Partial<Notice> = {}) => sampleNotice({ branches: ['stable/2024.1', 'main'], ...over });
const refused = refusedConfig;

const UI = 'http://ui.example/namespaces/default/workflows/bump%2Fvexxhost%2Fatmosphere%2Fkeystone';

describe('notice filters', () => {
  const targets = [
    { name: 'all', attempts: 3, timeoutMs: 10_000 },
    { name: 'bumps', procedures: ['bump'] as const, attempts: 2, timeoutMs: 500 },
    { name: 'trouble', states: ['blocked', 'failed'] as const, attempts: 5, timeoutMs: 1_000 },
    {
      name: 'catalog-failed',
      procedures: ['catalog'] as const,
      states: ['failed'] as const,
      attempts: 1,
      timeoutMs: 2_000,
    },
  ];

  it('keeps the config order and the tries and deadline of each target that matches', () => {
    assert.deepEqual(noticeTargetsFor(targets, { procedure: 'bump', state: 'blocked' }), [
      { name: 'all', attempts: 3, timeoutMs: 10_000 },
      { name: 'bumps', attempts: 2, timeoutMs: 500 },
      { name: 'trouble', attempts: 5, timeoutMs: 1_000 },
    ]);
    assert.deepEqual(
      noticeTargetsFor(targets, { procedure: 'catalog', state: 'failed' }).map((t) => t.name),
      ['all', 'trouble', 'catalog-failed'],
    );
    assert.deepEqual(
      noticeTargetsFor(targets, { procedure: 'promote', state: 'pr-opened' }).map((t) => t.name),
      ['all'],
    );
    assert.deepEqual(noticeTargetsFor([], { procedure: 'bump', state: 'failed' }), []);
  });
});

describe('notice wording', () => {
  it('awaiting approval: approve is the CLI line, reject is mentioned, the branches and the UI link are named', () => {
    const n = notice();
    const w = noticeWording(n, UI);
    assert.equal(w.command, 'bumpflow approve bump/vexxhost/atmosphere/keystone');
    assert.equal(
      w.summary,
      'bumpflow bump: keystone in github.com/vexxhost/atmosphere is awaiting approval on 2 branches',
    );
    assert.equal(w.text.split('\n')[0], w.summary);
    assert.match(w.text, /^Branches: stable\/2024\.1, main$/m);
    assert.match(w.text, /bumpflow reject bump\/vexxhost\/atmosphere\/keystone --reason …/);
    assert.ok(w.text.includes(`Temporal UI: ${UI}`), w.text);
    assert.ok(w.text.includes(`Approve: ${w.command}`), w.text);
  });

  it('blocked: retry, with --branch when exactly one branch is named, and the step and error', () => {
    const one = notice({
      state: 'blocked',
      branches: ['stable/2024.1'],
      step: 'resolveDigest',
      error: 'registry ghcr.io answered 503\n  (after 5 tries)',
      key: 'blocked:stable/2024.1',
    });
    const w = noticeWording(one, UI);
    assert.equal(w.command, 'bumpflow retry bump/vexxhost/atmosphere/keystone --branch stable/2024.1');
    assert.match(w.summary, /is blocked at resolveDigest on stable\/2024\.1$/);
    assert.match(w.text, /^Step: resolveDigest$/m);
    assert.match(w.text, /^Error: registry ghcr\.io answered 503 \(after 5 tries\)$/m);
    assert.equal(
      noticeCommand(notice({ state: 'blocked' })),
      'bumpflow retry bump/vexxhost/atmosphere/keystone',
    );
  });

  it('failed and pr-opened: status is the CLI line; the pull requests are linked', () => {
    const failed = noticeWording(notice({ state: 'failed', error: 'stale tag' }), UI);
    assert.equal(failed.command, 'bumpflow status bump/vexxhost/atmosphere/keystone');
    assert.match(failed.summary, / failed on 2 branches$/);
    assert.match(failed.text, /^Error: stale tag$/m);
    const prs = [
      { branch: 'stable/2024.1', url: 'https://github.com/vexxhost/atmosphere/pull/7' },
      { branch: 'main', url: 'https://github.com/vexxhost/atmosphere/pull/8' },
    ];
    const opened = noticeWording(notice({ state: 'pr-opened', prs }), UI);
    assert.equal(opened.command, 'bumpflow status bump/vexxhost/atmosphere/keystone');
    assert.match(opened.summary, /opened 2 pull requests on 2 branches$/);
    assert.match(
      opened.text,
      /^Pull request \(main\): https:\/\/github\.com\/vexxhost\/atmosphere\/pull\/8$/m,
    );
    assert.match(opened.slackText, /<https:\/\/github\.com\/vexxhost\/atmosphere\/pull\/7\|/);
  });

  it('quotes an id with characters outside the shell-safe set', () => {
    assert.equal(shellWord('bump/a/b:c@d+e=f-g.h_i'), 'bump/a/b:c@d+e=f-g.h_i');
    assert.equal(shellWord('my bump'), "'my bump'");
    assert.equal(shellWord("it's"), `'it'\\''s'`);
    assert.equal(shellWord(''), "''");
    const n = notice({ workflowId: 'bump/x/y;rm -rf ~', state: 'blocked', branches: ['release 1'] });
    assert.equal(noticeCommand(n), `bumpflow retry 'bump/x/y;rm -rf ~' --branch 'release 1'`);
  });

  it('Slack mrkdwn: bold procedure, linked UI, the command in backticks, control characters escaped', () => {
    const body = slackBody(notice({ subject: 'a <b> & c' }), UI);
    assert.equal(body.unfurl_links, false);
    assert.match(body.text, /^\*bumpflow bump\*: a &lt;b&gt; &amp; c is awaiting approval/);
    assert.ok(body.text.includes(`<${UI}|`), body.text);
    assert.ok(body.text.includes('`bumpflow approve bump/vexxhost/atmosphere/keystone`'), body.text);
    assert.ok(!body.text.includes('<b>'), body.text);
  });

  it('the webhook body: type, version, the delivery id, the notice, the UI link, the command and the text', () => {
    const n = notice({ state: 'failed', error: 'boom' });
    const id = deliveryId(n, 'ops-hook');
    const body = webhookBody(n, UI, id);
    assert.deepEqual(body, {
      type: 'bumpflow.notice',
      version: 1,
      id,
      procedure: 'bump',
      state: 'failed',
      subject: n.subject,
      workflowId: n.workflowId,
      runId: 'run-1',
      branches: ['stable/2024.1', 'main'],
      prs: [],
      error: 'boom',
      uiUrl: UI,
      command: 'bumpflow status bump/vexxhost/atmosphere/keystone',
      text: noticeWording(n, UI).text,
    });
    assert.ok(!('step' in body));
  });

  it('the delivery id is the sha256 of workflowId, runId, key and target, one per line', () => {
    const n = notice();
    const expected = createHash('sha256')
      .update('bump/vexxhost/atmosphere/keystone\nrun-1\nawaiting-approval\nops-hook')
      .digest('hex');
    assert.equal(deliveryId(n, 'ops-hook'), expected);
    assert.notEqual(deliveryId(n, 'other'), expected);
    assert.notEqual(deliveryId({ ...n, runId: 'run-2' }, 'ops-hook'), expected);
    assert.notEqual(deliveryId({ ...n, key: 'blocked:main' }, 'ops-hook'), expected);
  });
});

describe('config: notifications', () => {
  it('parses a valid block with its defaults; none is []', () => {
    const config = parseConfig(
      [
        'notifications:',
        '  - name: release-slack',
        '    kind: slack',
        '    urlEnv: BUMPFLOW_SLACK_WEBHOOK_URL',
        '    procedures: [bump, catalog]',
        '    states: [awaiting-approval, blocked, failed]',
        '  - name: ops-hook',
        '    kind: webhook',
        '    url: https://hooks.example.org/bumpflow',
        '    tokenEnv: OPS_HOOK_TOKEN',
        '    timeout: 2s',
        '    attempts: 5',
        '',
      ].join('\n'),
      'bumpflow.yaml',
    );
    assert.deepEqual(config.notifications, [
      {
        name: 'release-slack',
        kind: 'slack',
        urlEnv: 'BUMPFLOW_SLACK_WEBHOOK_URL',
        procedures: ['bump', 'catalog'],
        states: ['awaiting-approval', 'blocked', 'failed'],
        timeout: '10s',
        attempts: 3,
      },
      {
        name: 'ops-hook',
        kind: 'webhook',
        url: 'https://hooks.example.org/bumpflow',
        tokenEnv: 'OPS_HOOK_TOKEN',
        timeout: '2s',
        attempts: 5,
      },
    ]);
    assert.deepEqual(parseConfig('', 'empty.yaml').notifications, []);
  });

  const hook = (extra: string) => `notifications:\n  - name: ops-hook\n    kind: webhook\n${extra}`;

  it('refuses both url and urlEnv, and neither', () => {
    refused(
      hook('    url: https://hooks.example.org/x\n    urlEnv: OPS_HOOK_URL\n'),
      'notifications.0.urlEnv',
      5,
      /expected exactly one of url, urlEnv \(url is set too\), found "OPS_HOOK_URL"$/,
    );
    refused(hook(''), 'notifications.0.urlEnv', 2, /expected exactly one of url, urlEnv, found nothing$/);
  });

  it('refuses a slack URL written in the file, without repeating it', () => {
    const url = 'https://hooks.slack.com/services/T000/B000/XXXXSECRET';
    assert.throws(
      () => parseConfig(`notifications:\n  - name: s\n    kind: slack\n    url: ${url}\n`, 'bumpflow.yaml'),
      (err: unknown) => err instanceof ConfigError && !err.message.includes('XXXXSECRET'),
    );
    refused(
      `notifications:\n  - name: s\n    kind: slack\n    url: ${url}\n`,
      'notifications.0.urlEnv',
      2,
      /a slack target's URL is a credential: expected urlEnv .* instead of url/,
    );
  });

  it('refuses duplicate names, unknown procedures and states, 0 attempts, a token on slack', () => {
    refused(
      `${hook('    urlEnv: A_URL\n')}  - name: ops-hook\n    kind: webhook\n    urlEnv: B_URL\n`,
      'notifications.1.name',
      5,
      /expected unique target names \(notifications\.0 has this one too\), found "ops-hook"$/,
    );
    refused(
      hook('    urlEnv: A_URL\n    procedures: [bump, mirror]\n'),
      'notifications.0.procedures.1',
      5,
      /expected one of bump, promote, .*, found "mirror"$/,
    );
    refused(
      hook('    urlEnv: A_URL\n    states: [done]\n'),
      'notifications.0.states.0',
      5,
      /expected one of awaiting-approval, blocked, failed, pr-opened, found "done"$/,
    );
    refused(
      hook('    urlEnv: A_URL\n    attempts: 0\n'),
      'notifications.0.attempts',
      5,
      /expected 1 to 10 attempts, found 0$/,
    );
    refused(
      hook('    urlEnv: A_URL\n    attempts: 11\n'),
      'notifications.0.attempts',
      5,
      /expected 1 to 10 attempts, found 11$/,
    );
    refused(
      hook('    urlEnv: A_URL\n    timeout: 0s\n'),
      'notifications.0.timeout',
      5,
      /expected a notice timeout as a positive duration from 1ms to 10m .*, found "0s" \(a duration must be longer than zero\)$/,
    );
    refused(
      hook('    urlEnv: A_URL\n    timeout: soon\n'),
      'notifications.0.timeout',
      5,
      /expected a notice timeout as .*, found "soon" \(cannot read "soon"\)$/,
    );
    refused(
      'notifications:\n  - name: s\n    kind: slack\n    urlEnv: S_URL\n    tokenEnv: S_TOKEN\n',
      'notifications.0.tokenEnv',
      5,
      /expected tokenEnv on a webhook target only/,
    );
    refused(
      'notifications:\n  - name: Ops Hook\n    kind: webhook\n    urlEnv: A_URL\n',
      'notifications.0.name',
      2,
      /expected a target name of lowercase letters/,
    );
  });
});
