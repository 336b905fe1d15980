/** Config cases: promotion (stamp, aliases, approval globs, timeout), cleanup and notifications. */
import { SECRET, webhook, type ConfigCase } from './configCaseKit.js';

const STAMP = 'expected a stamp template such as \\{tag\\}-\\{date\\}-\\{revision:7\\}, found';
const TAG =
  'expected a tag of letters, digits, _ \\. - \\(not starting with \\. or -, at most 128 characters\\)';
const rule = (line: string) =>
  `promotion:\n  approval:\n    - { tags: prod, required: true }\n    - ${line}\n`;

export const promotionCases: ConfigCase[] = [
  {
    yaml: "promotion:\n  stamp: '{tag}-{date}'\n",
    key: 'promotion.stamp',
    line: 2,
    says: new RegExp(`^${STAMP} "\\{tag\\}-\\{date\\}": no \\{revision\\} or \\{revision:N\\}`),
  },
  {
    yaml: "promotion:\n  stamp: ''\n",
    key: 'promotion.stamp',
    line: 2,
    says: new RegExp(`^${STAMP} "": the template is empty`),
  },
  {
    yaml: "promotion:\n  stamp: '{tag}-{nope}-{revision}'\n",
    key: 'promotion.stamp',
    line: 2,
    says: new RegExp(`^${STAMP} .*: unknown placeholder \\{nope\\}`),
  },
  {
    yaml: "promotion:\n  stamp: '{tag} {revision:7}'\n",
    key: 'promotion.stamp',
    line: 2,
    says: new RegExp(`^${STAMP} .*: with sample values it gives "prod 0123456", not a valid tag`),
  },
  {
    yaml: "promotion:\n  stamp: '{tag}-{revision:99}'\n",
    key: 'promotion.stamp',
    line: 2,
    says: new RegExp(
      `^${STAMP} .*: \\{revision:99\\} asks for 99 characters of the revision \\(expected 7 to 40\\)`,
    ),
  },
  {
    yaml: 'promotion:\n  aliases:\n    prod: latest\n',
    key: 'promotion.aliases.prod',
    line: 3,
    says: /^expected a list, found "latest"/,
  },
  {
    yaml: 'promotion:\n  aliases:\n    prod: [latest, "la test"]\n',
    key: 'promotion.aliases.prod.1',
    line: 3,
    says: new RegExp(`^${TAG}, found "la test"$`),
  },
  {
    yaml: 'promotion:\n  aliases:\n    prod: [latest]\n    "pr/od": [stable]\n',
    key: 'promotion.aliases.pr/od',
    line: 4,
    says: new RegExp(`^${TAG} as the key, found "pr/od"$`),
  },
  {
    yaml: 'promotion:\n  aliases:\n    prod: [".hidden"]\n',
    key: 'promotion.aliases.prod.0',
    line: 3,
    says: new RegExp(`^${TAG}, found "\\.hidden"$`),
  },
  {
    yaml: 'promotion:\n  approvalTimeout: 1ms\n',
    key: 'promotion.approvalTimeout',
    line: 2,
    says: /^expected an approval timeout as .*, found "1ms" \(shorter than 1s\)/,
  },
  {
    yaml: 'promotion:\n  approvalTimeout: soon\n',
    key: 'promotion.approvalTimeout',
    line: 2,
    says: /^expected an approval timeout as .*, found "soon" \(cannot read "soon"\)/,
  },
  {
    yaml: rule('{ tags: "prod{", required: false }'),
    key: 'promotion.approval.1.tags',
    line: 4,
    says: /^expected a tag glob .*, found "prod\{", which matches nothing \(an unclosed \[ or \{\)$/,
  },
  {
    yaml: rule('{ tags: "prod-[9-0]*", required: false }'),
    key: 'promotion.approval.1.tags',
    line: 4,
    says: /^expected a tag glob .*, found "prod-\[9-0\]\*", which matches nothing \(Range out of order/,
  },
  {
    yaml: rule('{ tags: "prod latest", required: false }'),
    key: 'promotion.approval.1.tags',
    line: 4,
    says: /^expected a tag glob .*, found "prod latest"$/,
  },
  {
    yaml: rule('{ tags: "", required: false }'),
    key: 'promotion.approval.1.tags',
    line: 4,
    says: /^expected a tag glob .*, found ""$/,
  },
  {
    yaml: rule('{ images: "GHCR.io/acme/*", required: false }'),
    key: 'promotion.approval.1.images',
    line: 4,
    says: /^expected an image glob .*, found "GHCR\.io\/acme\/\*"$/,
  },
  {
    yaml: rule('{ images: "ghcr.io/acme/[ab", required: false }'),
    key: 'promotion.approval.1.images',
    line: 4,
    says: /^expected an image glob .*, found "ghcr\.io\/acme\/\[ab", which matches nothing/,
  },
  {
    yaml: rule('{ images: "ghcr.io/acme/*" }'),
    key: 'promotion.approval.1.required',
    line: 4,
    says: /^expected boolean, found nothing/,
  },
  {
    yaml: rule('{ tags: prod, required: "no" }'),
    key: 'promotion.approval.1.required',
    line: 4,
    says: /^expected boolean, found "no"/,
  },
  {
    yaml: 'promotion:\n  approval: { tags: prod, required: true }\n',
    key: 'promotion.approval',
    line: 2,
    says: /^expected a list, found \{"tags":"prod","required":true\}/,
  },
  {
    yaml: 'cleanup:\n  approveAbove: -1\n',
    key: 'cleanup.approveAbove',
    line: 2,
    says: /^expected a number of at least 0, found -1/,
  },
  {
    yaml: 'cleanup:\n  approveAbove: 1.5\n',
    key: 'cleanup.approveAbove',
    line: 2,
    says: /^expected a whole number, found 1\.5/,
  },
  {
    yaml: 'cleanup:\n  approveAbove: ten\n',
    key: 'cleanup.approveAbove',
    line: 2,
    says: /^expected number, found "ten"/,
  },
  {
    yaml: 'cleanup:\n  approveAbove: 1000000\n',
    key: 'cleanup.approveAbove',
    line: 2,
    says: /^expected a number of at most 100000, found 1000000/,
  },
  {
    yaml: 'cleanup:\n  keep: 3\n',
    key: 'cleanup.keep',
    line: 2,
    says: /^expected one of the documented keys .*, found an unknown key "keep"/,
  },
];

export const notificationCases: ConfigCase[] = [
  {
    yaml: webhook(`url: https://ops:${SECRET}@hooks.example.com/bumpflow`, 'tokenEnv: HOOK_TOKEN'),
    key: 'notifications.0.url',
    line: 4,
    says: /^expected a webhook URL without credentials: a token belongs in tokenEnv .*; found "https:\/\/\*\*\*@hooks\.example\.com\/bumpflow"$/,
  },
  {
    yaml: webhook('url: ftp://hooks.example.com/x'),
    key: 'notifications.0.url',
    line: 4,
    says: /^expected an http\(s\) URL, found "ftp:\/\/hooks\.example\.com\/x"$/,
  },
  {
    yaml: webhook("url: 'https://hooks example.com/x'"),
    key: 'notifications.0.url',
    line: 4,
    says: /^expected an http\(s\) URL, found "https:\/\/hooks example\.com\/x" \(whitespace or a control character\)/,
  },
  {
    yaml: webhook('urlEnv: hook_url'),
    key: 'notifications.0.urlEnv',
    line: 4,
    says: /^expected the NAME of an environment variable .*, found "hook_url"/,
  },
  {
    yaml: webhook(),
    key: 'notifications.0.urlEnv',
    line: 2,
    says: /^expected exactly one of url, urlEnv, found nothing/,
  },
  {
    yaml: webhook('url: https://hooks.example.com/x', 'urlEnv: HOOK_URL'),
    key: 'notifications.0.urlEnv',
    line: 5,
    says: /^expected exactly one of url, urlEnv \(url is set too\), found "HOOK_URL"/,
  },
  {
    yaml: webhook('url: https://hooks.example.com/x', 'tokenEnv: BAD-NAME'),
    key: 'notifications.0.tokenEnv',
    line: 5,
    says: /^expected the NAME of an environment variable .*, found "BAD-NAME"/,
  },
  {
    yaml: webhook('url: https://hooks.example.com/x', `token: ${SECRET}`),
    key: 'notifications.0.token',
    line: 5,
    says: /^expected the name of an environment variable that holds the secret .*, found a value written in the file/,
  },
  {
    yaml: webhook('url: https://hooks.example.com/x', 'timeout: 1h'),
    key: 'notifications.0.timeout',
    line: 5,
    says: /^expected a notice timeout as a positive duration from 1ms to 10m .*, found "1h" \(longer than 10m\)/,
  },
  {
    yaml: webhook('url: https://hooks.example.com/x', 'timeout: 0s'),
    key: 'notifications.0.timeout',
    line: 5,
    says: /^expected a notice timeout as .*, found "0s" \(a duration must be longer than zero\)/,
  },
  {
    yaml: webhook('url: https://hooks.example.com/x', 'attempts: 0'),
    key: 'notifications.0.attempts',
    line: 5,
    says: /^expected 1 to 10 attempts, found 0/,
  },
  {
    yaml: webhook('url: https://hooks.example.com/x', 'attempts: 2.5'),
    key: 'notifications.0.attempts',
    line: 5,
    says: /^expected a whole number of attempts, 1 to 10, found 2\.5/,
  },
  {
    yaml: webhook('url: https://hooks.example.com/x', 'states: [done]'),
    key: 'notifications.0.states.0',
    line: 5,
    says: /^expected one of awaiting-approval, blocked, failed, pr-opened, found "done"/,
  },
  {
    yaml: webhook('url: https://hooks.example.com/x', 'procedures: [deploy]'),
    key: 'notifications.0.procedures.0',
    line: 5,
    says: /^expected one of bump, promote, rollback, cleanup, retag, catalog, sweep, pin, found "deploy"/,
  },
  {
    yaml: webhook('url: https://hooks.example.com/x', 'procedures: bump'),
    key: 'notifications.0.procedures',
    line: 5,
    says: /^expected a list, found "bump"/,
  },
  {
    yaml: 'notifications:\n  - name: chat\n    kind: email\n    url: https://hooks.example.com/x\n',
    key: 'notifications.0.kind',
    line: 3,
    says: /^expected slack or webhook, found "email"/,
  },
  {
    yaml: 'notifications:\n  - name: Ops Chat\n    kind: webhook\n    url: https://hooks.example.com/x\n',
    key: 'notifications.0.name',
    line: 2,
    says: /^expected a target name of lowercase letters, digits, \. _ -, found "Ops Chat"/,
  },
  {
    yaml: 'notifications:\n  - name: chat\n    kind: slack\n    url: https://hooks.slack.com/services/T/B/X\n',
    key: 'notifications.0.urlEnv',
    line: 2,
    says: /^a slack target's URL is a credential: expected urlEnv \(the variable holding it\) instead of url, found nothing/,
  },
  {
    yaml: 'notifications:\n  - name: chat\n    kind: slack\n    urlEnv: SLACK_URL\n    tokenEnv: SLACK_TOKEN\n',
    key: 'notifications.0.tokenEnv',
    line: 5,
    says: /^expected tokenEnv on a webhook target only .*, found "SLACK_TOKEN"/,
  },
  {
    yaml: `${webhook('url: https://hooks.example.com/a')}  - name: ops\n    kind: webhook\n    url: https://hooks.example.com/b\n`,
    key: 'notifications.1.name',
    line: 5,
    says: /^expected unique target names \(notifications\.0 has this one too\), found "ops"/,
  },
  {
    yaml: 'notifications:\n  name: ops\n',
    key: 'notifications',
    line: 1,
    says: /^expected a list, found \{"name":"ops"\}/,
  },
];
