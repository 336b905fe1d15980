/**
 * Loopback fronts that add a round-trip time: before the registry (the
 * project's paging front, which records every request, holding each one for
 * the RTT before forwarding it) and before the git remotes (the sandbox's
 * smart-HTTP server, the real `git http-backend` over the bare repos, holding
 * each HTTP request for `rttMs`). The delay is per HTTP request, not per TCP
 * packet: one request–answer exchange costs one RTT more.
 */
import { startPagingFront, type RunningPagingFront } from '../src/sandbox/pagingFront.js';
import { startGitHttpServer, type GitHttpServer } from '../src/sandbox/gitHttpServer.js';

export type { GitHttpServer };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The registry behind a recording front that holds every request for `rtt` ms (a number, or read per request). */
export function startRegistryFront(
  upstream: string,
  rtt: number | (() => number),
): Promise<RunningPagingFront> {
  const ms = typeof rtt === 'number' ? () => rtt : rtt;
  return startPagingFront({ upstream, hold: () => (ms() > 0 ? sleep(ms()) : undefined) });
}

/** Serves the bare repos under `root` over smart HTTP (fetch and push), each request held for `rttMs`. */
export function startGitHttp(root: string, rttMs: number): Promise<GitHttpServer> {
  return startGitHttpServer({ root, holdMs: rttMs });
}
