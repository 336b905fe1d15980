/**
 * One POST of a notice to one receiver, and what its answer means: 2xx sent;
 * 408, 429, 5xx or no answer a retryable NoticeNotDelivered; any other answer
 * a NoticeRefused that no retry can fix. Messages name the target, never its
 * URL (a Slack webhook URL is a credential) nor its token.
 */
import { describeNoAnswer, fetchWithDeadline, parseRetryAfter } from '../http.js';
import { fatal, FatalFailure, transient, TransientFailure } from '../../shared/failures.js';
import { oneLine } from '../../lib/kit/notices/index.js';
import type { NoticeReceiver } from './settings.js';

const BODY_SHOWN = 200;

/** `text` with the receiver's URL, host and token taken out. */
function withoutTarget(text: string, receiver: NoticeReceiver): string {
  const hidden = [receiver.url, ...(receiver.token === undefined ? [] : [receiver.token])];
  try {
    const url = new URL(receiver.url);
    hidden.push(`${url.origin}${url.pathname}`, url.host, url.hostname);
  } catch {
    // the settings checked it is an http(s) URL; nothing more to hide
  }
  let out = text;
  for (const secret of hidden.filter((h) => h.length >= 3).sort((a, b) => b.length - a.length))
    out = out.split(secret).join('[target]');
  return out;
}

/** POSTs `body` as JSON with the delivery id; resolves with the 2xx status, or throws a typed failure. */
export async function postNotice(
  receiver: NoticeReceiver,
  body: unknown,
  id: string,
  doFetch: typeof fetch = fetch,
): Promise<number> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'bumpflow',
    'x-bumpflow-delivery': id,
    ...(receiver.token === undefined ? {} : { authorization: `Bearer ${receiver.token}` }),
  };
  let response: Response;
  try {
    response = await fetchWithDeadline(receiver.timeoutMs, doFetch)(receiver.url, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
      // a redirected POST may turn into a GET elsewhere: a receiver that moved is a configuration to fix
      redirect: 'manual',
    });
  } catch (err) {
    throw transient(
      TransientFailure.NoticeNotDelivered,
      `notification target ${receiver.name} did not answer: ${withoutTarget(describeNoAnswer(err, receiver.timeoutMs), receiver)}`,
      { details: { target: receiver.name } },
    );
  }
  const status = response.status;
  if (status >= 200 && status < 300) return status;
  if (status === 408 || status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    throw transient(
      TransientFailure.NoticeNotDelivered,
      `notification target ${receiver.name} answered ${status}`,
      {
        details: { target: receiver.name, status },
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      },
    );
  }
  const answer = oneLine(withoutTarget(await response.text(), receiver), BODY_SHOWN);
  throw fatal(
    FatalFailure.NoticeRefused,
    `notification target ${receiver.name} refused the notice: expected a 2xx answer, found ${status}${answer === '' ? '' : `: ${answer}`}`,
    { target: receiver.name, status },
  );
}
