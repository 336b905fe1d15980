import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  commitMessage,
  commitSubject,
  commitType,
  prBody,
  prTitle,
  type PlanText,
} from '../../src/lib/bump/pullRequest.js';
import { publicRepoUrl } from '../../src/lib/kit/repoUrl.js';
import { parseReason } from '../../src/lib/bump/reason.js';

const OLD = 'sha256:9c68f141c7b0646365e5a5480fdd5eb46f6b35b743ee73aa2b0ce9b7a3a9b8e1';
const NEW = 'sha256:abcdef1234567890abcdef1234567890abcdef1234567890abcdef1234567890';
const OLD_REV = '1111111111111111111111111111111111111111';
const NEW_REV = '2222222222222222222222222222222222222222';
const REPO = 'https://github.com/vexxhost/docker-magnum';

function plan(overrides: Partial<PlanText> = {}): PlanText {
  return {
    service: 'magnum',
    branch: 'stable/2025.1',
    image: 'ghcr.io/vexxhost/magnum',
    tag: '2025.1',
    oldDigest: OLD,
    newDigest: NEW,
    oldRevision: OLD_REV,
    newRevision: NEW_REV,
    sourceRepoUrl: REPO,
    reason: undefined,
    validation: [
      'org.opencontainers.image.version of the new image is 2025.1, the tag pinned on stable/2025.1',
      "the image's revision 222222222222 is the HEAD of stable/2025.1 in the source repo",
    ],
    changedKeys: ['magnum_api', 'magnum_cluster_api_proxy', 'magnum_conductor', 'magnum_db_sync'],
    noteFile: 'releasenotes/notes/bump-magnum-magnum-cluster-api-0-36-5-0123456789abcdef.yaml',
    ...overrides,
  };
}

void describe('commitType', () => {
  void it('fix with a reason, chore without', () => {
    assert.equal(commitType(), 'chore');
    assert.equal(commitType(parseReason('abc1234')), 'fix');
    assert.equal(commitType(parseReason('magnum-cluster-api==0.36.5')), 'fix');
  });
});

void describe('commitSubject and prTitle', () => {
  void it('without a reason: chore, the tag and a short digest', () => {
    assert.equal(commitSubject(plan()), 'chore(magnum): bump magnum image to 2025.1@sha256:abcdef123456');
    assert.equal(
      prTitle(plan()),
      'chore(magnum): bump magnum image to 2025.1@sha256:abcdef123456 (stable/2025.1)',
    );
  });

  void it('with a dependency or release reason: the dependency version', () => {
    assert.equal(
      prTitle(plan({ reason: parseReason('magnum-cluster-api==0.36.5') })),
      'fix(magnum): bump magnum image for magnum-cluster-api 0.36.5 (stable/2025.1)',
    );
    assert.equal(
      prTitle(
        plan({
          branch: 'main',
          tag: 'main',
          reason: parseReason('https://github.com/vexxhost/magnum-cluster-api/releases/tag/v0.36.6'),
        }),
      ),
      'fix(magnum): bump magnum image for magnum-cluster-api 0.36.6 (main)',
    );
  });

  void it('with a PR: names the source repository so GitHub does not link the target repo PR', () => {
    assert.equal(
      commitSubject(plan({ reason: parseReason('#123') })),
      'fix(magnum): bump magnum image to include vexxhost/docker-magnum#123',
    );
    assert.equal(
      commitSubject(plan({ reason: parseReason('https://github.com/openstack/magnum/pull/9') })),
      'fix(magnum): bump magnum image to include openstack/magnum#9',
    );
    assert.equal(
      commitSubject(plan({ reason: parseReason('42'), sourceRepoUrl: 'https://git.example.com/x/y' })),
      'fix(magnum): bump magnum image to include pull request 42',
    );
  });

  void it('with a commit', () => {
    const nova = {
      service: 'nova',
      image: 'ghcr.io/vexxhost/nova',
      sourceRepoUrl: 'https://github.com/vexxhost/docker-nova',
    };
    assert.equal(
      commitSubject(plan({ ...nova, reason: parseReason('ABCDEF1234567890') })),
      'fix(nova): bump nova image to include vexxhost/docker-nova@abcdef123456',
    );
    // the repository-qualified form would pass 72 characters here
    assert.equal(
      commitSubject(plan({ reason: parseReason('ABCDEF1234567890') })),
      'fix(magnum): bump magnum image to include commit abcdef123456',
    );
  });

  void it('stays within 72 characters for long names by dropping detail', () => {
    const long = plan({
      service: 'python-openstackclient',
      image: 'ghcr.io/vexxhost/python-openstackclient',
      reason: parseReason('https://github.com/vexxhost/docker-python-openstackclient/pull/123456'),
    });
    const subject = commitSubject(long);
    assert.ok(subject.length <= 72, subject);
    assert.match(subject, /^fix\(python-openstackclient\): /);
    assert.match(subject, /123456/);
    for (const p of [
      plan(),
      plan({ reason: parseReason('magnum-cluster-api==0.36.5') }),
      plan({ reason: parseReason('oslo.messaging==14.9.1'), service: 'ovn-bgp-agent' }),
    ]) {
      assert.ok(commitSubject(p).length <= 72, commitSubject(p));
    }
  });

  void it('every title ends with the target branch in parentheses', () => {
    for (const branch of ['main', 'stable/2023.1', 'stable/2025.1']) {
      for (const reason of [undefined, parseReason('#1'), parseReason('abcdef1'), parseReason('a==1')]) {
        assert.ok(prTitle(plan({ branch, reason })).endsWith(` (${branch})`));
        assert.match(prTitle(plan({ branch, reason })), /^(fix|chore)\(magnum\): /);
      }
    }
  });
});

void describe('prBody', () => {
  void it('shows the service, branch, image, digests, linked source commits, reason, validation, keys and note', () => {
    const body = prBody(plan({ reason: parseReason('magnum-cluster-api==0.36.5') }));
    for (const needle of [
      '**magnum**',
      '`stable/2025.1`',
      '`ghcr.io/vexxhost/magnum:2025.1`',
      `\`${OLD}\``,
      `\`${NEW}\``,
      `(${REPO}/commit/${OLD_REV})`,
      `(${REPO}/commit/${NEW_REV})`,
      `${REPO}/compare/${OLD_REV}...${NEW_REV}`,
      '`magnum-cluster-api`',
      '`0.36.5`',
      '- org.opencontainers.image.version of the new image is 2025.1',
      "- the image's revision 222222222222 is the HEAD",
      '- `magnum_api`',
      '- `magnum_db_sync`',
      '### Changed entries (4)',
      '`releasenotes/notes/bump-magnum-magnum-cluster-api-0-36-5-0123456789abcdef.yaml`',
    ]) {
      assert.ok(body.includes(needle), `body includes ${needle}:\n${body}`);
    }
  });

  void it('says when the old source revision is unknown', () => {
    const body = prBody(plan({ oldRevision: undefined }));
    assert.match(body, /Old source \| unknown/);
    assert.doesNotMatch(body, /compare\//);
    assert.ok(body.includes(`${REPO}/commit/${NEW_REV}`));
    assert.match(body, /None given/);
  });

  void it('links a PR or commit reason to the right repository', () => {
    assert.ok(prBody(plan({ reason: parseReason('#123') })).includes(`(${REPO}/pull/123)`));
    assert.ok(
      prBody(plan({ reason: parseReason('https://github.com/openstack/magnum/pull/9') })).includes(
        '[openstack/magnum#9](https://github.com/openstack/magnum/pull/9)',
      ),
    );
    assert.ok(prBody(plan({ reason: parseReason('abcdef1') })).includes(`(${REPO}/commit/abcdef1)`));
    const release = prBody(
      plan({ reason: parseReason('https://github.com/vexxhost/magnum-cluster-api/releases/tag/v0.36.5') }),
    );
    assert.ok(release.includes('(https://github.com/vexxhost/magnum-cluster-api/releases/tag/v0.36.5)'));
  });

  void it('never shows credentials of the source URL', () => {
    const body = prBody(
      plan({ sourceRepoUrl: 'https://x-access-token:ghs_SECRET123@github.com/vexxhost/docker-magnum.git' }),
    );
    assert.doesNotMatch(body, /SECRET|x-access-token/);
    assert.ok(body.includes(`${REPO}/commit/${NEW_REV}`));
    assert.doesNotMatch(
      commitMessage(plan({ sourceRepoUrl: 'https://user:pw@github.com/vexxhost/docker-magnum' })),
      /user:pw/,
    );
  });

  void it('keeps validation sentences on one bullet line each', () => {
    const body = prBody(plan({ validation: ['first\nsecond'] }));
    assert.ok(body.includes('- first second'));
  });
});

void describe('publicRepoUrl', () => {
  void it('drops credentials, query, fragment, trailing slash and .git', () => {
    assert.equal(publicRepoUrl('https://u:p@github.com/vexxhost/docker-magnum.git/'), REPO);
    assert.equal(publicRepoUrl(`${REPO}?tab=readme#top`), REPO);
    assert.equal(publicRepoUrl(` ${REPO} `), REPO);
  });
});

void describe('commitMessage', () => {
  void it('subject, blank line, the move of digests and the source revision; no sign-off', () => {
    const msg = commitMessage(plan({ reason: parseReason('magnum-cluster-api==0.36.5') }));
    const lines = msg.split('\n');
    assert.equal(lines[0], 'fix(magnum): bump magnum image for magnum-cluster-api 0.36.5');
    assert.equal(lines[1], '');
    assert.ok(lines.includes(`Old: ${OLD}`));
    assert.ok(lines.includes(`New: ${NEW}`));
    assert.ok(msg.includes(`${REPO}/commit/${NEW_REV}`));
    assert.ok(msg.includes('(was 111111111111)'));
    assert.ok(msg.includes('Reason: magnum-cluster-api==0.36.5'));
    assert.doesNotMatch(msg, /Signed-off-by/i);
    assert.ok(msg.endsWith('\n'));
  });

  void it('wraps a long list of keys', () => {
    const keys = Array.from({ length: 22 }, (_, i) => `heat_key_number_${i}`);
    const msg = commitMessage(plan({ service: 'heat', changedKeys: keys, oldRevision: undefined }));
    for (const line of msg.split('\n').filter((l) => l.startsWith('heat_key') || l.startsWith('Keys:')))
      assert.ok(line.length <= 72, line);
    for (const key of keys) assert.ok(msg.includes(key));
    assert.match(msg, /previous source revision unknown/);
  });
});
