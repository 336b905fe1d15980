/** `status --watch`: reads until the procedure ends (once, without --watch), showing each change once. */

export interface FollowOptions {
  watch: boolean;
  intervalMs: number;
}

/**
 * Reads with `read`; `text` is what counts as a change (and what `show` may print); `ended` stops it.
 * Returns the last read.
 */
export async function follow<V>(
  o: FollowOptions,
  read: () => Promise<V>,
  text: (v: V) => string,
  show: (v: V, text: string) => void,
  ended: (v: V) => boolean,
): Promise<V> {
  let last: string | undefined;
  for (;;) {
    const v = await read();
    const now = text(v);
    if (now !== last) show(v, now);
    last = now;
    if (!o.watch || ended(v)) return v;
    await new Promise((r) => setTimeout(r, o.intervalMs));
  }
}
