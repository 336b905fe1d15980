/**
 * Notification settings: the config file's `notifications`, with each URL and
 * token read from the variable the file names (inside the worker only), and
 * where the sent-ledger lives. Checked at start, so a missing variable stops
 * the worker instead of losing notices later.
 */
import type { BumpflowConfig } from '../../configFile.js';
import type { NoticeFilter } from '../../lib/kit/notices/index.js';
import { parseDuration } from '../../lib/kit/duration.js';
import { fatal, FatalFailure } from '../../shared/failures.js';

export interface NoticeReceiver extends NoticeFilter {
  kind: 'slack' | 'webhook';
  url: string;
  /** the URL came from the environment (a credential: masked in logs) */
  urlFromEnv: boolean;
  /** sent as `Authorization: Bearer` (webhook targets) */
  token?: string | undefined;
}

export interface NoticeSettings {
  targets: NoticeReceiver[];
  /** the Temporal UI's root and namespace, for the workflow's link */
  uiUrl: string;
  namespace: string;
  /** where the sent-ledger keeps one file per delivery */
  ledgerDir: string;
}

function fromEnv(env: NodeJS.ProcessEnv, target: string, name: string, what: string): string {
  const value = env[name]?.trim();
  if (!value)
    throw fatal(
      FatalFailure.BadInput,
      `notification target ${target}: expected the environment variable ${name} to hold its ${what}, found it ${env[name] === undefined ? 'unset' : 'empty'}`,
    );
  return value;
}

export function noticeSettings(
  config: BumpflowConfig,
  env: NodeJS.ProcessEnv,
  where: { uiUrl: string; namespace: string; ledgerDir: string },
): NoticeSettings {
  const targets = config.notifications.map((t): NoticeReceiver => {
    const url = t.urlEnv === undefined ? t.url! : fromEnv(env, t.name, t.urlEnv, 'URL');
    if (t.urlEnv !== undefined && !/^https?:\/\/[^\s]+$/.test(url))
      throw fatal(
        FatalFailure.BadInput,
        `notification target ${t.name}: expected the environment variable ${t.urlEnv} to hold an http(s) URL, found a value that is not one (not shown: it may be a credential)`,
      );
    return {
      name: t.name,
      kind: t.kind,
      url,
      urlFromEnv: t.urlEnv !== undefined,
      ...(t.tokenEnv === undefined ? {} : { token: fromEnv(env, t.name, t.tokenEnv, 'token') }),
      procedures: t.procedures,
      states: t.states,
      attempts: t.attempts,
      timeoutMs: parseDuration(t.timeout),
    };
  });
  return { targets, ...where };
}

/** Every URL that came from the environment and every token: for the worker's log redaction. */
export function noticeSecrets(settings: NoticeSettings | undefined): string[] {
  return (settings?.targets ?? []).flatMap((t) => [
    ...(t.urlFromEnv ? [t.url] : []),
    ...(t.token === undefined ? [] : [t.token]),
  ]);
}
