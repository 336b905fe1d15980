/**
 * Notification tests' helpers: the loopback receivers (src/sandbox/noticeReceiver.ts),
 * a configured target for one, and polling until a receiver heard something.
 */
import type { NoticeReceiver } from '../../src/clients/notify/index.js';
import type { Receiver } from '../../src/sandbox/noticeReceiver.js';

export {
  startReceiver,
  type Answer,
  type Receiver,
  type ReceivedRequest,
} from '../../src/sandbox/noticeReceiver.js';

/** A configured target for a receiver (as the worker's settings hold it). */
export function targetFor(
  name: string,
  receiver: Receiver,
  options: Partial<Omit<NoticeReceiver, 'name' | 'url'>> = {},
): NoticeReceiver {
  return {
    name,
    kind: 'webhook',
    url: receiver.url,
    urlFromEnv: false,
    attempts: 3,
    timeoutMs: 1_000,
    ...options,
  };
}

/** Polls `check` every 100 ms until it holds, or fails saying `what` after `ms`. */
export async function eventually(check: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`expected ${what} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
