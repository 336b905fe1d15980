/**
 * Loopback fronts that add a round-trip time: before the registry (the
 * project's paging front, which records every request, holding each one for
 * `rttMs` before forwarding it) and before the git remotes (the sandbox's
 * smart-HTTP server, the real `git http-backend` over the bare repos, holding
 * each HTTP request for `rttMs`). The delay is per HTTP request, not per TCP
 * packet: one request–answer exchange costs one RTT more.
 */
import { startPagingFront, type RunningPagingFront } from '../src/sandbox/pagingFront.js';
import { startGitHttpServer, type GitHttpServer } from '../src/sandbox/gitHttpServer.js';

export type { GitHttpServer };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The registry behind a recording front that holds every request for `rttMs` (none at 0). */
export function startRegistryFront(upstream: string, rttMs: number): Promise<RunningPagingFront> {
  return startPagingFront({ upstream, ...(rttMs > 0 ? { hold: () => sleep(rttMs) } : {}) });
}

/** Serves the bare repos under `root` over smart HTTP (fetch and push), each request held for `rttMs`. */
export function startGitHttp(root: string, rttMs: number): Promise<GitHttpServer> {
  return startGitHttpServer({ root, holdMs: rttMs });
}
