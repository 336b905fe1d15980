/**
 * `git ls-remote --heads <url>`, shared: calls for the same URL that arrive while no listing of it has
 * started yet share the next one. A call never gets an answer git began before the call was made: a
 * call arriving while a listing runs waits for the one after it (which every call arriving meanwhile
 * shares too), so a burst of N concurrent calls costs at most two processes.
 */
import type { GitRun, GitRunner } from './run.js';
import type { GitCall } from './types.js';

export type HeadsLister = (url: string, call: GitCall) => Promise<GitRun>;

export function createHeadsLister(runner: GitRunner): HeadsLister {
  /** per URL: the listing that has not started yet, which new calls join */
  const next = new Map<string, Promise<GitRun>>();
  /** per URL: the listing that runs now */
  const running = new Map<string, Promise<GitRun>>();

  function schedule(url: string): Promise<GitRun> {
    const previous = running.get(url);
    const batch = (async () => {
      if (previous !== undefined) await previous;
      // calls made in the same turn of the event loop join too
      await new Promise<void>((resolve) => setImmediate(resolve));
      next.delete(url);
      // no signal: one caller's abort must not end the others' listing (each waits with its own)
      const run = runner.run(['ls-remote', '--heads', '--', url], { remote: url });
      running.set(url, run);
      try {
        return await run;
      } finally {
        if (running.get(url) === run) running.delete(url);
      }
    })();
    next.set(url, batch);
    return batch;
  }

  return (url, call) => runner.wait(next.get(url) ?? schedule(url), call);
}

/** ls-remote's output → branch name (without refs/heads/) → sha. */
export function parseHeads(stdout: string): Map<string, string> {
  const heads = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const match = /^([0-9a-f]+)\trefs\/heads\/(.+)$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) heads.set(match[2], match[1]);
  }
  return heads;
}
