/**
 * Who the CLI says approved, rejected or requested something when `$USER` is
 * unset (cron, `docker exec`, CI): the account's name, `$LOGNAME`, the Temporal
 * client's identity, and "unknown" only when there is none of these.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import { clientIdentity, operatorName } from '../../src/cli/kit/operator.js';
import { buildProgram } from '../../src/cli/main.js';

const noAccount = () => {
  throw Object.assign(new Error('ENOENT: no such file or directory, uv_os_get_passwd'), { code: 'ENOENT' });
};

void describe('operatorName: who runs the CLI', () => {
  void it('is $USER when set', () => {
    assert.equal(
      operatorName({ USER: 'alice', LOGNAME: 'bob' }, { userInfo: () => ({ username: 'carol' }) }),
      'alice',
    );
  });

  void it('without $USER: the account name, then $LOGNAME, then the client identity, then "unknown"', () => {
    const account = () => ({ username: 'carol' });
    const identity = () => '42@build-host';
    assert.equal(operatorName({ LOGNAME: 'bob' }, { userInfo: account, identity }), 'carol');
    assert.equal(operatorName({ USER: '', LOGNAME: 'bob' }, { userInfo: account, identity }), 'carol');
    // os.userInfo() throws for a uid without a passwd entry (a container's arbitrary uid)
    assert.equal(operatorName({ LOGNAME: 'bob' }, { userInfo: noAccount, identity }), 'bob');
    assert.equal(operatorName({}, { userInfo: () => ({ username: '' }), identity }), '42@build-host');
    assert.equal(operatorName({}, { userInfo: noAccount, identity }), '42@build-host');
    assert.equal(operatorName({}, { userInfo: noAccount, identity: () => '' }), 'unknown');
  });

  void it("by default: this machine's account, and the client identity as the SDK spells it", () => {
    assert.equal(operatorName({}), os.userInfo().username);
    assert.equal(clientIdentity(), `${process.pid}@${os.hostname()}`);
    assert.match(operatorName({}, { userInfo: noAccount }), /^\d+@.+/);
  });

  void it('approve and reject default --approver to it when the environment has no USER', () => {
    const env: NodeJS.ProcessEnv = { ...process.env, BUMPFLOW_CONFIG: '' };
    delete env.USER;
    delete env.LOGNAME;
    const program = buildProgram(env);
    for (const command of ['approve', 'reject']) {
      const option = program.commands
        .find((c) => c.name() === command)
        ?.options.find((o) => o.long === '--approver');
      assert.equal(option?.defaultValue, os.userInfo().username, command);
    }
    const withUser = buildProgram({ ...env, USER: 'alice' }).commands.find((c) => c.name() === 'approve');
    assert.equal(withUser?.options.find((o) => o.long === '--approver')?.defaultValue, 'alice');
  });
});
