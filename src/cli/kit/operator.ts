/**
 * Who runs the CLI: the name a bump's PR says approved it ("Approved by …"),
 * and the requester a tag procedure or catalog update records. `$USER` is
 * unset in many non-login shells (cron, `docker exec`, CI), so it is not the
 * only source: the account's name, then `$LOGNAME`, then the identity the
 * Temporal client presents (`pid@host`), before "unknown".
 */
import os from 'node:os';

/** The identity the CLI's Temporal client presents (the SDK's own default, set explicitly by connect()). */
export function clientIdentity(): string {
  return `${process.pid}@${os.hostname()}`;
}

/** The account's name, or undefined where the system has none for the uid (a container's arbitrary uid: it throws). */
function accountName(userInfo: () => { username: string }): string | undefined {
  try {
    return userInfo().username || undefined;
  } catch {
    return undefined;
  }
}

/** `$USER`, else the account's name, else `$LOGNAME`, else the client identity, else "unknown". */
export function operatorName(
  env: NodeJS.ProcessEnv,
  sources: { userInfo?: () => { username: string }; identity?: () => string } = {},
): string {
  return (
    env.USER ||
    accountName(sources.userInfo ?? (() => os.userInfo())) ||
    env.LOGNAME ||
    (sources.identity ?? clientIdentity)() ||
    'unknown'
  );
}
